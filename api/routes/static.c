/*
 * static.c — the web clients' files: /kiosk/, /f/<slug>, /dashboard/,
 * /assets/ (shared by the three) and /vendor/chart.js/ (Debian's
 * libjs-chart.js). Every file goes through http_static_resolve(), which admits
 * only plain names below a fixed root and checks where symlinks lead.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/router.h"
#include "api/routes/routes.h"
#include "api/routes/static.h"
#include "common/util.h"

/*
 * The pages load scripts and styles from this origin only, never inline;
 * images may also be blob: URLs (QR codes fetched with the bearer token).
 * Nothing may frame the pages: a framed kiosk invites click-jacking.
 */
#define STATIC_CSP \
	"default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' blob:; connect-src 'self'; font-src 'self'; " \
	"worker-src 'self'; manifest-src 'self'; object-src 'none'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* No camera, microphone or location: a feedback page never needs them. */
#define STATIC_PERMISSIONS \
	"camera=(), microphone=(), geolocation=(), payment=(), usb=()"

/*
 * Our own files are revalidated on every use (ETag makes that a 304), so
 * an upgrade never mixes a new page with old scripts; Chart.js changes
 * only with a Debian package upgrade, so a day of caching is safe.
 */
#define STATIC_CACHE_OWN	"no-cache"
#define STATIC_CACHE_VENDOR	"public, max-age=86400"

static const struct {
	const char	*st_ext;
	const char	*st_ctype;
} static_types[] = {
	{ ".html",		"text/html; charset=utf-8" },
	{ ".css",		"text/css; charset=utf-8" },
	{ ".js",		"text/javascript; charset=utf-8" },
	{ ".mjs",		"text/javascript; charset=utf-8" },
	{ ".json",		"application/json" },
	{ ".webmanifest",	"application/manifest+json" },
	{ ".svg",		"image/svg+xml" },
	{ ".png",		"image/png" },
	{ ".ico",		"image/x-icon" },
	{ ".woff2",		"font/woff2" },
	{ ".txt",		"text/plain; charset=utf-8" },
};

const char *
http_static_ctype(const char *name)
{
	const char	*dot, *slash;
	size_t		 i;

	slash = strrchr(name, '/');
	dot = strrchr(slash != NULL ? slash : name, '.');
	if (dot == NULL)
		return NULL;
	for (i = 0; i < sizeof(static_types) / sizeof(static_types[0]); i++)
		if (strcmp(dot, static_types[i].st_ext) == 0)
			return static_types[i].st_ctype;
	return NULL;
}

static bool
http_static_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * A relative path of plain names: segments of [A-Za-z0-9._-] that are not
 * empty and do not start with '.', so "..", "." and hidden files are out
 * before the file system is asked anything.
 */
static bool
http_static_plain(const char *rel)
{
	const char	*p = rel;

	if (*p == '\0')
		return false;
	for (;;) {
		if (*p == '.' || *p == '/' || *p == '\0')
			return false;
		while (*p != '/' && *p != '\0') {
			if (!http_static_name_char((unsigned char)*p))
				return false;
			p++;
		}
		if (*p == '\0')
			return true;
		p++;
	}
}

int
http_static_resolve(const char *root, const char *sub, const char *raw,
    char *out,
    size_t outlen)
{
	char		 base[PATH_MAX], want[PATH_MAX], *rel = NULL;
	char		*rbase = NULL, *rfile = NULL;
	const char	*p;
	struct stat	 sb;
	size_t		 n, blen;
	int		 ret = -ENOENT;

	if (root == NULL || root[0] == '\0')
		goto done;
	/* An encoded separator would let a name smuggle in a directory. */
	for (p = raw; (p = strchr(p, '%')) != NULL; p++)
		if (p[1] != '\0' && (strncmp(p + 1, "2f", 2) == 0 ||
		    strncmp(p + 1, "2F", 2) == 0 || strncmp(p + 1, "5c", 2)
		    == 0 || strncmp(p + 1, "5C", 2) == 0))
			goto done;
	if (router_decode(raw, strlen(raw), false, &rel) != 0)
		goto done;
	n = strlen(rel);
	if (n == 0 || rel[n - 1] == '/') {
		char	*idx;

		if ((idx = malloc(n + sizeof("index.html"))) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		memcpy(idx, rel, n);
		memcpy(idx + n, "index.html", sizeof("index.html"));
		free(rel);
		rel = idx;
	}
	if (!http_static_plain(rel) || http_static_ctype(rel) == NULL)
		goto done;
	if ((ret = util_snprintf(base, sizeof(base), "%s%s%s", root,
	    sub[0] != '\0' ? "/" : "", sub)) != 0 ||
	    (ret = util_snprintf(want, sizeof(want), "%s/%s", base, rel)) != 0)
		goto done;
	ret = -ENOENT;
	/* Symlinks may be used inside the root (Debian's Chart.js has
	 * some), but where they lead must still be inside it. */
	if ((rbase = realpath(base, NULL)) == NULL ||
	    (rfile = realpath(want, NULL)) == NULL)
		goto done;
	blen = strlen(rbase);
	if (strncmp(rfile, rbase, blen) != 0 ||
	    (rfile[blen] != '/' && !(blen == 1 && rbase[0] == '/')))
		goto done;
	if (stat(rfile, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto done;
	if ((ret = util_snprintf(out, outlen, "%s", rfile)) != 0)
		goto done;
	ret = 0;
done:
	free(rel);
	free(rbase);
	free(rfile);
	return ret;
}

/* Read path (already resolved) into a malloc()ed buffer, with its ETag. */
static int
http_static_read(const char *path, char **buf_out, size_t *len_out, char *etag,
    size_t etaglen)
{
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd = -1, ret = -ENOENT;

	/*
	 * O_NOFOLLOW: the path is canonical, so a symlink here means the
	 * tree changed since http_static_resolve() looked; refuse rather than
	 * follow it.
	 */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		goto done;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto done;
	if ((uint64_t)sb.st_size > STATIC_MAX_FILE) {
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
		if (n <= 0) {
			ret = -EIO;
			goto done;
		}
		off += (size_t)n;
	}
	if ((ret = util_snprintf(etag, etaglen, "W/\"%llx-%llx\"",
	    (unsigned long long)sb.st_size,
	    (unsigned long long)sb.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)sb.st_mtim.tv_nsec)) != 0)
		goto done;
	*buf_out = buf;
	*len_out = off;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	if (fd != -1)
		close(fd);
	return ret;
}

/* Does an If-None-Match header list this ETag (or "*")? */
static bool
http_static_etag_match(const char *inm, const char *etag)
{
	const char	*p;
	size_t		 n = strlen(etag);

	if (inm == NULL)
		return false;
	if (strcmp(inm, "*") == 0)
		return true;
	for (p = inm; (p = strstr(p, etag)) != NULL; p += n)
		if (p[n] == '\0' || p[n] == ',' || p[n] == ' ')
			return true;
	return false;
}

static void
http_static_not_found(struct api_req *req)
{
	api_reply_errorf(req, ERR_NOT_FOUND, NULL, "no such file");
}

/* Serve raw (the undecoded rest of the path) from root/sub. */
static void
http_static_serve(struct api_req *req, const char *root, const char *sub,
    const char *raw, const char *cache)
{
	char		 path[PATH_MAX], etag[64], *body = NULL;
	const char	*ctype;
	size_t		 len = 0;
	int		 rc;

	if ((rc = http_static_resolve(root, sub, raw, path, sizeof(path))) != 0
	    ||
	    (rc = http_static_read(path, &body, &len, etag,
	    sizeof(etag))) != 0) {
		if (rc == -ENOMEM)
			api_reply_errorf(req, ERR_INTERNAL, NULL,
			    "out of memory");
		else
			http_static_not_found(req);
		return;
	}
	ctype = http_static_ctype(path);
	if (http_static_etag_match(req->rq_if_none_match, etag)) {
		free(body);
		api_reply_raw(req, 304, NULL, NULL, 0, "ETag", etag,
		    "Cache-Control", cache, NULL);
		return;
	}
	/* For HEAD too: the daemon sends the length, not the body. */
	api_reply_raw(req, 200, ctype, body, len,
	    "Content-Security-Policy", STATIC_CSP,
	    "Permissions-Policy", STATIC_PERMISSIONS,
	    "Cross-Origin-Opener-Policy", "same-origin",
	    "Cache-Control", cache,
	    "ETag", etag, NULL);
}

/* The rest of the path captured by a route ending in "*". */
static const char *
http_static_rest(const struct api_req *req)
{
	return req->rq_nparams > 0 ? req->rq_params[req->rq_nparams - 1] : "";
}

/* Redirect to where, keeping the query (a kiosk link carries ?code=). */
static void
http_static_redirect(struct api_req *req, const char *where)
{
	char	loc[2048];

	if (util_snprintf(loc, sizeof(loc), "%s%s%s", where,
	    req->rq_query != NULL ? "?" : "",
	    req->rq_query != NULL ? req->rq_query : "") != 0) {
		api_reply_errorf(req, ERR_BAD_REQUEST, NULL,
		    "the query is too long");
		return;
	}
	api_reply_raw(req, 302, NULL, NULL, 0, "Location", loc, NULL);
}

void
http_static_root(struct api_ctx *ctx, struct api_req *req)
{
	http_static_redirect(req, "/dashboard/");
}

void
http_static_slash(struct api_ctx *ctx, struct api_req *req)
{
	char	where[64];

	/* Only the fixed routes "/kiosk" and "/dashboard" come here. */
	if (util_snprintf(where, sizeof(where), "%s/", req->rq_path) != 0) {
		http_static_not_found(req);
		return;
	}
	http_static_redirect(req, where);
}

void
http_static_kiosk(struct api_ctx *ctx, struct api_req *req)
{
	http_static_serve(req, ctx->ac_limits.al_www_dir, "kiosk",
	    http_static_rest(req),
	    STATIC_CACHE_OWN);
}

void
http_static_dashboard(struct api_ctx *ctx, struct api_req *req)
{
	http_static_serve(req, ctx->ac_limits.al_www_dir, "dashboard",
	    http_static_rest(req), STATIC_CACHE_OWN);
}

void
http_static_assets(struct api_ctx *ctx, struct api_req *req)
{
	http_static_serve(req, ctx->ac_limits.al_www_dir, "assets",
	    http_static_rest(req), STATIC_CACHE_OWN);
}

void
http_static_form(struct api_ctx *ctx, struct api_req *req)
{
	/* Every slug gets the same page; it asks the API for its survey. */
	http_static_serve(req, ctx->ac_limits.al_www_dir, "form", "index.html",
	    STATIC_CACHE_OWN);
}

void
http_static_form_assets(struct api_ctx *ctx, struct api_req *req)
{
	http_static_serve(req, ctx->ac_limits.al_www_dir, "form",
	    http_static_rest(req),
	    STATIC_CACHE_OWN);
}

void
http_static_chartjs(struct api_ctx *ctx, struct api_req *req)
{
	http_static_serve(req, ctx->ac_limits.al_chartjs_dir, "",
	    http_static_rest(req),
	    STATIC_CACHE_VENDOR);
}
