/*
 * test_qr.c — QR codes as SVG (api/routes/qr.c): which texts may be encoded, and
 * that the SVG is the symbol libqrencode made: the right size and every
 * dark module, no more, read back from the path.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif

#include "api/routes/qr.h"

static void
test_allowed(void **state)
{
	char	long_url[QR_TEXT_MAX + 2];
	size_t	n;

	assert_true(http_qr_text_allowed("https://palaute.example.fi/kiosk/"));
	assert_true(http_qr_text_allowed(
	    "https://palaute.example.fi/kiosk/?code=ABCDE-FGHJK"));
	assert_true(http_qr_text_allowed("http://127.0.0.1:8080/f/abcDEF_-123"));
	/* A personal invitation link: the code in the fragment. */
	assert_true(http_qr_text_allowed(
	    "https://[::1]:8443/f/slug#code=ABCD-EFGH-JKMNP"));
	assert_true(http_qr_text_allowed(
	    "https://host/f/slug?lang=sv#code=ABCD-EFGH-JKMNP"));
	assert_true(http_qr_text_allowed("https://host/f/slug?lang=sv"));
	/* Never a code in the query: a proxy's access log would keep it. */
	assert_false(http_qr_text_allowed("https://[::1]:8443/f/slug?code=X"));
	assert_false(http_qr_text_allowed(
	    "https://host/f/slug?lang=fi&code=X"));
	assert_false(http_qr_text_allowed("https://host/f/slug?code"));
	assert_false(http_qr_text_allowed("https://host/f/slug?code=X#code=X"));
	assert_true(http_qr_text_allowed("https://host/f/slug?codes=1"));
	/* A fragment is a code of code symbols, nothing else. */
	assert_false(http_qr_text_allowed("https://host/f/slug#code="));
	assert_false(http_qr_text_allowed("https://host/f/slug#x=1"));
	assert_false(http_qr_text_allowed("https://host/f/slug#code=AB&x"));
	assert_false(http_qr_text_allowed(
	    "https://host/f/slug#code=ABCDEFGHJKMNPQRSTUVWXYZ23456789AB"));
	assert_false(http_qr_text_allowed("https://host/f/slug/more"));
	/* Not ours, not a URL, or not a public page of ours. */
	assert_false(http_qr_text_allowed(""));
	assert_false(http_qr_text_allowed("Call 0401234567 now"));
	assert_false(http_qr_text_allowed("javascript:alert(1)"));
	assert_false(http_qr_text_allowed("ftp://host/kiosk/"));
	assert_false(http_qr_text_allowed("https://host/dashboard/"));
	assert_false(http_qr_text_allowed("https://host/api/v1/session"));
	assert_false(http_qr_text_allowed("https://host/f/"));
	assert_false(http_qr_text_allowed("https://host/f/?x"));
	assert_false(http_qr_text_allowed("https://host/kiosk"));
	assert_false(http_qr_text_allowed("https:///kiosk/"));
	assert_false(http_qr_text_allowed("https://user@host/kiosk/"));
	assert_false(http_qr_text_allowed("https://host/kiosk/ x"));
	assert_false(http_qr_text_allowed("https://host/kiosk/\"><script>"));
	assert_false(http_qr_text_allowed("https://host/kiosk/\xc3\xa4"));
	/* The length bound, at the edge. */
	n = (size_t)snprintf(long_url, sizeof(long_url), "https://h/f/");
	memset(long_url + n, 'a', QR_TEXT_MAX - n);
	long_url[QR_TEXT_MAX] = '\0';
	assert_true(http_qr_text_allowed(long_url));
	long_url[QR_TEXT_MAX] = 'a';
	long_url[QR_TEXT_MAX + 1] = '\0';
	assert_false(http_qr_text_allowed(long_url));
}

#ifdef HAVE_QRENCODE
/* Read the modules back out of the path: "M x y h n v1 h-n z" runs. */
static void
svg_modules(const char *svg, int side, unsigned char *grid)
{
	const char	*p;
	int		 x, y, n, n2, used;

	assert_non_null(p = strstr(svg, " d=\""));
	p += 4;
	while (*p == 'M') {
		assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n,
		    &n2, &used), 4);
		assert_int_equal(n, n2);
		assert_true(x >= 0 && y >= 0 && n > 0 && x + n <= side &&
		    y < side);
		while (n-- > 0) {
			assert_int_equal(grid[y * side + x], 0);	/* once */
			grid[y * side + x++] = 1;
		}
		p += used;
	}
	assert_int_equal(*p, '"');
}

static void
check_symbol(const char *text)
{
	QRcode		*qr;
	unsigned char	*grid;
	char		*svg = NULL, head[64];
	size_t		 len = 0;
	int		 width = 0, side, x, y;

	assert_int_equal(http_qr_svg(text, &svg, &len, &width), 0);
	assert_int_equal(strlen(svg), len);
	assert_non_null(qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M,
	    QR_MODE_8, 1));
	/* 17 + 4 per version modules a side, and the quiet zone around. */
	assert_int_equal(width, qr->width);
	assert_int_equal(width, 17 + 4 * qr->version);
	side = width + 2 * QR_QUIET;
	snprintf(head, sizeof(head), "viewBox=\"0 0 %d %d\"", side, side);
	assert_non_null(strstr(svg, head));
	assert_true(strncmp(svg, "<?xml", 5) == 0);
	assert_non_null(strstr(svg, "</svg>"));
	assert_non_null(grid = calloc((size_t)side * (size_t)side, 1));
	svg_modules(svg, side, grid);
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++) {
			bool	dark = x >= QR_QUIET && y >= QR_QUIET &&
			    x < QR_QUIET + width && y < QR_QUIET + width &&
			    (qr->data[(y - QR_QUIET) * width + x - QR_QUIET] &
			    1);

			if (grid[y * side + x] != dark)
				fail_msg("module %d,%d of \"%s\" differs", x,
				    y, text);
		}
	free(grid);
	QRcode_free(qr);
	free(svg);
}
#endif

static void
test_svg(void **state)
{
#ifdef HAVE_QRENCODE
	char	url[QR_TEXT_MAX + 1];

	check_symbol("https://palaute.example.fi/kiosk/?code=ABCDE-FGHJK");
	check_symbol("http://127.0.0.1:8080/f/abcDEF_-123");
	memset(url, 'A', QR_TEXT_MAX);
	memcpy(url, "https://h/f/", 12);
	url[QR_TEXT_MAX] = '\0';
	check_symbol(url);	/* a big symbol: version 13 or so */
#else
	char	*svg = NULL;
	size_t	 len;
	int	 w;

	assert_int_equal(http_qr_svg("https://h/kiosk/", &svg, &len, &w),
	    -ENOTSUP);
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_svg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
