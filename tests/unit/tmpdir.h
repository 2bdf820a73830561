/*
 * tmpdir.h — the temporary directory of the unit tests' fixtures: made
 * fresh under $TMPDIR (or /tmp), a new store in it, the tree removed
 * again. tmpdir.c needs libc alone; tmpdir_store.c needs the storage layer.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_TESTS_TMPDIR_H
#define PALAUTE_TESTS_TMPDIR_H

#include <stddef.h>

struct storage;
struct storage_opts;

/*
 * Make a new, empty directory "palaute-<tag>-XXXXXX" (mode 0700) under
 * $TMPDIR, or /tmp when it is unset or empty, and write its path to buf
 * (len bytes). buf is written only on success; -ENAMETOOLONG when the
 * path does not fit.
 */
int	tmpdir_make(char *buf, size_t len, const char *tag);

/*
 * Remove dir and everything below it, symlinks as links (never followed).
 * Only a directory tmpdir_make() named: -EINVAL for any other name, so a
 * fixture that went wrong cannot take another tree with it.
 */
int	tmpdir_remove(const char *dir);

/*
 * Create a new store in <dir>/state, dir made by tmpdir_make(), and write
 * that path to state (len bytes). o carries the test's own options (zero
 * for the defaults) or is NULL; so_dir and so_create are set in it, and
 * so_dir points at state, so that the test can reopen the store with *o.
 * The store is the caller's: storage_close() it before tmpdir_remove().
 */
int	tmpdir_store_open(const char *dir, char *state, size_t len,
	    struct storage_opts *o, struct storage **out);

#endif /* PALAUTE_TESTS_TMPDIR_H */
