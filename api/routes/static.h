/*
 * static.h — the web clients' files (kiosk, form, dashboard) and Debian's
 * Chart.js, served from fixed roots with a path check that lets nothing
 * out of its root: no dot segments, no encoded separators, no symlink that
 * resolves outside. The route handlers are in handlers.h.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_ROUTES_STATIC_H
#define PALAUTE_ROUTES_STATIC_H

#include <stddef.h>

/* Largest file served: Chart.js is 0.5 MiB; nothing of ours is near. */
#define STATIC_MAX_FILE	(8u << 20)

/*
 * Resolve the request path remainder raw (still percent-encoded, as the
 * router captured it) below root/sub ("" for root itself) into the
 * canonical path of a regular file, written to out. An empty remainder or
 * one ending in '/' means index.html. Returns -ENOENT for anything that is
 * not a servable file: a bad escape, an encoded '/' or '\', a segment that
 * is empty or starts with '.', a character outside [A-Za-z0-9._-], an
 * extension http_static_ctype() does not know, a missing file, a directory, or
 * a path whose realpath() is not inside realpath(root/sub). -ENAMETOOLONG
 * when the result does not fit.
 */
int		 http_static_resolve(const char *root, const char *sub,
		    const char *raw, char *out, size_t outlen);

/* The Content-Type for a file name by its extension; NULL if not served. */
const char	*http_static_ctype(const char *name);

#endif /* PALAUTE_ROUTES_STATIC_H */
