/*
 * replay.c — the main() of a fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file named, and on every file of
 * every directory named (not recursively), then says how many it ran.
 * A broken property or a sanitizer report aborts the program.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

/* The whole file, or NULL (errno set). */
static uint8_t *
replay_read(const char *path, size_t *len_out)
{
	FILE		*f;
	uint8_t		*buf = NULL, *grown;
	size_t		 len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((grown = realloc(buf, cap)) == NULL) {
				free(buf);
				buf = NULL;
				goto done;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
done:
	fclose(f);
	*len_out = len;
	return buf;
}

static int
replay_file(const char *path, size_t *count)
{
	uint8_t	*data;
	size_t	 len;

	if ((data = replay_read(path, &len)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	(*count)++;
	return 0;
}

static int
replay_path(const char *path, size_t *count)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	char		 file[4096];
	int		 ret = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	if ((dir = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(file, sizeof(file), "%s/%s", path,
		    de->d_name) >= sizeof(file)) {
			fprintf(stderr, "replay: %s/%s: name too long\n", path,
			    de->d_name);
			ret = -1;
			continue;
		}
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
		    replay_file(file, count) != 0)
			ret = -1;
	}
	closedir(dir);
	return ret;
}

int
main(int argc, char **argv)
{
	size_t	count = 0;
	int	i, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			ret = 1;
	printf("%s: %zu inputs\n", argv[0], count);
	if (count == 0)
		ret = 1;	/* an empty corpus tests nothing */
	return ret;
}
