/*
 * tmpdir_store.c — a new store in a tmpdir_make() directory, for the unit
 * tests that work on a real store (apart from tmpdir.c: it needs storage).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

int
tmpdir_store_open(const char *dir, char *state, size_t len,
    struct storage_opts *o, struct storage **out)
{
	struct storage_opts	 defaults;
	int			 n;

	if (o == NULL) {
		memset(&defaults, 0, sizeof(defaults));
		o = &defaults;
	}
	/* A subdirectory, so that a test can put files beside the store. */
	n = snprintf(state, len, "%s/state", dir);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	o->so_dir = state;
	o->so_create = true;
	return storage_open(o, out);
}
