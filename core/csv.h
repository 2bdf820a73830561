/*
 * csv.h — a growing buffer of RFC 4180 CSV (comma, CRLF, double quotes),
 * UTF-8 with an optional byte-order mark so that Excel reads the encoding.
 * Pure: for the results.csv route and its tests.
 *
 * Two dialects. CSV_COMMA is RFC 4180 with '.' as the decimal point, for
 * programs. CSV_SEMICOLON separates fields with ';' and writes decimals
 * with ',': what a spreadsheet set to Finnish or Swedish (and most other
 * European locales) reads as columns, where a comma file opens as one
 * column of text.
 *
 * Errors are sticky: the first allocation failure is remembered, later
 * calls do nothing, and csv_finish() reports it, so a caller writes a
 * whole document and checks once.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CORE_CSV_H
#define PALAUTE_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum csv_dialect {
	CSV_COMMA,
	CSV_SEMICOLON,
};

struct csv {
	char	*cv_data;
	size_t	 cv_len;
	size_t	 cv_cap;
	char	 cv_sep;	/* ',' or ';' */
	char	 cv_point;	/* the decimal point: '.' or ',' */
	bool	 cv_row_open;	/* a field was written on this row */
	int	 cv_err;
};

#define CSV_BOM	"\xEF\xBB\xBF"

/* An empty document; with bom, it starts with CSV_BOM. */
void	csv_init(struct csv *cv, bool bom, enum csv_dialect dialect);

/*
 * A text field, quoted when it holds the separator, quote, CR or LF, or has
 * spaces at either end (which spreadsheets would drop). A text that a
 * spreadsheet would run as a formula (first character = + - @ TAB CR) is
 * prefixed with an apostrophe (OWASP "CSV injection"): only for text,
 * never for numbers, which go through csv_int/csv_uint/csv_real.
 */
void	csv_text(struct csv *cv, const char *s);
/* An empty field. */
void	csv_empty(struct csv *cv);
void	csv_int(struct csv *cv, long long v);
void	csv_uint(struct csv *cv, unsigned long long v);
/* A real with at most `decimals` digits after the point, trailing zeros
 * removed ("3.9", "4", "-0.5"); the dialect's point whatever the C
 * locale ("3,9" in CSV_SEMICOLON). */
void	csv_real(struct csv *cv, double v, unsigned decimals);
/* End the row with CRLF. */
void	csv_end_row(struct csv *cv);

/*
 * Hand the document over: *out (malloc()ed, the caller frees) and its
 * length, or the sticky error (the buffer is then freed). Resets cv.
 */
int	csv_finish(struct csv *cv, char **out, size_t *len_out);
/* Drop the document (after an error of the caller's own). */
void	csv_free(struct csv *cv);

#endif /* PALAUTE_CORE_CSV_H */
