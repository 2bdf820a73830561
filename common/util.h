/*
 * util.h — small checked helpers shared by every layer.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_UTIL_H
#define PALAUTE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse a whole decimal string into [min, max]; -EINVAL or -ERANGE. */
int	util_parse_ll(const char *s, long long min, long long max,
	    long long *out);
/* Parse a size with optional k/M/G suffix (powers of 1024). */
int	util_parse_size(const char *s, uint64_t min, uint64_t max,
	    uint64_t *out);

/* Day numbers: days since 1970-01-01 in the proleptic Gregorian calendar. */
int64_t	util_days_from_civil(int y, unsigned m, unsigned d);
void	util_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* "YYYY-MM-DD" <-> day number; parse rejects anything else. */
int	util_parse_date(const char *s, int64_t *day_out);
int	util_format_date(int64_t day, char *buf, size_t len);
/*
 * Unix seconds t as RFC 3339 UTC to the second ("2024-03-01T12:00:00Z"):
 * when a token or a code expires. "?" when t is out of range.
 */
void	util_format_time(int64_t t, char *buf, size_t len);

/*
 * Today as a day number, in UTC. The one place the daemon reads the wall
 * clock for dates, so tests can replace it with -Wl,--wrap=util_today.
 */
int64_t	util_today(void);

/* snprintf that reports truncation as -ENAMETOOLONG. */
int	util_snprintf(char *buf, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* fsync a directory, or the directory that holds path: a rename or a new
 * file is durable only once its directory entry is. */
int	util_fsync_dir(const char *dir);
int	util_fsync_parent(const char *path);

/* Write all of buf to path atomically (temp file, fsync, rename, fsync dir). */
int	util_write_file_atomic(const char *path, const void *buf, size_t len,
	    unsigned mode);
/* Read a whole small file (at most max bytes) into a malloc()ed buffer. */
int	util_read_file(const char *path, size_t max, void **buf_out,
	    size_t *len_out);

#endif /* PALAUTE_UTIL_H */
