/*
 * test_config.c — the configuration parser: a good file, and each kind of
 * bad input with its exact file:line message; -o arguments likewise.
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

/* Write len bytes to dir/name (NULs too); the path in a static buffer. */
static const char *
write_bytes(void **state, const char *name, const void *buf, size_t len)
{
	static char	 path[4200];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", (char *)*state, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	fclose(fp);
	return path;
}

/*
 * Load len bytes and expect them refused with exactly "path:line: msg"
 * (line 0: "path: msg", for what is wrong with the file as a whole).
 */
static void
expect_refused(void **state, const void *buf, size_t len, unsigned line,
    const char *msg)
{
	struct config	 cf;
	char		 err[1024] = "", want[5000];
	const char	*path;

	path = write_bytes(state, "refused.conf", buf, len);
	config_defaults(&cf);
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), -EINVAL);
	if (line == 0)
		snprintf(want, sizeof(want), "%s: %s", path, msg);
	else
		snprintf(want, sizeof(want), "%s:%u: %s", path, line, msg);
	assert_string_equal(err, want);
}

#define REFUSED(text, line, msg) \
	expect_refused(state, text, sizeof(text) - 1, line, msg)

/* Load text and expect it taken; the parsed struct for checks. */
static void
expect_taken(void **state, const void *buf, size_t len, struct config *cf)
{
	char		 err[1024] = "";
	const char	*path;

	path = write_bytes(state, "taken.conf", buf, len);
	config_defaults(cf);
	if (config_load(path, cf, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
}

#define TAKEN(text, cf)	expect_taken(state, text, sizeof(text) - 1, cf)

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
test_listen(void **state)
{
	struct config	cf;

	REFUSED("listen = 127.0.0.1:99999\n", 1, "listen: '127.0.0.1:99999': "
	    "the port must be a number from 0 to 65535");
	REFUSED("# a\nlisten = 127.0.0.1:65536\n", 2, "listen: "
	    "'127.0.0.1:65536': the port must be a number from 0 to 65535");
	REFUSED("listen = 127.0.0.1:http\n", 1, "listen: '127.0.0.1:http': "
	    "the port must be a number from 0 to 65535");
	REFUSED("listen = 127.0.0.1:\n", 1, "listen: '127.0.0.1:': the port "
	    "must be a number from 0 to 65535");
	REFUSED("listen = 127.0.0.1:-1\n", 1, "listen: '127.0.0.1:-1': the "
	    "port must be a number from 0 to 65535");
	REFUSED("listen = 127.0.0.1:+80\n", 1, "listen: '127.0.0.1:+80': the "
	    "port must be a number from 0 to 65535");
	REFUSED("listen = 127.0.0.1: 80\n", 1, "listen: '127.0.0.1: 80': the "
	    "port must be a number from 0 to 65535");
	REFUSED("listen = 127.0.0.1:0x50\n", 1, "listen: '127.0.0.1:0x50': "
	    "the port must be a number from 0 to 65535");
	REFUSED("listen = 127.0.0.1:8080000\n", 1, "listen: "
	    "'127.0.0.1:8080000': the port must be a number from 0 to 65535");
	REFUSED("listen = 8080\n", 1, "listen: '8080' is not host:port (an "
	    "IPv4 address, [an IPv6 address] or a host name, then the port)");
	REFUSED("listen = ::1:8080\n", 1, "listen: '::1:8080' is not "
	    "host:port (an IPv4 address, [an IPv6 address] or a host name, "
	    "then the port)");
	REFUSED("listen = [::g]:8080\n", 1, "listen: '[::g]:8080' is not "
	    "host:port (an IPv4 address, [an IPv6 address] or a host name, "
	    "then the port)");
	REFUSED("listen = :8080\n", 1, "listen: ':8080' is not host:port (an "
	    "IPv4 address, [an IPv6 address] or a host name, then the port)");
	REFUSED("listen = a b:8080\n", 1, "listen: 'a b:8080' is not "
	    "host:port (an IPv4 address, [an IPv6 address] or a host name, "
	    "then the port)");
	REFUSED("listen =\n", 1, "listen: '' is not host:port (an IPv4 "
	    "address, [an IPv6 address] or a host name, then the port)");
	/* What is documented stays good; port 0 picks a free port. */
	TAKEN("listen = 127.0.0.1:0\n", &cf);
	assert_string_equal(cf.cf_listen, "127.0.0.1:0");
	TAKEN("listen = 127.0.0.1:65535\n", &cf);
	TAKEN("listen = [::1]:8080\n", &cf);
	assert_string_equal(cf.cf_listen, "[::1]:8080");
	TAKEN("listen = localhost:8080\n", &cf);
	TAKEN("listen = 0.0.0.0:9000\n", &cf);
}

static void
test_nul_and_binary(void **state)
{
	static const unsigned char	elf[] = { 0x7f, 'E', 'L', 'F', 2, 1,
	    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0 };
	unsigned char			zeros[4096];
	struct config			cf;

	/* A file of NULs: once taken as all defaults. */
	memset(zeros, 0, sizeof(zeros));
	expect_refused(state, zeros, sizeof(zeros), 1, "contains a NUL byte");
	/* A NUL that would end the string early: the rest went unseen. */
	REFUSED("verbose = no\nlisten = 127.0.0.1:1\0junk\n", 2,
	    "contains a NUL byte");
	REFUSED("# comment\0\n", 1, "contains a NUL byte");
	expect_refused(state, elf, sizeof(elf), 1,
	    "contains the control character 0x7f");
	REFUSED("verbose = yes\n\n\x1b[2J\n", 3,
	    "contains the control character 0x1b");
	REFUSED("state_dir = /srv/a\rb\n", 1,
	    "contains the control character 0x0d");
	REFUSED("state_dir = /srv/\x07\n", 1,
	    "contains the control character 0x07");
	REFUSED("state_dir = /srv/caf\xe9\n", 1,
	    "contains bytes that are not UTF-8");
	REFUSED("# caf\xe9 in a comment\n", 1,
	    "contains bytes that are not UTF-8");
	/* Overlong '/', a surrogate, past U+10FFFF, a cut sequence. */
	REFUSED("state_dir = \xc0\xaf\n", 1, "contains bytes that are not "
	    "UTF-8");
	REFUSED("state_dir = /\xed\xa0\x80\n", 1, "contains bytes that are "
	    "not UTF-8");
	REFUSED("state_dir = /\xf4\x90\x80\x80\n", 1, "contains bytes that "
	    "are not UTF-8");
	REFUSED("state_dir = /\xe2\x82", 1, "contains bytes that are not "
	    "UTF-8");
	/* Text is fine: UTF-8, tabs, CR LF line ends, no final newline. */
	TAKEN("# Käyttöönotto\r\n\tstate_dir\t=\t/srv/päläute\t\r\n"
	    "verbose = yes", &cf);
	assert_string_equal(cf.cf_state_dir, "/srv/päläute");
	assert_true(cf.cf_verbose);
}

static void
test_structure(void **state)
{
	char	big[1100], *huge;
	size_t	i;

	REFUSED("verbose = yes\nverbose = no\n", 2,
	    "'verbose' is set twice (first on line 1)");
	REFUSED("listen = 127.0.0.1:1\n# x\n listen=127.0.0.1:1\n", 3,
	    "'listen' is set twice (first on line 1)");
	REFUSED("= yes\n", 1, "expected 'key = value'");
	REFUSED("verbose\n", 1, "expected 'key = value'");
	REFUSED("Verbose = yes\n", 1, "unknown key 'Verbose'");
	REFUSED("state_dir =\n", 1, "state_dir: needs a path");
	REFUSED("kek_file = \t\n", 1, "kek_file: needs a path");
	/* A line of 1025 bytes; 1024 is still a line. */
	memset(big, '#', sizeof(big));
	expect_refused(state, big, 1025, 1,
	    "line too long (more than 1024 bytes)");
	big[1024] = '\n';
	memcpy(big + 1025, "verbose = maybe\n", 16);
	expect_refused(state, big, 1041, 2, "verbose: 'maybe' is not yes or "
	    "no");
	/* A value over CONFIG_STR_MAX within a line. */
	memcpy(big, "state_dir = /", 13);
	memset(big + 13, 'd', 600);
	big[613] = '\n';
	expect_refused(state, big, 614, 1,
	    "state_dir: value too long (at most 511 bytes)");
	/* Not a configuration file at all: larger than 64 KiB. */
	huge = malloc(70000);
	assert_non_null(huge);
	for (i = 0; i < 70000; i++)
		huge[i] = i % 50 == 49 ? '\n' : '#';
	expect_refused(state, huge, 70000, 0,
	    "larger than 64 KiB: not a configuration file");
	free(huge);
}

static void
test_wrong_type(void **state)
{
	REFUSED("read_timeout = yes\n", 1, "read_timeout: 'yes' is not a "
	    "whole number between 1 and 3600");
	REFUSED("verbose = 1\n", 1, "verbose: '1' is not yes or no");
	REFUSED("map_size = big\n", 1, "map_size: 'big' is not a size "
	    "between 1048576 and 1099511627776 bytes (suffixes k, M, G)");
	REFUSED("max_connections = 1e3\n", 1, "max_connections: '1e3' is not "
	    "a whole number between 1 and 1000000");
	REFUSED("read_timeout =\n", 1, "read_timeout: '' is not a whole "
	    "number between 1 and 3600");
}

/* -o goes through the same checks as a line of the file. */
static void
expect_override(const char *a, const char *b, const char *msg)
{
	const char	*args[2] = { a, b };
	struct config	 cf;
	char		 err[1024] = "";

	config_defaults(&cf);
	assert_int_equal(config_overrides(&cf, args, b != NULL ? 2 : 1, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void
test_overrides(void **state)
{
	const char	*good[] = { "listen=127.0.0.1:0", "verbose = yes",
	    "state_dir=/srv/p" };
	struct config	 cf;
	char		 err[1024] = "";

	expect_override("listen=127.0.0.1:99999", NULL, "-o listen: "
	    "'127.0.0.1:99999': the port must be a number from 0 to 65535");
	expect_override("verbose=yes", "verbose=no",
	    "-o 'verbose' is given twice");
	expect_override("verbose", NULL, "-o 'verbose': expected key=value");
	expect_override("=yes", NULL, "-o '=yes': expected key=value");
	expect_override("#verbose=yes", NULL, "-o unknown key '#verbose'");
	expect_override("nokey=1", NULL, "-o unknown key 'nokey'");
	expect_override("state_dir=/a\nb", NULL,
	    "-o contains the control character 0x0a");
	expect_override("state_dir=/caf\xe9", NULL,
	    "-o contains bytes that are not UTF-8");
	expect_override("read_timeout=0", NULL, "-o read_timeout: '0' is "
	    "not a whole number between 1 and 3600");
	config_defaults(&cf);
	assert_int_equal(config_overrides(&cf, good, 3, err, sizeof(err)), 0);
	assert_string_equal(cf.cf_listen, "127.0.0.1:0");
	assert_true(cf.cf_verbose);
	assert_string_equal(cf.cf_state_dir, "/srv/p");
}

static void
test_set(void **state)
{
	struct config	cf;
	char		err[512] = "";

	config_defaults(&cf);
	assert_int_equal(config_set(&cf, "listen", "127.0.0.1:99999", err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "listen: '127.0.0.1:99999': the port must "
	    "be a number from 0 to 65535");
	assert_string_equal(cf.cf_listen, "127.0.0.1:8080");
	assert_int_equal(config_set(&cf, "www_dir", "/w\x01", err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "www_dir: the value contains the control "
	    "character 0x01");
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
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_nul_and_binary),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_keys_listed),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
