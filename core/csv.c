/*
 * csv.c — RFC 4180 CSV into a growing buffer, for results.csv.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

static void
csv_put(struct csv *cv, const char *s, size_t n)
{
	size_t	 cap;
	char	*d;

	if (cv->cv_err != 0)
		return;
	if (n > SIZE_MAX / 2 - cv->cv_len) {
		cv->cv_err = -ENOMEM;
		return;
	}
	if (cv->cv_len + n > cv->cv_cap) {
		cap = cv->cv_cap ? cv->cv_cap : 256;
		while (cap < cv->cv_len + n)
			cap *= 2;
		if ((d = realloc(cv->cv_data, cap)) == NULL) {
			cv->cv_err = -ENOMEM;
			return;
		}
		cv->cv_data = d;
		cv->cv_cap = cap;
	}
	memcpy(cv->cv_data + cv->cv_len, s, n);
	cv->cv_len += n;
}

void
csv_init(struct csv *cv, bool bom, enum csv_dialect dialect)
{
	memset(cv, 0, sizeof(*cv));
	cv->cv_sep = dialect == CSV_SEMICOLON ? ';' : ',';
	cv->cv_point = dialect == CSV_SEMICOLON ? ',' : '.';
	if (bom)
		csv_put(cv, CSV_BOM, sizeof(CSV_BOM) - 1);
}

/* The separator before every field but a row's first. */
static void
csv_sep(struct csv *cv)
{
	if (cv->cv_row_open)
		csv_put(cv, &cv->cv_sep, 1);
	cv->cv_row_open = true;
}

void
csv_text(struct csv *cv, const char *s)
{
	size_t	n = strlen(s), i;
	bool	quote = false, guard = false;
	char	special[] = { cv->cv_sep, '"', '\r', '\n', '\0' };

	csv_sep(cv);
	if (n == 0)
		return;
	if (strpbrk(s, special) != NULL || s[0] == ' ' || s[n - 1] == ' ')
		quote = true;
	if (strchr("=+-@\t\r", s[0]) != NULL)
		guard = true;
	if (quote)
		csv_put(cv, "\"", 1);
	if (guard)
		csv_put(cv, "'", 1);
	if (!quote) {
		csv_put(cv, s, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			csv_put(cv, "\"\"", 2);
		else
			csv_put(cv, &s[i], 1);
	}
	csv_put(cv, "\"", 1);
}

void
csv_empty(struct csv *cv)
{
	csv_sep(cv);
}

void
csv_int(struct csv *cv, long long v)
{
	char	buf[32];
	int	n;

	csv_sep(cv);
	n = snprintf(buf, sizeof(buf), "%lld", v);
	if (n > 0 && (size_t)n < sizeof(buf))
		csv_put(cv, buf, (size_t)n);
}

void
csv_uint(struct csv *cv, unsigned long long v)
{
	char	buf[32];
	int	n;

	csv_sep(cv);
	n = snprintf(buf, sizeof(buf), "%llu", v);
	if (n > 0 && (size_t)n < sizeof(buf))
		csv_put(cv, buf, (size_t)n);
}

void
csv_real(struct csv *cv, double v, unsigned decimals)
{
	char	buf[64], *dot, *end;
	int	n;

	csv_sep(cv);
	if (!isfinite(v))
		return;		/* an empty field rather than "nan" */
	if (decimals > 15)
		decimals = 15;
	n = snprintf(buf, sizeof(buf), "%.*f", (int)decimals, v);
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return;
	/* The C locale is never changed in the daemon, but be sure. */
	for (dot = buf; *dot != '\0'; dot++)
		if (*dot == ',')
			*dot = '.';
	if ((dot = strchr(buf, '.')) != NULL) {
		end = buf + n - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
		else
			*dot = cv->cv_point;
	}
	if (strcmp(buf, "-0") == 0)
		memcpy(buf, "0", 2);
	csv_put(cv, buf, strlen(buf));
}

void
csv_end_row(struct csv *cv)
{
	csv_put(cv, "\r\n", 2);
	cv->cv_row_open = false;
}

int
csv_finish(struct csv *cv, char **out, size_t *len_out)
{
	int	ret = cv->cv_err;

	if (ret == 0 && cv->cv_data == NULL &&
	    (cv->cv_data = malloc(1)) == NULL)
		ret = -ENOMEM;
	if (ret != 0) {
		csv_free(cv);
		return ret;
	}
	*out = cv->cv_data;
	*len_out = cv->cv_len;
	memset(cv, 0, sizeof(*cv));
	return 0;
}

void
csv_free(struct csv *cv)
{
	free(cv->cv_data);
	memset(cv, 0, sizeof(*cv));
}
