/*
 * qr.h — QR codes as SVG, rendered with libqrencode, for the links and
 * kiosk enrollment URLs the dashboard prints. The route handler (qr_get,
 * GET /api/v1/qr.svg?text=URL) is in handlers.h.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_ROUTES_QR_H
#define PALAUTE_ROUTES_QR_H

#include <stdbool.h>
#include <stddef.h>

#define QR_TEXT_MAX	512	/* a URL with a code fits many times */
#define QR_QUIET	4	/* modules of white border the standard asks */

/*
 * Whether text may be encoded: at most QR_TEXT_MAX bytes, an http or https
 * URL whose path is one of this service's public pages (/kiosk/ or
 * /f/<slug>), printable ASCII without quotes, spaces or angle brackets.
 * The route renders only such URLs, so it is no general QR printer for
 * whatever an attacker would like a lobby poster to say.
 */
bool	http_qr_text_allowed(const char *text);

/*
 * Render text as an SVG document (ECC level M, 8-bit mode): a viewBox of
 * (width + 2 * QR_QUIET) units, one unit per module, a white background
 * and one black path of unit rectangles, one "M x y h n v1 h-n z" run per
 * horizontal stretch of dark modules. *svg_out is malloc()ed (NUL-ended,
 * *len_out bytes without the NUL); *width_out is the symbol's modules per
 * side. -ENOTSUP when built without libqrencode, -EINVAL when the text
 * cannot be encoded, -ENOMEM.
 */
int	http_qr_svg(const char *text, char **svg_out, size_t *len_out,
	    int *width_out);

#endif /* PALAUTE_ROUTES_QR_H */
