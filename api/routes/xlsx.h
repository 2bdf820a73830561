/*
 * xlsx.h — the results workbook (GET /api/v1/surveys/{id}/results.xlsx):
 * the same released numbers as results.csv, for people rather than
 * programs: unit names, question texts and option labels in the reader's
 * language, numbers as numbers, a cover sheet with the survey, the range,
 * k and the release note, a summary sheet with a row per group, and a
 * sheet per question with its distribution per group. Written with
 * libxlsxwriter when the build has it (HAVE_XLSXWRITER).
 *
 * The labels come from <www_dir>/export/<lang>.json, one file per
 * language, so that a translator can correct them without reading code.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_ROUTES_XLSX_H
#define PALAUTE_ROUTES_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* What the workbook is made of, gathered on the event loop. */
struct xlsx_input {
	json_t		*xi_doc;	/* the results reply (core/agg.h) */
	json_t		*xi_title;	/* the survey's title in xi_lang */
	json_t		*xi_questions;	/* xlsx_questions() */
	json_t		*xi_names;	/* {"<unit id>": name in xi_lang} */
	json_t		*xi_labels;	/* <www_dir>/export/<lang>.json */
	char		 xi_lang[8];
	char		 xi_today[16];	/* YYYY-MM-DD */
};

/* Whether this build can write workbooks at all. */
bool	xlsx_available(void);

/*
 * The labels of lang from www_dir (*out: new reference). -ENOENT when
 * the file is missing, -EBADMSG when it is not a JSON object.
 */
int	xlsx_labels_load(const char *www_dir, const char *lang, json_t **out);

/*
 * The questions of the shown version as the workbook names them (*out:
 * new reference): [{"id", "type", "text", "labels": [one per slot]}],
 * texts in lang (else Finnish) from the definition def, labels from the
 * parsed version (values, option texts, no/yes from labels).
 */
struct survey;
int	xlsx_questions(const struct survey *ref, const json_t *def,
	    const char *lang, const json_t *labels, json_t **out);

/*
 * The workbook's bytes (*out malloc()ed, *len_out its size). Any thread:
 * it writes through an unnamed temporary file and holds no lock.
 * -ENOTSUP without libxlsxwriter; -EIO when the library fails.
 */
int	xlsx_results(const struct xlsx_input *in, char **out,
	    size_t *len_out);

#endif /* PALAUTE_ROUTES_XLSX_H */
