/*
 * test_comments.c — the comments index on a real store in a temporary
 * directory: steps complete at exactly kc texts and are numbered on, the
 * pending texts are never read, groups stay apart, a month's shred takes
 * that month's entries and no other, the index is built once from the
 * records of an older store, rebuild leaves it be, verify checks the size
 * of every step, pending entries of the older JSON layout are read and a
 * damaged one is refused, and no text reaches the disk unsealed.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "common/util.h"
#include "core/catalog.h"
#include "core/comments.h"
#include "core/period.h"
#include "core/rebuild.h"
#include "core/survey.h"
#include "core/units.h"
#include "core/verify.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

#define D(y, m, d)	util_days_from_civil((y), (m), (d))
#define KC		3	/* the fixture survey's step of comments */
#define MAXTEXTS	64

struct fx {
	char			 dir[256];
	char			 state[300];
	struct storage_opts	 o;
	struct storage		*st;
	uint32_t		 survey;
	uint32_t		 unit;
	uint32_t		 parent;
};

/* Questions: s (smiley), t and u (text); k 3, kc 3, kept by month. */
static const char survey_def[] =
    "{\"title\": {\"fi\": \"T\"}, \"audience\": \"client\","
    " \"languages\": [\"fi\"], \"questions\": ["
    "  {\"id\": \"s\", \"type\": \"smiley\", \"required\": true,"
    "   \"text\": {\"fi\": \"S\"}},"
    "  {\"id\": \"t\", \"type\": \"text\", \"text\": {\"fi\": \"T\"}},"
    "  {\"id\": \"u\", \"type\": \"text\", \"text\": {\"fi\": \"U\"}}],"
    " \"privacy\": {\"controller\": {\"fi\": \"C\"}, \"purpose\": {\"fi\":"
    "  \"P\"}, \"contact\": \"c@example.org\", \"retention_months\": 24,"
    "  \"voluntary\": true, \"anonymous\": true}, \"period\": \"month\","
    " \"min_group\": 3, \"min_group_comments\": 3}";

static int
setup(void **state)
{
	struct storage_txn	*txn = NULL;
	struct error		 err;
	struct fx		*f;
	json_t			*def, *name;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->o.so_map_size = (size_t)64 << 20;
	assert_int_equal(tmpdir_make(f->dir, sizeof(f->dir), "comments"), 0);
	assert_int_equal(tmpdir_store_open(f->dir, f->state, sizeof(f->state),
	    &f->o, &f->st), 0);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	def = json_loads(survey_def, 0, NULL);
	assert_non_null(def);
	memset(&err, 0, sizeof(err));
	if (catalog_create(txn, def, &f->survey, &err) != 0)
		fail_msg("%s: %s", err.er_field, err.er_message);
	name = json_pack("{s:s}", "fi", "Alue");
	assert_int_equal(units_create(txn, name, 0, false, &f->parent, &err),
	    0);
	json_decref(name);
	name = json_pack("{s:s}", "fi", "Toimisto");
	assert_int_equal(units_create(txn, name, f->parent, false, &f->unit,
	    &err), 0);
	json_decref(name);
	json_decref(def);
	assert_int_equal(storage_txn_commit(txn), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	storage_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* The group of question qi at unit on day, version 1. */
static struct comments_id
group(struct fx *f, uint32_t unit, int64_t day, uint16_t qi)
{
	struct comments_id	id;

	id.cm_survey = f->survey;
	id.cm_month = storage_day_month((uint32_t)day);
	id.cm_version = 1;
	id.cm_unit = unit;
	id.cm_bucket = (uint32_t)period_bucket(PERIOD_MONTH, day);
	id.cm_question = qi;
	return id;
}

/* n texts "<prefix> <i>" into a group, one transaction each, step kc. */
static void
add(struct fx *f, const struct comments_id *id, const char *prefix,
    unsigned from, unsigned n, uint32_t kc)
{
	struct storage_txn	*txn = NULL;
	char			 text[64];
	unsigned		 i;

	for (i = from; i < from + n; i++) {
		snprintf(text, sizeof(text), "%s %u", prefix, i);
		assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
		assert_int_equal(comments_add(txn, id, text, "fi", kc), 0);
		assert_int_equal(storage_txn_commit(txn), 0);
	}
}

/* What a walk found. */
struct seen {
	char		*s_text[MAXTEXTS];
	size_t		 s_n;
	uint32_t	 s_unit;	/* pick: only this unit (0: any) */
	uint32_t	 s_month;	/* a month none may come from */
};

static int
seen_one(const struct comments_id *id, const char *text, const char *lang,
    void *arg)
{
	struct seen	*s = arg;

	assert_true(s->s_n < MAXTEXTS);
	assert_int_not_equal(id->cm_month, s->s_month);
	assert_string_equal(lang, "fi");
	assert_non_null(s->s_text[s->s_n++] = strdup(text));
	return 0;
}

static bool
seen_pick(const struct comments_id *id, void *arg)
{
	const struct seen	*s = arg;

	return s->s_unit == 0 || id->cm_unit == s->s_unit;
}

static int
seen_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
seen_clear(struct seen *s)
{
	size_t	i;

	for (i = 0; i < s->s_n; i++)
		free(s->s_text[i]);
	memset(s, 0, sizeof(*s));
}

/* The released texts of months from..to (of unit, 0: all), sorted. */
static size_t
walk(struct fx *f, uint32_t from, uint32_t to, uint32_t unit,
    struct seen *s)
{
	struct storage_txn	*txn = NULL;

	seen_clear(s);
	s->s_unit = unit;
	s->s_month = UINT32_MAX;
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	if (unit == 0)
		assert_int_equal(comments_each(txn, f->survey, from, to,
		    seen_one, s), 0);
	else
		assert_int_equal(comments_select(txn, f->survey, from, to,
		    seen_pick, seen_one, s), 0);
	storage_txn_abort(txn);
	qsort(s->s_text, s->s_n, sizeof(s->s_text[0]), seen_cmp);
	return s->s_n;
}

/* The entries of the survey's index: steps as "<month>/<unit>/<q>:<n>". */
struct steps {
	char	st_line[MAXTEXTS][64];
	size_t	st_n;
};

static int
steps_one(const struct comments_id *id, uint32_t step, size_t n, void *arg)
{
	struct steps	*s = arg;

	assert_true(s->st_n < MAXTEXTS);
	if (step == COMMENTS_PENDING)
		snprintf(s->st_line[s->st_n++], sizeof(s->st_line[0]),
		    "%u/%u/%u pending:%zu", id->cm_month, id->cm_unit,
		    id->cm_question, n);
	else
		snprintf(s->st_line[s->st_n++], sizeof(s->st_line[0]),
		    "%u/%u/%u step %u:%zu", id->cm_month, id->cm_unit,
		    id->cm_question, step, n);
	return 0;
}

static void
steps(struct fx *f, struct steps *s)
{
	struct storage_txn	*txn = NULL;

	memset(s, 0, sizeof(*s));
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(comments_steps(txn, f->survey, steps_one, s), 0);
	storage_txn_abort(txn);
}

static void
has_line(const struct steps *s, const char *line)
{
	size_t	i;

	for (i = 0; i < s->st_n; i++)
		if (strcmp(s->st_line[i], line) == 0)
			return;
	fail_msg("no entry \"%s\"", line);
}

/* ---------------------------------------------------------------- tests */

/* comments_k() of the fixture's survey version. */
static uint32_t
kc_of(struct fx *f)
{
	struct storage_txn	*txn = NULL;
	struct survey		*sv = NULL;
	uint32_t		 kc;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	assert_int_equal(catalog_load(txn, f->survey, 1, &sv, NULL), 0);
	storage_txn_abort(txn);
	kc = comments_k(sv);
	survey_free(sv);
	return kc;
}

/*
 * kc - 1 texts show nothing; the kc-th shows exactly kc; the ones after
 * show nothing until kc more have come; steps are numbered on.
 */
static void
test_steps_of_kc(void **state)
{
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 1);
	struct seen		 s;
	struct steps		 st;
	char			 line[64];
	uint32_t		 m = id.cm_month;

	memset(&s, 0, sizeof(s));
	assert_int_equal(kc_of(f), KC);
	add(f, &id, "a", 0, KC - 1, KC);
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), 0);
	add(f, &id, "a", KC - 1, 1, KC);
	assert_int_equal(walk(f, m, m, 0, &s), KC);
	assert_string_equal(s.s_text[0], "a 0");
	assert_string_equal(s.s_text[KC - 1], "a 2");
	add(f, &id, "a", KC, KC - 1, KC);
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), KC);
	add(f, &id, "a", 2 * KC - 1, 1, KC);
	assert_int_equal(walk(f, m, m, 0, &s), 2 * KC);
	add(f, &id, "a", 2 * KC, KC + 1, KC);
	assert_int_equal(walk(f, m, m, 0, &s), 3 * KC);

	/* Steps 0, 1, 2 of kc each, and one pending text. */
	steps(f, &st);
	assert_int_equal(st.st_n, 4);
	snprintf(line, sizeof(line), "%u/%u/1 step 0:%d", m, f->unit, KC);
	assert_string_equal(st.st_line[0], line);
	snprintf(line, sizeof(line), "%u/%u/1 step 2:%d", m, f->unit, KC);
	assert_string_equal(st.st_line[2], line);
	snprintf(line, sizeof(line), "%u/%u/1 pending:1", m, f->unit);
	assert_string_equal(st.st_line[3], line);
	seen_clear(&s);
}

/* The pending entry keeps the count after a step: the next is number 1. */
static void
test_numbering_continues(void **state)
{
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 2);
	struct steps		 st;
	char			 line[64];

	add(f, &id, "b", 0, KC, KC);
	steps(f, &st);
	assert_int_equal(st.st_n, 2);
	snprintf(line, sizeof(line), "%u/%u/2 pending:0", id.cm_month,
	    f->unit);
	assert_string_equal(st.st_line[1], line);
	add(f, &id, "b", KC, KC, KC);
	steps(f, &st);
	assert_int_equal(st.st_n, 3);
	snprintf(line, sizeof(line), "%u/%u/2 step 1:%d", id.cm_month,
	    f->unit, KC);
	assert_string_equal(st.st_line[1], line);
}

/* Units, questions, buckets and months gather apart; pick sees keys. */
static void
test_groups_apart(void **state)
{
	struct fx		*f = *state;
	struct comments_id	 a = group(f, f->unit, D(2024, 4, 10), 1);
	struct comments_id	 b = group(f, f->parent, D(2024, 4, 10), 1);
	struct comments_id	 c = group(f, f->unit, D(2024, 4, 10), 2);
	struct comments_id	 d = group(f, f->unit, D(2024, 5, 10), 1);
	struct seen		 s;

	memset(&s, 0, sizeof(s));
	add(f, &a, "a", 0, KC - 1, KC);
	add(f, &b, "b", 0, KC - 1, KC);
	add(f, &c, "c", 0, KC - 1, KC);
	add(f, &d, "d", 0, KC - 1, KC);
	/* 4 (kc - 1) texts in all, and not one of them shows. */
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), 0);
	add(f, &b, "b", KC - 1, 1, KC);
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), KC);
	assert_int_equal(walk(f, 0, UINT32_MAX, f->unit, &s), 0);
	assert_int_equal(walk(f, 0, UINT32_MAX, f->parent, &s), KC);
	add(f, &d, "d", KC - 1, 1, KC);
	/* May only, April only. */
	assert_int_equal(walk(f, d.cm_month, d.cm_month, 0, &s), KC);
	assert_string_equal(s.s_text[0], "d 0");
	assert_int_equal(walk(f, a.cm_month, a.cm_month, f->unit, &s), 0);
	assert_int_equal(walk(f, a.cm_month, a.cm_month + 1, f->unit, &s),
	    KC);
	seen_clear(&s);
}

/* Retention's shred of a month takes its entries, pending ones too. */
static void
test_shred_takes_the_month(void **state)
{
	struct fx		*f = *state;
	struct comments_id	 jan = group(f, f->unit, D(2024, 1, 31), 1);
	struct comments_id	 feb = group(f, f->unit, D(2024, 2, 1), 1);
	struct comments_id	 mar = group(f, f->unit, D(2024, 3, 15), 1);
	struct seen		 s;
	struct steps		 st;
	size_t			 i;

	memset(&s, 0, sizeof(s));
	add(f, &jan, "jan", 0, KC + 1, KC);
	add(f, &feb, "feb", 0, KC + 1, KC);
	add(f, &mar, "mar", 0, KC + 1, KC);
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), 3 * KC);
	assert_int_equal(storage_shred(f->st, f->survey, feb.cm_month), 0);
	walk(f, 0, UINT32_MAX, 0, &s);
	assert_int_equal(s.s_n, 2 * KC);
	for (i = 0; i < s.s_n; i++)
		assert_null(strstr(s.s_text[i], "feb"));
	steps(f, &st);
	assert_int_equal(st.st_n, 4);
	for (i = 0; i < st.st_n; i++)
		assert_int_not_equal(strtoul(st.st_line[i], NULL, 10),
		    feb.cm_month);
	/* Again: nothing left, nothing else goes. */
	assert_int_equal(storage_shred(f->st, f->survey, feb.cm_month), 0);
	assert_int_equal(walk(f, jan.cm_month, mar.cm_month, 0, &s), 2 * KC);
	seen_clear(&s);
}

/* A record as intake writes it; owner 0: none named. */
static void
put_record(struct fx *f, int64_t day, uint32_t unit, uint32_t owner,
    const char *text)
{
	struct storage_txn	*txn = NULL;
	char			 rec[512], date[16], own[32] = "";
	char			 t[128] = "";
	int			 len;

	assert_int_equal(util_format_date(day, date, sizeof(date)), 0);
	if (owner != 0)
		snprintf(own, sizeof(own), "\"owner\":%u,", owner);
	if (text != NULL)
		snprintf(t, sizeof(t), ",\"t\":\"%s\"", text);
	len = snprintf(rec, sizeof(rec), "{\"survey\":%u,\"version\":1,"
	    "\"unit\":%u,%s\"collector\":\"kiosk\",\"day\":\"%s\","
	    "\"lang\":\"fi\",\"answers\":{\"s\":4%s}}", f->survey, unit, own,
	    date, t);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_response_put(txn, f->survey, (uint32_t)day,
	    rec, (size_t)len), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
}

static size_t
migrate(struct fx *f)
{
	struct storage_txn	*txn = NULL;
	size_t			 n = 99;

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(comments_migrate(txn, &n), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	return n;
}

/*
 * An older store: the index is built from its records, by the owner
 * when a record names one, in steps of kc and the rest pending; once.
 * Rebuild, which rewrites cells, leaves it as it is.
 */
static void
test_migrate_once(void **state)
{
	struct fx		*f = *state;
	struct rebuild_report	 rr;
	struct verify_report	 vr;
	struct seen		 s;
	struct steps		 st;
	char			 line[64], text[32];
	uint32_t		 m = storage_day_month((uint32_t)D(2024, 4, 1));
	unsigned		 i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < KC + 1; i++) {
		snprintf(text, sizeof(text), "oma %u", i);
		put_record(f, D(2024, 4, 2 + i), f->unit, 0, text);
	}
	for (i = 0; i < KC; i++) {
		snprintf(text, sizeof(text), "pooled \\u00e4 %u", i);
		put_record(f, D(2024, 4, 20), f->unit, f->parent, text);
	}
	put_record(f, D(2024, 4, 21), f->unit, 0, NULL);
	put_record(f, D(2024, 4, 21), f->unit, 0, "");
	assert_int_equal(migrate(f), 2 * KC + 1);
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), 2 * KC);
	assert_int_equal(walk(f, m, m, f->parent, &s), KC);
	assert_string_equal(s.s_text[0], "pooled \xc3\xa4 0");
	assert_int_equal(walk(f, m, m, f->unit, &s), KC);
	steps(f, &st);
	assert_int_equal(st.st_n, 4);
	snprintf(line, sizeof(line), "%u/%u/1 pending:1", m, f->unit);
	has_line(&st, line);
	snprintf(line, sizeof(line), "%u/%u/1 pending:0", m, f->parent);
	has_line(&st, line);

	/* Once: records stored since come in through intake, not here. */
	put_record(f, D(2024, 4, 22), f->unit, 0, "later");
	put_record(f, D(2024, 4, 22), f->unit, 0, "later");
	assert_int_equal(migrate(f), 0);
	assert_int_equal(walk(f, 0, UINT32_MAX, f->unit, &s), KC);

	/* Rebuild writes cells; the index, released history, stays. */
	assert_int_equal(rebuild_run(f->st, D(2024, 6, 1), 1, false, NULL,
	    NULL, &rr), 0);
	assert_true(rr.rr_written > 0);
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), 2 * KC);
	steps(f, &st);
	assert_int_equal(st.st_n, 4);
	assert_int_equal(verify_store(f->st, false, NULL, NULL, &vr), 0);
	assert_int_equal(vr.vr_comments, 4);
	assert_int_equal(vr.vr_bad_comments, 0);
	seen_clear(&s);
}

/* Verify: a step of another size than the version's kc is reported. */
static void
test_verify_step_size(void **state)
{
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 1);
	struct comments_id	 smiley = group(f, f->unit, D(2024, 4, 10), 0);
	struct verify_report	 vr;

	add(f, &id, "ok", 0, KC + 1, KC);
	assert_int_equal(verify_store(f->st, false, NULL, NULL, &vr), 0);
	assert_int_equal(vr.vr_comments, 2);
	assert_int_equal(vr.vr_bad_comments, 0);
	assert_true(verify_ok(&vr));
	add(f, &smiley, "smiley", 0, 1, KC);
	id.cm_unit = f->parent;
	add(f, &id, "small", 0, KC - 1, KC - 1);
	assert_int_equal(verify_store(f->st, false, NULL, NULL, &vr), 0);
	assert_int_equal(vr.vr_comments, 5);
	assert_int_equal(vr.vr_bad_comments, 2);
	assert_false(verify_ok(&vr));
}

/* Misuse is refused, and nothing is written for it. */
static void
test_refused(void **state)
{
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 1);
	struct storage_txn	*txn = NULL;
	struct steps		 st;

	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(comments_add(txn, &id, "", "fi", KC), -EINVAL);
	assert_int_equal(comments_add(txn, &id, NULL, "fi", KC), -EINVAL);
	assert_int_equal(comments_add(txn, &id, "x", "fi", 0), -EINVAL);
	assert_int_equal(storage_txn_commit(txn), 0);
	steps(f, &st);
	assert_int_equal(st.st_n, 0);
}

/*
 * A pending entry of a store written before pending entries were kept in
 * bytes, JSON: counted as it stands, and its texts go into the next step
 * with the texts that complete it.
 */
static void
test_json_pending(void **state)
{
	static const char	 old[] = "{\"next\": 4, \"comments\": ["
	    "{\"text\": \"a 0\", \"lang\": \"fi\"}, {\"text\": \"a 1\","
	    " \"lang\": \"fi\"}]}";
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 1);
	struct storage_txn	*txn = NULL;
	struct steps		 st;
	struct seen		 s;
	uint8_t			 key[COMMENTS_KEYLEN];
	char			 line[64];

	memset(&s, 0, sizeof(s));
	comments_key(&id, COMMENTS_PENDING, key);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_COMMENTS, key,
	    sizeof(key), old, sizeof(old) - 1, 0), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	steps(f, &st);
	snprintf(line, sizeof(line), "%u/%u/1 pending:2", id.cm_month,
	    f->unit);
	has_line(&st, line);

	add(f, &id, "a", 2, KC - 2, KC);
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), KC);
	assert_string_equal(s.s_text[0], "a 0");
	assert_string_equal(s.s_text[1], "a 1");
	assert_string_equal(s.s_text[2], "a 2");
	steps(f, &st);
	assert_int_equal(st.st_n, 2);
	snprintf(line, sizeof(line), "%u/%u/1 step 4:%d", id.cm_month,
	    f->unit, KC);
	assert_string_equal(st.st_line[0], line);
	snprintf(line, sizeof(line), "%u/%u/1 pending:0", id.cm_month,
	    f->unit);
	assert_string_equal(st.st_line[1], line);
	seen_clear(&s);
}

/* A pending entry cut short is not one this module wrote. */
static void
test_damaged_pending(void **state)
{
	/* 'P', next 0, "fi", a text of 5 bytes of which 2 are there. */
	static const uint8_t	 cut[] = { 'P', 0, 0, 0, 0, 2, 'f', 'i',
	    0, 0, 0, 5, 'a', 'b' };
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 1);
	struct storage_txn	*txn = NULL;
	struct steps		 st;
	uint8_t			 key[COMMENTS_KEYLEN], whole[sizeof(cut)];
	char			 line[64];

	comments_key(&id, COMMENTS_PENDING, key);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_COMMENTS, key,
	    sizeof(key), cut, sizeof(cut), 0), 0);
	assert_int_equal(comments_add(txn, &id, "x", "fi", KC), -EBADMSG);
	memset(&st, 0, sizeof(st));
	assert_int_equal(comments_steps(txn, f->survey, steps_one, &st),
	    -EBADMSG);
	/* Whole, with its length right, it reads: one text pending. */
	memcpy(whole, cut, sizeof(whole));
	whole[11] = 2;
	assert_int_equal(storage_put(txn, STORAGE_DB_COMMENTS, key,
	    sizeof(key), whole, sizeof(whole), 0), 0);
	memset(&st, 0, sizeof(st));
	assert_int_equal(comments_steps(txn, f->survey, steps_one, &st), 0);
	snprintf(line, sizeof(line), "%u/%u/1 pending:1", id.cm_month,
	    f->unit);
	has_line(&st, line);
	storage_txn_abort(txn);
}

/* A step's texts come back as they were given, whatever they hold. */
static void
test_texts_verbatim(void **state)
{
	static const char *const texts[KC] = {
		"\"lainaus\" ja \\ kenoviiva",
		"rivi\nrivi\ttab \x01 \x1f",
		"ääkköset € 😀 </script>",
	};
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 1);
	struct storage_txn	*txn = NULL;
	struct seen		 s;
	size_t			 i, k;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < KC; i++) {
		assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
		assert_int_equal(comments_add(txn, &id, texts[i], "fi", KC),
		    0);
		assert_int_equal(storage_txn_commit(txn), 0);
	}
	assert_int_equal(walk(f, 0, UINT32_MAX, 0, &s), KC);
	for (i = 0; i < KC; i++) {
		for (k = 0; k < s.s_n; k++)
			if (strcmp(s.s_text[k], texts[i]) == 0)
				break;
		assert_true(k < s.s_n);
	}
	seen_clear(&s);
}

/* The texts reach the disk sealed, steps and pending alike. */
static void
test_sealed(void **state)
{
	struct fx		*f = *state;
	struct comments_id	 id = group(f, f->unit, D(2024, 4, 10), 1);
	char			 path[400];
	void			*buf = NULL;
	size_t			 len;

	add(f, &id, "MARKER-KOMMENTTI-odotin", 0, 4 * KC + 1, KC);
	storage_close(f->st);
	f->st = NULL;
	snprintf(path, sizeof(path), "%s/data.mdb", f->state);
	assert_int_equal(util_read_file(path, 1 << 28, &buf, &len), 0);
	assert_null(memmem(buf, len, "MARKER", 6));
	assert_null(memmem(buf, len, "odotin", 6));
	/* The database is there; only its values are unreadable. */
	assert_non_null(memmem(buf, len, "comments", 8));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_steps_of_kc, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_numbering_continues,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_apart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shred_takes_the_month,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_step_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_pending, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_damaged_pending, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_texts_verbatim, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
