/*
 * qr.c — QR codes of this service's public URLs as SVG (libqrencode), for
 * the dashboard's kiosk enrollment screen, lobby posters and invitation
 * slips. Codes are shown once and only hashes are kept, so the daemon
 * cannot rebuild a kiosk URL or a personal invitation link later: the
 * dashboard sends the URL it was given, and the route checks that it is
 * one of ours. A personal link carries its code in the fragment; it is
 * taken in a POST body only, never in this route's query, where it would
 * reach the access log of any proxy in front.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif

#include "api/api.h"
#include "api/routes/qr.h"
#include "api/routes/routes.h"
#include "common/codec.h"

static const char *const qr_members[] = { "text", NULL };

#define QR_SLUG_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789_-"
#define QR_CODE_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789-"
#define QR_CODE_MAX	32	/* symbols and dashes of a code */

/*
 * What may follow "/f/": a slug, an optional query with no parameter
 * named code (a code there would be logged), an optional "#code=CODE".
 */
static bool
http_qr_form_path(const char *p)
{
	const char	*end;
	size_t		 n;

	if ((n = strspn(p, QR_SLUG_CHARS)) == 0)
		return false;
	p += n;
	if (*p == '?') {
		end = p + 1 + strcspn(p + 1, "#");
		for (p++; p < end; p += n + (p[n] == '&')) {
			n = strcspn(p, "&#");
			if (strncmp(p, "code", 4) == 0 && (n == 4 ||
			    p[4] == '='))
				return false;
		}
		p = end;
	}
	if (*p == '\0')
		return true;
	if (strncmp(p, "#code=", 6) != 0)
		return false;
	p += 6;
	n = strspn(p, QR_CODE_CHARS);
	return n > 0 && n <= QR_CODE_MAX && p[n] == '\0';
}

bool
http_qr_text_allowed(const char *text)
{
	const char	*p, *host;
	size_t		 n = strlen(text);

	if (n == 0 || n > QR_TEXT_MAX)
		return false;
	for (p = text; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~' || *p == '"' || *p == '\'' ||
		    *p == '<' || *p == '>' || *p == '\\' || *p == '`')
			return false;
	if (strncmp(text, "https://", 8) == 0)
		host = text + 8;
	else if (strncmp(text, "http://", 7) == 0)
		host = text + 7;
	else
		return false;
	/* host[:port], or [v6]:port; no user info. */
	for (p = host; *p != '/' && *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == ':' || *p == '[' || *p == ']'))
			return false;
	if (p == host)
		return false;
	if (strncmp(p, "/kiosk/", 7) == 0)
		return true;
	if (strncmp(p, "/f/", 3) == 0)
		return http_qr_form_path(p + 3);
	return false;
}

#ifdef HAVE_QRENCODE
/* Append to a growing buffer; -ENOMEM or -ERANGE. */
static int
http_qr_put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
http_qr_put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list	 ap;
	char	*nb;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -ERANGE;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return 0;
		}
		if ((nb = realloc(*buf, *cap * 2 + (size_t)n)) == NULL)
			return -ENOMEM;
		*buf = nb;
		*cap = *cap * 2 + (size_t)n;
	}
}
#endif

int
http_qr_svg(const char *text, char **svg_out, size_t *len_out, int *width_out)
{
#ifdef HAVE_QRENCODE
	QRcode		*qr = NULL;
	char		*buf = NULL;
	size_t		 len = 0, cap = 4096;
	int		 x, y, run, w, side, ret = -ENOMEM;

	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1))
	    == NULL) {
		ret = errno == ENOMEM ? -ENOMEM : -EINVAL;
		goto done;
	}
	w = qr->width;
	side = w + 2 * QR_QUIET;
	if ((buf = malloc(cap)) == NULL)
		goto done;
	buf[0] = '\0';
	if ((ret = http_qr_put(&buf, &len, &cap,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", side, side, side * 8, side * 8, side,
	    side)) != 0)
		goto done;
	for (y = 0; y < w; y++) {
		for (x = 0; x < w; x += run) {
			run = 0;
			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			if (run == 0) {
				run = 1;
				continue;
			}
			if ((ret = http_qr_put(&buf, &len, &cap,
			    "M%d %dh%dv1h-%dz",
			    x + QR_QUIET, y + QR_QUIET, run, run)) != 0)
				goto done;
		}
	}
	if ((ret = http_qr_put(&buf, &len, &cap, "\"/></svg>\n")) != 0)
		goto done;
	*svg_out = buf;
	*len_out = len;
	*width_out = w;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	if (qr != NULL)
		QRcode_free(qr);
	return ret;
#else
	return -ENOTSUP;
#endif
}

/* Check text and reply with its QR code, or with why not. */
static void
http_qr_reply(struct api_req *req, const char *text)
{
	char	*svg = NULL;
	size_t	 len = 0;
	int	 width, rc;

	if (!http_qr_text_allowed(text)) {
		api_reply_errorf(req, ERR_INVALID, "text",
		    "only this service's /kiosk/ and /f/<slug> URLs of at "
		    "most %d bytes are rendered, an invitation code only in "
		    "the fragment (#code=)", QR_TEXT_MAX);
		return;
	}
	rc = http_qr_svg(text, &svg, &len, &width);
	if (rc == -ENOTSUP) {
		api_reply_errorf(req, ERR_UNAVAILABLE, NULL,
		    "this palauted was built without libqrencode");
		return;
	}
	if (rc != 0) {
		api_reply_errorf(req, rc == -ENOMEM ? ERR_INTERNAL :
		    ERR_INVALID, "text", "the text cannot be encoded");
		return;
	}
	api_reply_raw(req, 200, "image/svg+xml", svg, len, NULL);
}

void
http_qr_get(struct api_ctx *ctx, struct api_req *req)
{
	char	*text = NULL;
	int	 rc;

	if ((rc = api_query_get(req, "text", &text)) != 0) {
		if (rc == -ENOENT)
			api_reply_errorf(req, ERR_BAD_REQUEST, "text",
			    "give the URL to encode as ?text=");
		else
			api_reply_errorf(req, ERR_BAD_REQUEST, "text",
			    "'text' is not validly encoded");
		goto done;
	}
	/* A personal link's code would sit in this request's query. */
	if (strchr(text, '#') != NULL) {
		api_reply_errorf(req, ERR_INVALID, "text",
		    "a URL with a fragment is rendered from POST "
		    "/api/v1/qr.svg {\"text\"} only, so that its code never "
		    "stands in a query a log may keep");
		goto done;
	}
	http_qr_reply(req, text);
done:
	free(text);
}

void
http_qr_post(struct api_ctx *ctx, struct api_req *req)
{
	struct error	 err;
	const char	*text = NULL;
	json_t		*in = NULL;

	memset(&err, 0, sizeof(err));
	if (api_body_object(req, &in, &err) != 0 ||
	    codec_only(in, qr_members, "", &err) != 0 ||
	    codec_str(in, "text", true, QR_TEXT_MAX * 4, &text, &err) != 0) {
		if (err.er_code == ERR_NONE)
			error_set(&err, ERR_INTERNAL, NULL, "out of memory");
		api_reply_error(req, &err);
		goto done;
	}
	http_qr_reply(req, text);
done:
	json_decref(in);
}
