/*
 * xlsx.c — the results workbook (api/routes/xlsx.h).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif

#include "api/routes/xlsx.h"
#include "common/log.h"
#include "common/util.h"
#include "core/qtype.h"
#include "core/survey.h"

/* A labels file is a page of text; anything larger is not one. */
#define XLSX_LABELS_MAX		(64 * 1024)
/* Excel's limit on a sheet name. */
#define XLSX_SHEET_NAME_MAX	31

bool
xlsx_available(void)
{
#ifdef HAVE_XLSXWRITER
	return true;
#else
	return false;
#endif
}

int
xlsx_labels_load(const char *www_dir, const char *lang, json_t **out)
{
	char		 path[PATH_MAX];
	void		*buf = NULL;
	size_t		 len = 0;
	json_t		*obj = NULL;
	int		 ret;

	if ((ret = util_snprintf(path, sizeof(path), "%s/export/%s.json",
	    www_dir, lang)) != 0)
		goto done;
	if ((ret = util_read_file(path, XLSX_LABELS_MAX, &buf, &len)) != 0) {
		log_warnx("results.xlsx: %s: %s", path, strerror(-ret));
		goto done;
	}
	if ((obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL || !json_is_object(obj)) {
		log_warnx("results.xlsx: %s is not a JSON object", path);
		ret = -EBADMSG;
		goto done;
	}
	*out = obj;
	obj = NULL;
	ret = 0;
done:
	json_decref(obj);
	free(buf);
	return ret;
}

/* A label of the file, or its key when a translator left it out. */
static const char *
xlsx_label(const json_t *labels, const char *key)
{
	const char	*s = json_string_value(json_object_get(labels, key));

	return s != NULL ? s : key;
}

/* An i18n text in lang, else Finnish (every definition has it), else "". */
static const char *
xlsx_text(const json_t *i18n, const char *lang)
{
	const char	*s;

	if ((s = survey_lang_text(i18n, lang)) == NULL &&
	    (s = survey_lang_text(i18n, "fi")) == NULL)
		s = "";
	return s;
}

/* The question of id in a definition's "questions", or NULL. */
static const json_t *
xlsx_def_question(const json_t *def, const char *id)
{
	const json_t	*q;
	size_t		 i;

	json_array_foreach(json_object_get(def, "questions"), i, q)
		if (strcmp(json_string_value(json_object_get(q, "id")) ?
		    json_string_value(json_object_get(q, "id")) : "", id) == 0)
			return q;
	return NULL;
}

/* The label of one slot of question qi. */
static json_t *
xlsx_slot_label(const struct survey *ref, size_t qi, const json_t *dq,
    size_t slot, const char *lang, const json_t *labels)
{
	const json_t	*opt;
	const char	*id;
	char		 buf[32];
	int		 base = 0;
	size_t		 i;

	switch (survey_question_type(ref, qi)) {
	case QTYPE_SMILEY:
	case QTYPE_SCALE:
	case QTYPE_NPS:
		(void)survey_question_base(ref, qi, &base);
		snprintf(buf, sizeof(buf), "%d", base + (int)slot);
		return json_string(buf);
	case QTYPE_CHOICE:
	case QTYPE_MULTI:
		if ((id = survey_question_option(ref, qi, slot)) == NULL)
			return json_string("");
		json_array_foreach(json_object_get(dq, "options"), i, opt)
			if (json_string_value(json_object_get(opt, "id")) &&
			    strcmp(json_string_value(json_object_get(opt,
			    "id")), id) == 0)
				return json_string(xlsx_text(json_object_get(
				    opt, "text"), lang));
		return json_string(id);
	case QTYPE_YESNO:
		return json_string(xlsx_label(labels, slot == 0 ? "no" :
		    "yes"));
	default:
		return json_string("");
	}
}

int
xlsx_questions(const struct survey *ref, const json_t *def, const char *lang,
    const json_t *labels, json_t **out)
{
	const json_t	*dq;
	json_t		*arr = NULL, *q = NULL, *ls = NULL;
	const char	*id;
	size_t		 qi, slot, nslots;
	int		 ret;

	if ((arr = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (qi = 0; qi < survey_question_count(ref); qi++) {
		id = survey_question_id(ref, qi);
		dq = xlsx_def_question(def, id);
		if ((ls = json_array()) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		nslots = survey_question_type(ref, qi) == QTYPE_TEXT ? 0 :
		    survey_question_slots(ref, qi);
		for (slot = 0; slot < nslots; slot++)
			if (json_array_append_new(ls, xlsx_slot_label(ref, qi,
			    dq, slot, lang, labels)) != 0) {
				ret = -ENOMEM;
				goto done;
			}
		q = json_pack("{s:s, s:s, s:s, s:o}", "id", id, "type",
		    qtype_name(survey_question_type(ref, qi)), "text",
		    xlsx_text(json_object_get(dq, "text"), lang), "labels", ls);
		ls = NULL;
		if (q == NULL || json_array_append_new(arr, q) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	}
	*out = arr;
	arr = NULL;
	ret = 0;
done:
	json_decref(ls);
	json_decref(arr);
	return ret;
}

#ifdef HAVE_XLSXWRITER

/* The formats of the workbook, made once. */
struct xlsx_formats {
	lxw_format	*xf_bold;
	lxw_format	*xf_wrap;
	lxw_format	*xf_dec2;	/* mean */
	lxw_format	*xf_dec1;	/* median */
};

/*
 * A sheet name Excel takes: at most 31 characters (here: bytes, cut at a
 * character boundary), none of []:*?/\, unique in the workbook (the
 * caller numbers the question sheets).
 */
static void
xlsx_sheet_name(const char *prefix, const char *text, char *buf,
    size_t size)
{
	size_t	 i, o = 0, cut;
	char	 c;

	snprintf(buf, size, "%s%s%s", prefix, *prefix != '\0' ? " " : "",
	    text);
	for (i = 0; buf[i] != '\0'; i++) {
		c = buf[i];
		buf[o++] = strchr("[]:*?/\\", c) != NULL ? ' ' : c;
	}
	buf[o] = '\0';
	if (o > XLSX_SHEET_NAME_MAX) {
		/* Back to the start of a UTF-8 character. */
		for (cut = XLSX_SHEET_NAME_MAX; cut > 0 &&
		    ((unsigned char)buf[cut] & 0xc0) == 0x80; cut--)
			;
		buf[cut] = '\0';
	}
}

/* "Name (own)" of a group, from the names gathered on the loop. */
static void
xlsx_group_name(const struct xlsx_input *in, const json_t *g, char *buf,
    size_t size)
{
	char		 id[16];
	const char	*name;

	snprintf(id, sizeof(id), "%lld",
	    (long long)json_integer_value(json_object_get(g, "unit")));
	if ((name = json_string_value(json_object_get(in->xi_names, id))) ==
	    NULL)
		name = id;
	snprintf(buf, size, "%s%s%s", name,
	    json_is_true(json_object_get(g, "own")) ? " " : "",
	    json_is_true(json_object_get(g, "own")) ?
	    xlsx_label(in->xi_labels, "own") : "");
}

/* A number, or an empty cell for a statistic without answers (null). */
static void
xlsx_number(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
    const json_t *v, lxw_format *f)
{
	if (json_is_number(v))
		worksheet_write_number(ws, row, col, json_number_value(v), f);
}

static void
xlsx_cover(lxw_workbook *wb, const struct xlsx_input *in,
    const struct xlsx_formats *xf)
{
	const json_t	*doc = in->xi_doc, *l = in->xi_labels, *v;
	lxw_worksheet	*ws;
	char		 name[64], key[32], note[1024], num[16];
	const char	*tmpl, *p;
	json_int_t	 k = json_integer_value(json_object_get(doc, "k"));
	lxw_row_t	 r = 0;
	size_t		 i, o;

	xlsx_sheet_name("", xlsx_label(l, "cover"), name, sizeof(name));
	ws = workbook_add_worksheet(wb, name);
	worksheet_set_column(ws, 0, 0, 34, NULL);
	worksheet_set_column(ws, 1, 1, 60, xf->xf_wrap);
	worksheet_write_string(ws, r++, 0, xlsx_label(l, "title"),
	    xf->xf_bold);
	r++;
	snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(
	    json_object_get(doc, "survey")));
	worksheet_write_string(ws, r, 0, xlsx_label(l, "survey"), xf->xf_bold);
	worksheet_write_string(ws, r++, 1, json_string_value(in->xi_title) ?
	    json_string_value(in->xi_title) : num, NULL);
	xlsx_group_name(in, doc, name, sizeof(name));
	worksheet_write_string(ws, r, 0, xlsx_label(l, "unit"), xf->xf_bold);
	worksheet_write_string(ws, r++, 1, name, NULL);
	worksheet_write_string(ws, r, 0, xlsx_label(l, "from"), xf->xf_bold);
	worksheet_write_string(ws, r++, 1, json_string_value(json_object_get(
	    doc, "from")), NULL);
	worksheet_write_string(ws, r, 0, xlsx_label(l, "to"), xf->xf_bold);
	worksheet_write_string(ws, r++, 1, json_string_value(json_object_get(
	    doc, "to")), NULL);
	snprintf(key, sizeof(key), "by_%s", json_string_value(
	    json_object_get(doc, "by")));
	worksheet_write_string(ws, r, 0, xlsx_label(l, "by"), xf->xf_bold);
	worksheet_write_string(ws, r++, 1, xlsx_label(l, key), NULL);
	worksheet_write_string(ws, r, 0, xlsx_label(l, "period"), xf->xf_bold);
	worksheet_write_string(ws, r++, 1, xlsx_label(l, json_string_value(
	    json_object_get(doc, "period"))), NULL);
	o = 0;
	name[0] = '\0';
	json_array_foreach(json_object_get(doc, "versions"), i, v)
		if (o < sizeof(name))
			o += (size_t)snprintf(name + o, sizeof(name) - o,
			    "%s%lld", i ? ", " : "",
			    (long long)json_integer_value(v));
	worksheet_write_string(ws, r, 0, xlsx_label(l, "versions"),
	    xf->xf_bold);
	worksheet_write_string(ws, r++, 1, name, NULL);
	worksheet_write_string(ws, r, 0, xlsx_label(l, "k"), xf->xf_bold);
	worksheet_write_number(ws, r++, 1, (double)k, NULL);
	worksheet_write_string(ws, r, 0, xlsx_label(l, "k_comments"),
	    xf->xf_bold);
	worksheet_write_number(ws, r++, 1, (double)json_integer_value(
	    json_object_get(doc, "k_comments")), NULL);
	worksheet_write_string(ws, r, 0, xlsx_label(l, "generated"),
	    xf->xf_bold);
	worksheet_write_string(ws, r++, 1, in->xi_today, NULL);
	r++;
	/* The release note, {k} and {k_minus_1} filled in. */
	tmpl = xlsx_label(l, "note");
	for (p = tmpl, o = 0; *p != '\0' && o + 24 < sizeof(note); ) {
		if (strncmp(p, "{k_minus_1}", 11) == 0) {
			o += (size_t)snprintf(note + o, sizeof(note) - o,
			    "%lld", (long long)(k - 1));
			p += 11;
		} else if (strncmp(p, "{k}", 3) == 0) {
			o += (size_t)snprintf(note + o, sizeof(note) - o,
			    "%lld", (long long)k);
			p += 3;
		} else
			note[o++] = *p++;
	}
	note[o] = '\0';
	worksheet_merge_range(ws, r, 0, r, 1, note, xf->xf_wrap);
	worksheet_set_row(ws, r, 48, NULL);
}

/* The statistics a summary shows of a type, beside "answered". */
static const char *const *
xlsx_summary_stats(const char *type)
{
	static const char *const smiley[] = { "mean", "csat", NULL };
	static const char *const scale[] = { "mean", "median", NULL };
	static const char *const nps[] = { "nps", NULL };
	static const char *const text[] = { "comments", NULL };
	static const char *const none[] = { NULL };

	if (strcmp(type, "smiley") == 0)
		return smiley;
	if (strcmp(type, "scale") == 0)
		return scale;
	if (strcmp(type, "nps") == 0)
		return nps;
	if (strcmp(type, "text") == 0)
		return text;
	return none;
}

static lxw_format *
xlsx_stat_format(const struct xlsx_formats *xf, const char *stat)
{
	if (strcmp(stat, "mean") == 0)
		return xf->xf_dec2;
	if (strcmp(stat, "median") == 0)
		return xf->xf_dec1;
	return NULL;
}

/* The group's first columns: unit, from, to. */
static void
xlsx_group_head(lxw_worksheet *ws, lxw_row_t r,
    const struct xlsx_input *in, const json_t *g)
{
	char	name[256];

	xlsx_group_name(in, g, name, sizeof(name));
	worksheet_write_string(ws, r, 0, name, NULL);
	worksheet_write_string(ws, r, 1, json_string_value(json_object_get(g,
	    "from")), NULL);
	worksheet_write_string(ws, r, 2, json_string_value(json_object_get(g,
	    "to")), NULL);
}

static void
xlsx_head3(lxw_worksheet *ws, const json_t *l, lxw_format *bold)
{
	worksheet_set_column(ws, 0, 0, 32, NULL);
	worksheet_set_column(ws, 1, 2, 11, NULL);
	worksheet_write_string(ws, 0, 0, xlsx_label(l, "unit"), bold);
	worksheet_write_string(ws, 0, 1, xlsx_label(l, "from"), bold);
	worksheet_write_string(ws, 0, 2, xlsx_label(l, "to"), bold);
}

static void
xlsx_summary(lxw_workbook *wb, const struct xlsx_input *in,
    const struct xlsx_formats *xf)
{
	const json_t		*l = in->xi_labels, *q, *g, *st;
	const char *const	*stats;
	const char		*id, *type;
	lxw_worksheet		*ws;
	char			 name[64], head[512];
	lxw_col_t		 c;
	lxw_row_t		 r;
	size_t			 i, gi, s;

	xlsx_sheet_name("", xlsx_label(l, "summary"), name, sizeof(name));
	ws = workbook_add_worksheet(wb, name);
	xlsx_head3(ws, l, xf->xf_bold);
	worksheet_write_string(ws, 0, 3, xlsx_label(l, "n"), xf->xf_bold);
	c = 4;
	json_array_foreach(in->xi_questions, i, q) {
		type = json_string_value(json_object_get(q, "type"));
		snprintf(head, sizeof(head), "%s: %s", json_string_value(
		    json_object_get(q, "text")), xlsx_label(l, strcmp(type,
		    "text") == 0 ? "comments" : "answered"));
		if (strcmp(type, "text") != 0)
			worksheet_write_string(ws, 0, c++, head, xf->xf_wrap);
		for (stats = xlsx_summary_stats(type); *stats != NULL;
		    stats++) {
			snprintf(head, sizeof(head), "%s: %s",
			    json_string_value(json_object_get(q, "text")),
			    xlsx_label(l, *stats));
			worksheet_write_string(ws, 0, c++, head, xf->xf_wrap);
		}
	}
	worksheet_set_row(ws, 0, 60, NULL);
	r = 1;
	json_array_foreach(json_object_get(in->xi_doc, "groups"), gi, g) {
		xlsx_group_head(ws, r, in, g);
		xlsx_number(ws, r, 3, json_object_get(g, "n"), NULL);
		c = 4;
		json_array_foreach(in->xi_questions, i, q) {
			id = json_string_value(json_object_get(q, "id"));
			type = json_string_value(json_object_get(q, "type"));
			st = json_object_get(json_object_get(g, "questions"),
			    id);
			if (strcmp(type, "text") != 0)
				xlsx_number(ws, r, c++, json_object_get(st,
				    "answered"), NULL);
			stats = xlsx_summary_stats(type);
			for (s = 0; stats[s] != NULL; s++, c++)
				xlsx_number(ws, r, c, json_object_get(st,
				    stats[s]), xlsx_stat_format(xf, stats[s]));
		}
		r++;
	}
}

/* A sheet per question with a distribution: its counts per group. */
static void
xlsx_question(lxw_workbook *wb, const struct xlsx_input *in,
    const struct xlsx_formats *xf, size_t qn, const json_t *q)
{
	const json_t	*l = in->xi_labels, *g, *lab, *st;
	const char	*id = json_string_value(json_object_get(q, "id"));
	lxw_worksheet	*ws;
	char		 name[64], prefix[16];
	lxw_row_t	 r;
	size_t		 gi, s;

	snprintf(prefix, sizeof(prefix), "%zu", qn);
	xlsx_sheet_name(prefix, json_string_value(json_object_get(q, "text")),
	    name, sizeof(name));
	ws = workbook_add_worksheet(wb, name);
	xlsx_head3(ws, l, xf->xf_bold);
	worksheet_write_string(ws, 0, 3, xlsx_label(l, "answered"),
	    xf->xf_bold);
	json_array_foreach(json_object_get(q, "labels"), s, lab)
		worksheet_write_string(ws, 0, (lxw_col_t)(4 + s),
		    json_string_value(lab), xf->xf_wrap);
	worksheet_set_row(ws, 0, 45, NULL);
	r = 1;
	json_array_foreach(json_object_get(in->xi_doc, "groups"), gi, g) {
		st = json_object_get(json_object_get(g, "questions"), id);
		xlsx_group_head(ws, r, in, g);
		xlsx_number(ws, r, 3, json_object_get(st, "answered"), NULL);
		json_array_foreach(json_object_get(st, "counts"), s, lab)
			xlsx_number(ws, r, (lxw_col_t)(4 + s), lab, NULL);
		r++;
	}
}

int
xlsx_results(const struct xlsx_input *in, char **out, size_t *len_out)
{
	struct xlsx_formats	 xf;
	lxw_workbook		*wb = NULL;
	const json_t		*q;
	const char		*tmp;
	char			 tmpl[PATH_MAX], path[64];
	char			*buf = NULL;
	struct stat		 sb;
	ssize_t			 n;
	size_t			 i, qn = 0, got;
	int			 fd = -1, ret;

	/*
	 * libxlsxwriter writes to a file name. The file is made and unlinked
	 * at once, and written through its /proc link: the workbook never
	 * has a name another process could open.
	 */
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((ret = util_snprintf(tmpl, sizeof(tmpl), "%s/palaute-xlsx-XXXXXX",
	    tmp)) != 0)
		goto done;
	if ((fd = mkstemp(tmpl)) == -1) {
		ret = -errno;
		goto done;
	}
	(void)unlink(tmpl);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((wb = workbook_new(path)) == NULL) {
		ret = -EIO;
		goto done;
	}
	xf.xf_bold = workbook_add_format(wb);
	format_set_bold(xf.xf_bold);
	xf.xf_wrap = workbook_add_format(wb);
	format_set_text_wrap(xf.xf_wrap);
	format_set_align(xf.xf_wrap, LXW_ALIGN_VERTICAL_TOP);
	xf.xf_dec2 = workbook_add_format(wb);
	format_set_num_format(xf.xf_dec2, "0.00");
	xf.xf_dec1 = workbook_add_format(wb);
	format_set_num_format(xf.xf_dec1, "0.0");
	xlsx_cover(wb, in, &xf);
	xlsx_summary(wb, in, &xf);
	json_array_foreach(in->xi_questions, i, q)
		if (json_array_size(json_object_get(q, "labels")) > 0)
			xlsx_question(wb, in, &xf, ++qn, q);
	ret = workbook_close(wb) == LXW_NO_ERROR ? 0 : -EIO;
	wb = NULL;
	if (ret != 0)
		goto done;
	if (fstat(fd, &sb) == -1) {
		ret = -errno;
		goto done;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (got = 0; got < (size_t)sb.st_size; got += (size_t)n)
		if ((n = pread(fd, buf + got, (size_t)sb.st_size - got,
		    (off_t)got)) <= 0) {
			ret = n == 0 ? -EIO : -errno;
			goto done;
		}
	*out = buf;
	*len_out = got;
	buf = NULL;
	ret = 0;
done:
	if (wb != NULL)
		(void)workbook_close(wb);
	if (fd != -1)
		close(fd);
	free(buf);
	return ret;
}

#else	/* !HAVE_XLSXWRITER */

int
xlsx_results(const struct xlsx_input *in, char **out, size_t *len_out)
{
	(void)in;
	(void)out;
	(void)len_out;
	return -ENOTSUP;
}

#endif
