/*
 * tmpdir.c — fresh temporary directories for the unit tests' fixtures,
 * and their removal (libc alone, so that any test can link it).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tmpdir.h"

/* Every name tmpdir_make() gives starts so; tmpdir_remove() checks it. */
#define TMPDIR_PREFIX	"palaute-"

int
tmpdir_make(char *buf, size_t len, const char *tag)
{
	char		 path[PATH_MAX];
	const char	*tmp = getenv("TMPDIR");
	int		 n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(path, sizeof(path), "%s/" TMPDIR_PREFIX "%s-XXXXXX", tmp,
	    tag);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(path) || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (mkdtemp(path) == NULL)
		return -errno;
	memcpy(buf, path, (size_t)n + 1);
	return 0;
}

static int
tmpdir_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	/* FTW_DEPTH: a directory comes after all it holds, so it is empty. */
	return remove(path);
}

int
tmpdir_remove(const char *dir)
{
	const char	*base;

	if (dir == NULL || (base = strrchr(dir, '/')) == NULL ||
	    strncmp(base + 1, TMPDIR_PREFIX, strlen(TMPDIR_PREFIX)) != 0)
		return -EINVAL;
	/* FTW_PHYS: a symlink out of the tree is removed, never entered. */
	if (nftw(dir, tmpdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return errno != 0 ? -errno : -EIO;
	return 0;
}
