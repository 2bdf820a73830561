/*
 * util.c — checked number parsing, civil dates, atomic file writes.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

int
util_parse_ll(const char *s, long long min, long long max, long long *out)
{
	char		*end = NULL;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
util_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char			 num[32];
	size_t			 len;
	unsigned		 shift = 0;
	long long		 v;
	int			 rc;

	if (s == NULL)
		return -EINVAL;
	len = strlen(s);
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	default: break;
	}
	if (shift != 0)
		num[len - 1] = '\0';
	if ((rc = util_parse_ll(num, 0, LLONG_MAX >> shift, &v)) != 0)
		return rc;
	if (((uint64_t)v << shift) < min || ((uint64_t)v << shift) > max)
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic calendar. */
int64_t
util_days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
util_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t		era;
	unsigned	doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

int
util_parse_date(const char *s, int64_t *day_out)
{
	static const unsigned	mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int			y;
	unsigned		m, d, i;
	bool			leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -EINVAL;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -EINVAL;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -EINVAL;
	*day_out = util_days_from_civil(y, m, d);
	return 0;
}

int
util_format_date(int64_t day, char *buf, size_t len)
{
	int		y;
	unsigned	m, d;

	util_civil_from_days(day, &y, &m, &d);
	/*
	 * By hand: every stored response carries its day, and snprintf
	 * costs more than the rest of writing the record's fields.
	 */
	if (y < 0 || y > 9999)
		return util_snprintf(buf, len, "%04d-%02u-%02u", y, m, d);
	if (len < sizeof("YYYY-MM-DD"))
		return -ENAMETOOLONG;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return 0;
}

void
util_format_time(int64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

int64_t
util_today(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)(ts.tv_sec / 86400);
}

int
util_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int
util_fsync_dir(const char *dir)
{
	int	fd = -1, ret = -1;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		ret = -errno;
		goto done;
	}
	if (fsync(fd) == -1) {
		ret = -errno;
		goto done;
	}
	ret = 0;
done:
	if (fd != -1)
		close(fd);
	return ret;
}

int
util_fsync_parent(const char *path)
{
	char	*copy = NULL;
	int	 ret;

	if ((copy = strdup(path)) == NULL)
		return -ENOMEM;
	ret = util_fsync_dir(dirname(copy));
	free(copy);
	return ret;
}

int
util_write_file_atomic(const char *path, const void *buf, size_t len,
    unsigned mode)
{
	char		 tmp[PATH_MAX];
	const char	*p = buf;
	int		 fd = -1, ret = -1;
	ssize_t		 n;

	if ((ret = util_snprintf(tmp, sizeof(tmp), "%s.tmp", path)) != 0)
		goto done;
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
	if (fd == -1) {
		ret = -errno;
		goto done;
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto done;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		ret = -errno;
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		ret = -errno;
		goto done;
	}
	ret = util_fsync_parent(path);
done:
	if (fd != -1)
		close(fd);
	if (ret != 0)
		(void)unlink(tmp);
	return ret;
}

int
util_read_file(const char *path, size_t max, void **buf_out, size_t *len_out)
{
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd = -1, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		ret = -errno;
		goto done;
	}
	if (fstat(fd, &sb) == -1) {
		ret = -errno;
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		ret = -EINVAL;
		goto done;
	}
	if ((uint64_t)sb.st_size > max) {
		ret = -EFBIG;
		goto done;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	while (off < (size_t)sb.st_size) {
		n = read(fd, buf + off, (size_t)sb.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ret = -errno;
			goto done;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	*buf_out = buf;
	*len_out = off;
	buf = NULL;
	ret = 0;
done:
	if (fd != -1)
		close(fd);
	free(buf);
	return ret;
}
