/*
 * test_util.c — checked parsing, civil dates, atomic writes.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"

static void
test_parse_ll(void **state)
{
	long long	v = 7;

	assert_int_equal(util_parse_ll("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(util_parse_ll("-3", -5, 5, &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(util_parse_ll("", 0, 9, &v), -EINVAL);
	assert_int_equal(util_parse_ll(" 4", 0, 9, &v), -EINVAL);
	assert_int_equal(util_parse_ll("4x", 0, 9, &v), -EINVAL);
	assert_int_equal(util_parse_ll("10", 0, 9, &v), -ERANGE);
	assert_int_equal(util_parse_ll("99999999999999999999", 0, 9, &v),
	    -ERANGE);
	assert_int_equal(v, -3);	/* untouched on failure */
}

static void
test_parse_size(void **state)
{
	uint64_t	v;

	assert_int_equal(util_parse_size("4k", 0, 1 << 20, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(util_parse_size("2M", 0, 1 << 30, &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(util_parse_size("1G", 0, 1ULL << 40, &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(util_parse_size("2G", 0, 1ULL << 30, &v), -ERANGE);
	assert_int_equal(util_parse_size("k", 0, 10, &v), -EINVAL);
	assert_int_equal(util_parse_size("1T", 0, 10, &v), -EINVAL);
}

static void
test_dates(void **state)
{
	int64_t		day;
	char		buf[16];
	int		y;
	unsigned	m, d;

	assert_int_equal(util_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(util_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(util_parse_date("2024-02-29", &day), 0);
	assert_int_equal(util_format_date(day, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2024-02-29");
	util_civil_from_days(day + 1, &y, &m, &d);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	assert_int_equal(util_parse_date("2023-02-29", &day), -EINVAL);
	assert_int_equal(util_parse_date("2024-13-01", &day), -EINVAL);
	assert_int_equal(util_parse_date("2024-1-01", &day), -EINVAL);
	assert_int_equal(util_parse_date("2024-01-01x", &day), -EINVAL);
	assert_int_equal(util_parse_date("1900-01-01", &day), -EINVAL);
	assert_int_equal(util_format_date(0, buf, 5), -ENAMETOOLONG);
	assert_int_equal(util_format_date(0, buf, 10), -ENAMETOOLONG);
	assert_int_equal(util_format_date(0, buf, 11), 0);
	assert_string_equal(buf, "1970-01-01");
}

/*
 * The formatter by hand writes what snprintf wrote, and leaves years
 * past four digits to it.
 */
static void
test_dates_by_hand(void **state)
{
	static const int	edges[][2] = { { 0, 3 }, { 1899, 1903 },
				    { 1999, 2201 }, { 9998, 9999 },
				    { -1, -1 }, { 10000, 10000 } };
	char			got[32], want[32];
	int64_t			day;
	int			y;
	unsigned		m, d;
	size_t			i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		for (day = util_days_from_civil(edges[i][0], 1, 1);
		    day < util_days_from_civil(edges[i][1] + 1, 1, 1); day++) {
			util_civil_from_days(day, &y, &m, &d);
			snprintf(want, sizeof(want), "%04d-%02u-%02u", y, m, d);
			assert_int_equal(util_format_date(day, got,
			    sizeof(got)), 0);
			assert_string_equal(got, want);
		}
}

static void
test_atomic_write(void **state)
{
	char		dir[] = "/tmp/palaute-test-util.XXXXXX", path[64];
	void		*buf = NULL;
	size_t		 len = 0;
	struct stat	 sb;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(util_write_file_atomic(path, "one", 3, 0600), 0);
	assert_int_equal(util_write_file_atomic(path, "second", 6, 0600), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(util_read_file(path, 100, &buf, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "second", 6);
	free(buf);
	assert_int_equal(util_read_file(path, 3, &buf, &len), -EFBIG);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(util_read_file(path, 100, &buf, &len), -ENOENT);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ll),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_dates_by_hand),
		cmocka_unit_test(test_atomic_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
