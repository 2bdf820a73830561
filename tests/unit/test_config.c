/*
 * test_config.c — the configuration parser: a good file, and each kind of
 * bad input with its file:line message.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config.h"
#include "tests/unit/tmpdir.h"

static int
setup(void **state)
{
	static char	dir[4096];

	if (tmpdir_make(dir, sizeof(dir), "config") != 0)
		return -1;
	*state = dir;
	return 0;
}

static int
teardown(void **state)
{
	return tmpdir_remove(*state) == 0 ? 0 : -1;
}

/* Write text to dir/name; return the path in a static buffer. */
static const char *
write_file(void **state, const char *name, const char *text)
{
	static char	 path[4200];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", (char *)*state, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void
test_defaults(void **state)
{
	struct config	cf;

	config_defaults(&cf);
	assert_string_equal(cf.cf_listen, "127.0.0.1:8080");
	assert_int_equal(cf.cf_max_body, 64 << 10);
	assert_int_equal(cf.cf_read_timeout, 10);
	assert_false(cf.cf_verbose);
}

static void
test_good_file(void **state)
{
	struct config	 cf;
	char		 err[512] = "";
	const char	*path;

	path = write_file(state, "good.conf",
	    "# comment\n"
	    "\n"
	    "listen = 0.0.0.0:9000\n"
	    "  state_dir=/srv/palaute  \n"
	    "map_size = 2G\n"
	    "max_body = 128k\n"
	    "read_timeout = 30\n"
	    "verbose = yes\n"
	    "cors_origins = https://a.example https://b.example\n");
	config_defaults(&cf);
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), 0);
	assert_string_equal(cf.cf_listen, "0.0.0.0:9000");
	assert_string_equal(cf.cf_state_dir, "/srv/palaute");
	assert_int_equal(cf.cf_map_size, 2ULL << 30);
	assert_int_equal(cf.cf_max_body, 128 << 10);
	assert_int_equal(cf.cf_read_timeout, 30);
	assert_true(cf.cf_verbose);
	assert_string_equal(cf.cf_cors_origins,
	    "https://a.example https://b.example");
	/* Untouched keys keep their defaults. */
	assert_int_equal(cf.cf_write_timeout, 10);
}

/* Load text and expect failure with "name:line: <fragment>". */
static void
expect_error(void **state, const char *text, unsigned line,
    const char *fragment)
{
	struct config	 cf;
	char		 err[512] = "", want[256];
	const char	*path;

	path = write_file(state, "bad.conf", text);
	config_defaults(&cf);
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:%u: ", path, line);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	assert_non_null(strstr(err, fragment));
}

static void
test_unknown_key(void **state)
{
	expect_error(state, "listen = 127.0.0.1:1\nlisten_port = 80\n", 2,
	    "unknown key 'listen_port'");
}

static void
test_bad_numbers(void **state)
{
	expect_error(state, "read_timeout = ten\n", 1, "not a whole number");
	expect_error(state, "read_timeout = 0\n", 1, "between 1 and 3600");
	expect_error(state, "read_timeout = 10s\n", 1, "not a whole number");
	expect_error(state, "read_timeout = 99999999999999999999\n", 1,
	    "not a whole number");
	expect_error(state, "max_connections = -5\n", 1, "between");
	expect_error(state, "map_size = 5T\n", 1, "not a size");
	expect_error(state, "max_body = 12\n", 1, "not a size");
	expect_error(state, "verbose = maybe\n", 1, "not yes or no");
}

static void
test_bad_syntax(void **state)
{
	expect_error(state, "# ok\nlisten 127.0.0.1:1\n", 2,
	    "expected 'key = value'");
}

static void
test_missing_file(void **state)
{
	struct config	cf;
	char		err[512] = "", path[4200];

	snprintf(path, sizeof(path), "%s/nonexistent.conf", (char *)*state);
	config_defaults(&cf);
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nonexistent.conf"));
	assert_non_null(strstr(err, "No such file"));
}

static void
test_keys_listed(void **state)
{
	size_t	i;

	assert_true(config_nkeys() >= 10);
	for (i = 0; i < config_nkeys(); i++)
		assert_non_null(config_key_name(i));
	assert_null(config_key_name(config_nkeys()));
}

static void
dump_line(const char *line, void *arg)
{
	int	*n = arg;

	if (strcmp(line, "listen = 127.0.0.1:8080") == 0)
		(*n)++;
}

static void
test_dump(void **state)
{
	struct config	cf;
	int		n = 0;

	config_defaults(&cf);
	config_dump(&cf, dump_line, &n);
	assert_int_equal(n, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_syntax),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_keys_listed),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
