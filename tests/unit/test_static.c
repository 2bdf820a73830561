/*
 * test_static.c — the path check of the static files (api/routes/static.c) on a
 * real directory tree: dot segments plain and percent-encoded, encoded
 * separators, hidden files, symlinks out of the root and inside it,
 * directories, unknown extensions; and the content types.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/routes/static.h"
#include "tests/unit/tmpdir.h"

/* Short enough that every path below it fits PATH_MAX. */
#define TREE_ROOT_MAX	512

struct tree {
	char	t_root[TREE_ROOT_MAX];	/* realpath of the temporary root */
};

static void
tree_file(const struct tree *t, const char *rel, const char *text)
{
	char	path[PATH_MAX];
	FILE	*f;

	assert_true(snprintf(path, sizeof(path), "%s/%s", t->t_root, rel) <
	    (int)sizeof(path));
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
tree_dir(const struct tree *t, const char *rel)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", t->t_root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void
tree_link(const struct tree *t, const char *target, const char *rel)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", t->t_root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/*
 *   root/secret.txt               outside the served folder
 *   root/www/kiosk/index.html
 *   root/www/kiosk/app.js
 *   root/www/kiosk/sub/x.css
 *   root/www/kiosk/.hidden.js
 *   root/www/kiosk/noext
 *   root/www/kiosk/dir.js/        a directory with a served extension
 *   root/www/kiosk/out.js   -> ../../secret.txt   (escapes)
 *   root/www/kiosk/abs.txt  -> <root>/secret.txt  (escapes, absolute)
 *   root/www/kiosk/same.js  -> app.js             (stays inside)
 *   root/www/kiosk/up       -> ..                 (a directory link out)
 *   root/www/form/index.html      a sibling folder
 */
static int
setup(void **state)
{
	struct tree	*t;
	char		 made[PATH_MAX], abs[PATH_MAX], real[PATH_MAX];

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    tmpdir_make(made, sizeof(made), "static") != 0 ||
	    realpath(made, real) == NULL ||
	    strlen(real) >= sizeof(t->t_root))
		return -1;
	memcpy(t->t_root, real, strlen(real) + 1);
	tree_file(t, "secret.txt", "secret");
	tree_dir(t, "www");
	tree_dir(t, "www/kiosk");
	tree_dir(t, "www/kiosk/sub");
	tree_dir(t, "www/kiosk/dir.js");
	tree_dir(t, "www/form");
	tree_file(t, "www/kiosk/index.html", "<!doctype html>");
	tree_file(t, "www/kiosk/app.js", "export {};");
	tree_file(t, "www/kiosk/sub/x.css", "body{}");
	tree_file(t, "www/kiosk/.hidden.js", "hidden");
	tree_file(t, "www/kiosk/noext", "?");
	tree_file(t, "www/form/index.html", "<!doctype html>");
	tree_link(t, "../../secret.txt", "www/kiosk/out.js");
	snprintf(abs, sizeof(abs), "%s/secret.txt", t->t_root);
	tree_link(t, abs, "www/kiosk/abs.txt");
	tree_link(t, "app.js", "www/kiosk/same.js");
	tree_link(t, "..", "www/kiosk/up");
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tree	*t = *state;

	if (tmpdir_remove(t->t_root) != 0)
		return -1;
	free(t);
	return 0;
}

/* Resolve raw under www/kiosk; the result relative to the root. */
static int
resolve(const struct tree *t, const char *raw, const char **rel_out)
{
	static char	out[PATH_MAX];
	char		www[PATH_MAX];
	int		rc;

	snprintf(www, sizeof(www), "%s/www", t->t_root);
	rc = http_static_resolve(www, "kiosk", raw, out, sizeof(out));
	if (rc == 0) {
		assert_memory_equal(out, t->t_root, strlen(t->t_root));
		*rel_out = out + strlen(t->t_root);
	}
	return rc;
}

static void
assert_serves(const struct tree *t, const char *raw, const char *rel)
{
	const char	*got = NULL;

	assert_int_equal(resolve(t, raw, &got), 0);
	assert_string_equal(got, rel);
}

static void
assert_refused(const struct tree *t, const char *raw)
{
	const char	*got = NULL;

	if (resolve(t, raw, &got) != -ENOENT)
		fail_msg("'%s' was not refused (got %s)", raw,
		    got != NULL ? got : "another error");
}

static void
test_plain_files(void **state)
{
	const struct tree	*t = *state;

	assert_serves(t, "", "/www/kiosk/index.html");
	assert_serves(t, "index.html", "/www/kiosk/index.html");
	assert_serves(t, "app.js", "/www/kiosk/app.js");
	assert_serves(t, "sub/x.css", "/www/kiosk/sub/x.css");
	/* An encoded letter is still that letter. */
	assert_serves(t, "app%2Ejs", "/www/kiosk/app.js");
	assert_serves(t, "%61pp.js", "/www/kiosk/app.js");
}

static void
test_dot_segments(void **state)
{
	const struct tree	*t = *state;

	assert_refused(t, "../secret.txt");
	assert_refused(t, "../../secret.txt");
	assert_refused(t, "../form/index.html");
	assert_refused(t, "sub/../app.js");
	assert_refused(t, "./app.js");
	assert_refused(t, "sub/./x.css");
	assert_refused(t, "..");
	assert_refused(t, "../");
	assert_refused(t, "%2e%2e/secret.txt");
	assert_refused(t, "%2E%2E/%2E%2E/secret.txt");
	assert_refused(t, ".%2e/form/index.html");
	assert_refused(t, "%2e/app.js");
	assert_refused(t, "%252e%252e/secret.txt");
}

static void
test_encoded_separators(void **state)
{
	const struct tree	*t = *state;

	assert_refused(t, "sub%2fx.css");
	assert_refused(t, "sub%2Fx.css");
	assert_refused(t, "..%2fsecret.txt");
	assert_refused(t, "..%2F..%2Fsecret.txt");
	assert_refused(t, "sub%5cx.css");
	assert_refused(t, "..%5C..%5Csecret.txt");
	assert_refused(t, "sub\\x.css");
	assert_refused(t, "sub//x.css");
	assert_refused(t, "/app.js");
}

static void
test_bad_escapes_and_names(void **state)
{
	const struct tree	*t = *state;

	assert_refused(t, "app.js%00");
	assert_refused(t, "app.js%00.html");
	assert_refused(t, "app%zz.js");
	assert_refused(t, "app.js%");
	assert_refused(t, "app.js%2");
	assert_refused(t, ".hidden.js");
	assert_refused(t, "sub/.hidden.js");
	assert_refused(t, "noext");
	assert_refused(t, "app.js~");
	assert_refused(t, "app.js.bak");
	assert_refused(t, "sp%20ace.js");
	assert_refused(t, "missing.js");
	assert_refused(t, "sub/");		/* no index.html there */
	assert_refused(t, "dir.js");		/* a directory */
	assert_refused(t, "dir.js/");
}

static void
test_symlinks(void **state)
{
	const struct tree	*t = *state;

	/* Links that lead out of the served folder are refused... */
	assert_refused(t, "out.js");
	assert_refused(t, "abs.txt");
	assert_refused(t, "up/form/index.html");
	/* ...a link inside it (Debian's Chart.js has such) is followed, and
	 * so is a detour that ends inside: what counts is where it leads. */
	assert_serves(t, "same.js", "/www/kiosk/app.js");
	assert_serves(t, "up/kiosk/app.js", "/www/kiosk/app.js");
}

static void
test_roots(void **state)
{
	const struct tree	*t = *state;
	char			 out[PATH_MAX], www[PATH_MAX];
	char			 lng[PATH_MAX + 64];

	snprintf(www, sizeof(www), "%s/www/kiosk", t->t_root);
	/* An empty sub serves the root itself (the Chart.js folder). */
	assert_int_equal(http_static_resolve(www, "", "app.js", out, sizeof(out)),
	    0);
	/* No root configured: nothing is served. */
	assert_int_equal(http_static_resolve("", "kiosk", "app.js", out,
	    sizeof(out)), -ENOENT);
	assert_int_equal(http_static_resolve("/nonexistent-palaute", "kiosk",
	    "app.js", out, sizeof(out)), -ENOENT);
	/* A result that does not fit is an error, not a truncated path. */
	assert_int_equal(http_static_resolve(www, "", "app.js", out, 8),
	    -ENAMETOOLONG);
	memset(lng, 'a', sizeof(lng) - 4);
	memcpy(lng + sizeof(lng) - 4, ".js", 4);
	assert_int_not_equal(http_static_resolve(www, "", lng, out, sizeof(out)),
	    0);
}

static void
test_ctypes(void **state)
{
	assert_string_equal(http_static_ctype("a/index.html"),
	    "text/html; charset=utf-8");
	assert_string_equal(http_static_ctype("kiosk.js"),
	    "text/javascript; charset=utf-8");
	assert_string_equal(http_static_ctype("chart.mjs"),
	    "text/javascript; charset=utf-8");
	assert_string_equal(http_static_ctype("x.css"), "text/css; charset=utf-8");
	assert_string_equal(http_static_ctype("qr.svg"), "image/svg+xml");
	assert_string_equal(http_static_ctype("m.webmanifest"),
	    "application/manifest+json");
	assert_null(http_static_ctype("noext"));
	assert_null(http_static_ctype("dir.js/noext"));
	assert_null(http_static_ctype("x.map"));
	assert_null(http_static_ctype("x.HTML"));
	assert_null(http_static_ctype("x.html.bak"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_files),
		cmocka_unit_test(test_dot_segments),
		cmocka_unit_test(test_encoded_separators),
		cmocka_unit_test(test_bad_escapes_and_names),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_ctypes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
