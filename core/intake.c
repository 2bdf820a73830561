/*
 * intake.c — the shared half of intake: collectors and survey versions
 * resolved on the event loop, responses checked and encoded there, and
 * stored on the writer thread in one child transaction each.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/answers.h"
#include "core/catalog.h"
#include "core/cells.h"
#include "core/codes.h"
#include "core/comments.h"
#include "core/idem.h"
#include "core/intake.h"
#include "core/period.h"
#include "core/ratelimit.h"
#include "core/rec.h"
#include "core/retention.h"
#include "core/survey.h"
#include "core/units.h"
#include "storage/storage.h"

/*
 * Survey versions kept parsed. A site runs a handful of surveys; a miss
 * costs one parse (~0.1 ms), so a small table with LRU is plenty.
 */
#define INTAKE_CACHE_SIZE	32
/*
 * Forms kept resolved (slug -> collector), direct-mapped by a hash of the
 * slug: the links in use at once are few; a collision costs one lookup.
 */
#define INTAKE_FORMS_CACHE	64
/*
 * Kiosks whose call-in day is noted (collector -> day), direct-mapped: a
 * miss costs one small write a day per tablet.
 */
#define INTAKE_SEEN_CACHE	256
/* Keys per rate-limit table: ~24 bytes each, 96 KiB a table. */
#define INTAKE_LIMIT_KEYS	4096

struct intake_survey {
	uint32_t	 is_id;
	uint32_t	 is_version;
	/* Checked against the store at generation is_gen of the surveys;
	 * is_current: it was the survey's current version then. */
	uint64_t	 is_gen;
	bool		 is_current;
	/* The writer thread's own: checked at this generation (0: not). */
	struct storage	*is_store;
	uint64_t	 is_wgen;
	char		*is_def;	/* the stored definition's text */
	size_t		 is_deflen;
	json_t		*is_json;	/* ... parsed */
	struct survey	*is_survey;	/* ... checked */
	enum period_kind is_period;
	unsigned	 is_refs;	/* the cache holds one while cached */
	uint64_t	 is_used;	/* LRU tick */
};

/* A form's slug and its collector, at a generation of the collectors. */
struct intake_form {
	char			 fm_slug[CODES_SLUG_LEN + 1];	/* "": free */
	uint64_t		 fm_gen;
	struct intake_target	 fm_target;
};

struct intake_state {
	/* The writer thread's: every idempotency hash of the window. */
	struct idem_index	*is_idem;
	struct intake_form	 is_forms[INTAKE_FORMS_CACHE];
	struct intake_survey	*is_cache[INTAKE_CACHE_SIZE];
	uint64_t		 is_tick;
	struct ratelimit	*is_limits[INTAKE_LIMIT_COUNT];
	int64_t			 is_swept_day;
	bool			 is_sweeping;
	/*
	 * The unit tree at generation is_tree_gen of the units, for the
	 * owner of each response: read again only when a unit changes.
	 */
	struct units_tree	*is_tree;
	uint64_t		 is_tree_gen;
	/*
	 * The writer thread's: the items of this commit whose writes wait
	 * for intake_batch_flush(), and the cells and comment groups they
	 * fold into (intake.h).
	 */
	struct intake_item	**is_fold;
	size_t			 is_noted;	/* notes since the last flush */
	size_t			 is_nfold;
	size_t			 is_cfold;
	struct storage_response	*is_recs;
	size_t			 is_crecs;
	struct cells_fold	 is_cells;
	struct comments_fold	 is_texts;
	/* The day each kiosk last called in, as noted in its record. */
	struct {
		uint32_t	 sn_collector;
		int64_t		 sn_day;
	}			 is_seen[INTAKE_SEEN_CACHE];
};

/*
 * A note (storage_txn_note) of an item applied in a child transaction
 * and written at intake_batch_flush(): its kind, then its address (the
 * item lives until its reply, after the commit).
 */
#define INTAKE_NOTE_FOLD	'F'
#define INTAKE_NOTE_LEN		(1 + sizeof(struct intake_item *))

/* ---------------------------------------------------------- state */

struct intake_state *
intake_state_new(void)
{
	struct intake_state	*is;
	int			 i;

	if ((is = calloc(1, sizeof(*is))) == NULL)
		return NULL;
	if (idem_index_new(&is->is_idem) != 0) {
		free(is);
		return NULL;
	}
	for (i = 0; i < INTAKE_LIMIT_COUNT; i++)
		if ((is->is_limits[i] = ratelimit_new(INTAKE_LIMIT_KEYS)) ==
		    NULL) {
			intake_state_free(is);
			return NULL;
		}
	return is;
}

static void
intake_survey_free(struct intake_survey *sv)
{
	if (sv == NULL)
		return;
	survey_free(sv->is_survey);
	json_decref(sv->is_json);
	free(sv->is_def);
	free(sv);
}

void
intake_state_free(struct intake_state *is)
{
	size_t	i;

	if (is == NULL)
		return;
	for (i = 0; i < INTAKE_CACHE_SIZE; i++)
		intake_survey_put(is->is_cache[i]);
	for (i = 0; i < INTAKE_LIMIT_COUNT; i++)
		ratelimit_free(is->is_limits[i]);
	units_tree_free(is->is_tree);
	idem_index_free(is->is_idem);
	free(is->is_fold);
	free(is->is_recs);
	cells_fold_clear(&is->is_cells);
	comments_fold_clear(&is->is_texts);
	free(is);
}

/* ---------------------------------------------------------- lookups */

int
intake_target(struct storage_txn *txn, uint32_t collector,
    struct intake_target *out)
{
	json_t		*rec = NULL, *idle;
	const char	*kind;
	int		 ret;

	if ((ret = collectors_get(txn, collector, &rec)) != 0)
		goto done;
	memset(out, 0, sizeof(*out));
	out->tg_collector = collector;
	out->tg_survey = codec_u32(json_object_get(rec, "survey"));
	out->tg_unit = codec_u32(json_object_get(rec, "unit"));
	kind = json_string_value(json_object_get(rec, "kind"));
	if (kind == NULL || collectors_kind_parse(kind, &out->tg_kind) != 0 ||
	    out->tg_survey == 0 || out->tg_unit == 0) {
		ret = -EBADMSG;
		goto done;
	}
	idle = json_object_get(rec, "idle_reset_seconds");
	out->tg_idle_reset = json_is_integer(idle) ? json_integer_value(idle)
	    : 0;
	out->tg_code_check = json_is_true(json_object_get(rec, "code_check"));
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

void
intake_read_init(struct intake_read *rd, struct intake_state *is,
    struct storage *st, const uint8_t *hash_key)
{
	rd->rd_state = is;
	rd->rd_store = st;
	rd->rd_hash_key = hash_key;
	rd->rd_txn = NULL;
	/* Before any transaction begins: see storage_generation(). */
	rd->rd_gen_collectors = storage_generation(st, STORAGE_DB_COLLECTORS);
	rd->rd_gen_surveys = storage_generation(st, STORAGE_DB_SURVEYS);
	rd->rd_gen_units = storage_generation(st, STORAGE_DB_UNITS);
}

/*
 * The owner of a response from unit: the unit whose cell it counts in,
 * decided now, when it is stored (DESIGN.md section 5): the unit itself,
 * or for a pooled unit its nearest ancestor that does not pool. Pooling
 * or moving a unit later changes where new responses count, never where
 * stored ones are.
 */
static int
intake_owner(struct intake_read *rd, uint32_t unit, uint32_t *owner_out)
{
	struct intake_state	*is = rd->rd_state;
	struct units_tree	*t = NULL;
	struct storage_txn	*txn;
	uint32_t		 owner;
	int			 rc;

	if (is->is_tree == NULL || is->is_tree_gen != rd->rd_gen_units) {
		if ((rc = intake_read_txn(rd, &txn)) != 0 ||
		    (rc = units_tree_load(txn, &t)) != 0)
			goto done;
		units_tree_free(is->is_tree);
		is->is_tree = t;
		is->is_tree_gen = rd->rd_gen_units;
		t = NULL;
	}
	/* A collector's unit cannot be deleted, so 0 is a broken store. */
	if ((owner = units_cell_unit(is->is_tree, unit)) == 0) {
		rc = -EBADMSG;
		goto done;
	}
	*owner_out = owner;
	rc = 0;
done:
	units_tree_free(t);
	return rc;
}

int
intake_read_txn(struct intake_read *rd, struct storage_txn **out)
{
	int	rc;

	if (rd->rd_txn == NULL && (rc = storage_txn_begin(rd->rd_store,
	    false, &rd->rd_txn)) != 0)
		return rc;
	*out = rd->rd_txn;
	return 0;
}

void
intake_read_end(struct intake_read *rd)
{
	storage_txn_abort(rd->rd_txn);
	rd->rd_txn = NULL;
}

int
intake_form_target(struct intake_read *rd, const char *slug,
    struct intake_target *out)
{
	struct intake_state	*is = rd->rd_state;
	struct intake_form	*fm;
	struct storage_txn	*txn;
	uint32_t		 id, h = 2166136261u;
	const char		*p;
	int			 rc;

	if (!codes_slug_valid(slug))
		return -ENOENT;
	for (p = slug; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	fm = &is->is_forms[h % INTAKE_FORMS_CACHE];
	if (fm->fm_gen == rd->rd_gen_collectors &&
	    strcmp(fm->fm_slug, slug) == 0) {
		*out = fm->fm_target;
		return 0;
	}
	if ((rc = intake_read_txn(rd, &txn)) != 0 ||
	    (rc = collectors_by_slug(rd->rd_hash_key, txn, slug, &id)) != 0 ||
	    (rc = intake_target(txn, id, out)) != 0)
		return rc;
	if (out->tg_kind == COLLECTORS_KIOSK)
		return -ENOENT;
	/* Only forms that exist: unknown slugs cannot flush the cache. */
	snprintf(fm->fm_slug, sizeof(fm->fm_slug), "%s", slug);
	fm->fm_gen = rd->rd_gen_collectors;
	fm->fm_target = *out;
	return 0;
}

enum period_kind
intake_period(enum survey_period p)
{
	switch (p) {
	case SURVEY_PERIOD_WEEK:
		return PERIOD_WEEK;
	case SURVEY_PERIOD_QUARTER:
		return PERIOD_QUARTER;
	case SURVEY_PERIOD_YEAR:
		return PERIOD_YEAR;
	case SURVEY_PERIOD_MONTH:
	default:
		return PERIOD_MONTH;
	}
}

/* The stored text of (survey, version): *out malloc()ed. */
static int
intake_definition_text(struct storage_txn *txn, uint32_t survey,
    uint32_t version, char **out, size_t *len_out)
{
	uint8_t	 key[CATALOG_KEYLEN];
	void	*val = NULL;
	size_t	 len = 0;
	int	 rc;

	rec_key(survey, key);
	rec_key(version, key + REC_IDLEN);
	if ((rc = storage_get(txn, STORAGE_DB_SURVEYS, key, sizeof(key), &val,
	    &len)) != 0)
		return rc;
	*out = val;
	*len_out = len;
	return 0;
}

int
intake_survey_get(struct intake_read *rd, uint32_t survey, uint32_t version,
    struct intake_survey **out)
{
	struct intake_state	*is = rd->rd_state;
	struct intake_survey	*sv = NULL, **slot = NULL;
	struct storage_txn	*txn;
	struct error		 err;
	uint64_t		 gen = rd->rd_gen_surveys;
	uint32_t		 current;
	char			*text = NULL;
	size_t			 len = 0, i;
	int			 ret;

	is->is_tick++;
	/* Nothing of the surveys changed since the entry was checked. */
	for (i = 0; i < INTAKE_CACHE_SIZE; i++) {
		sv = is->is_cache[i];
		if (sv != NULL && sv->is_id == survey && sv->is_gen == gen &&
		    (version == 0 ? sv->is_current : sv->is_version ==
		    version)) {
			sv->is_used = is->is_tick;
			sv->is_refs++;
			*out = sv;
			return 0;
		}
	}
	sv = NULL;
	if ((ret = intake_read_txn(rd, &txn)) != 0 ||
	    (ret = catalog_current_version(txn, survey, &current)) != 0)
		goto done;
	if (version == 0)
		version = current;
	if ((ret = intake_definition_text(txn, survey, version, &text, &len))
	    != 0)
		goto done;
	for (i = 0; i < INTAKE_CACHE_SIZE; i++) {
		sv = is->is_cache[i];
		if (sv == NULL || sv->is_id != survey ||
		    sv->is_version != version) {
			sv = NULL;
			continue;
		}
		slot = &is->is_cache[i];
		/* The same bytes: still the version it was. */
		if (sv->is_deflen == len && memcmp(sv->is_def, text, len) ==
		    0) {
			sv->is_gen = gen;
			sv->is_current = version == current;
			sv->is_used = is->is_tick;
			sv->is_refs++;
			*out = sv;
			sv = NULL;
			ret = 0;
			goto done;
		}
		/* An edit in place: replace the entry, not the others. */
		sv = NULL;
		break;
	}
	if ((sv = calloc(1, sizeof(*sv))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	sv->is_id = survey;
	sv->is_version = version;
	sv->is_store = rd->rd_store;
	sv->is_gen = gen;
	sv->is_current = version == current;
	sv->is_def = text;
	sv->is_deflen = len;
	text = NULL;
	memset(&err, 0, sizeof(err));
	if ((sv->is_json = json_loadb(sv->is_def, sv->is_deflen, 0, NULL)) ==
	    NULL || survey_parse(sv->is_json, &sv->is_survey, &err) != 0) {
		log_warnx("survey %u version %u: the stored definition does "
		    "not parse", survey, version);
		ret = -EBADMSG;
		goto done;
	}
	sv->is_period = intake_period(survey_period(sv->is_survey));
	if (slot == NULL) {
		/* An empty slot, or the least recently used one. */
		for (i = 0; i < INTAKE_CACHE_SIZE; i++) {
			if (is->is_cache[i] == NULL) {
				slot = &is->is_cache[i];
				break;
			}
			if (slot == NULL || is->is_cache[i]->is_used <
			    (*slot)->is_used)
				slot = &is->is_cache[i];
		}
	}
	intake_survey_put(*slot);
	sv->is_refs = 2;	/* the cache's and the caller's */
	sv->is_used = is->is_tick;
	*slot = sv;
	*out = sv;
	sv = NULL;
	ret = 0;
done:
	intake_survey_free(sv);
	free(text);
	return ret;
}

void
intake_survey_put(struct intake_survey *sv)
{
	if (sv != NULL && --sv->is_refs == 0)
		intake_survey_free(sv);
}

const struct survey *
intake_survey_parsed(const struct intake_survey *sv)
{
	return sv->is_survey;
}

uint32_t
intake_survey_version(const struct intake_survey *sv)
{
	return sv->is_version;
}

int
intake_public_view(struct intake_read *rd, const struct intake_target *tg,
    const struct intake_survey *sv, json_t **out)
{
	/*
	 * What a respondent sees. audience and min_group belong to the
	 * privacy notice: who is asked, and that results are shown only for
	 * groups of at least k (DESIGN.md section 1).
	 */
	static const char *const copy[] = {
		"title", "description", "languages", "questions", "audience",
		"min_group", NULL
	};
	struct storage_txn	*txn;
	json_t			*view = NULL, *s = NULL, *unit = NULL, *v;
	size_t			 i;
	int			 ret;

	if ((ret = intake_read_txn(rd, &txn)) != 0 ||
	    (ret = units_get(txn, tg->tg_unit, &unit)) != 0)
		goto done;
	s = json_pack("{s:I, s:I}", "id", (json_int_t)sv->is_id, "version",
	    (json_int_t)sv->is_version);
	if (s == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; copy[i] != NULL; i++)
		if ((v = json_object_get(sv->is_json, copy[i])) != NULL &&
		    json_object_set(s, copy[i], v) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	view = json_pack("{s:O, s:O, s:{s:I, s:O}}", "survey", s, "privacy",
	    json_object_get(sv->is_json, "privacy"), "unit", "id",
	    (json_int_t)tg->tg_unit, "name", json_object_get(unit, "name"));
	if (view == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	*out = view;
	view = NULL;
	ret = 0;
done:
	json_decref(view);
	json_decref(s);
	json_decref(unit);
	return ret;
}

/* ---------------------------------------------------------- items */

void
intake_item_clear(struct intake_item *it)
{
	free(it->ii_id);
	answers_free(it->ii_answers);
	intake_survey_put(it->ii_survey);
	if (it->ii_record != NULL) {
		/* Answers and comments: not left in freed memory. */
		sodium_memzero(it->ii_record, it->ii_reclen);
		free(it->ii_record);
	}
	memset(it, 0, sizeof(*it));
}

/*
 * The response record's JSON text (intake.h), *out malloc()ed. Written
 * directly (codec.h): the same bytes as json_pack() and codec_dump() of
 * {"survey", "version", "unit", "owner", "collector", "day", "lang",
 * "answers"} in this order, which cost a tenth of a durable submission.
 */
static int
intake_record(uint32_t survey, uint32_t version, uint32_t unit,
    uint32_t owner, enum collectors_kind kind, uint32_t day,
    const struct answers *a, char **out, size_t *len_out)
{
	struct codec_buf	 b;
	char			 date[16];
	int			 ret;

	memset(&b, 0, sizeof(b));
	if ((ret = util_format_date(day, date, sizeof(date))) != 0)
		goto done;
	CODEC_BUF_LIT(&b, "{\"survey\":");
	codec_buf_int(&b, survey);
	CODEC_BUF_LIT(&b, ",\"version\":");
	codec_buf_int(&b, version);
	CODEC_BUF_LIT(&b, ",\"unit\":");
	codec_buf_int(&b, unit);
	CODEC_BUF_LIT(&b, ",\"owner\":");
	codec_buf_int(&b, owner);
	CODEC_BUF_LIT(&b, ",\"collector\":");
	codec_buf_cstr(&b, collectors_kind_name(kind));
	CODEC_BUF_LIT(&b, ",\"day\":");
	codec_buf_cstr(&b, date);
	CODEC_BUF_LIT(&b, ",\"lang\":");
	codec_buf_cstr(&b, answers_lang(a));
	CODEC_BUF_LIT(&b, ",\"answers\":");
	answers_write(a, &b);
	CODEC_BUF_LIT(&b, "}");
	if ((*out = codec_buf_take(&b, len_out)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ret = 0;
done:
	codec_buf_wipe(&b);
	return ret;
}

int
intake_item_prepare(struct intake_read *rd, const struct intake_target *tg,
    const json_t *obj, uint32_t day, struct intake_item *it,
    struct error *err)
{
	const struct survey	*s;
	const char		*id = NULL, *lang = NULL;
	long long		 version = 0;
	json_t			*answers = NULL;
	int			 ret;

	if ((ret = codec_str(obj, "id", true, IDEM_ID_MAX + 1, &id, err)) != 0)
		goto done;
	if ((it->ii_id = strdup(id)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if (!idem_id_valid(id)) {
		ret = error_set(err, ERR_INVALID, "id", "'id' must be %d "
		    "to %d characters of A-Z a-z 0-9 . _ : -", IDEM_ID_MIN,
		    IDEM_ID_MAX);
		goto done;
	}
	idem_hash(rd->rd_hash_key, tg->tg_collector, id, it->ii_hash);
	if ((ret = codec_int(obj, "version", false, 1, UINT32_MAX, &version,
	    err)) != 0)
		goto done;
	ret = intake_survey_get(rd, tg->tg_survey, (uint32_t)version,
	    &it->ii_survey);
	if (ret == -ENOENT && version != 0) {
		ret = error_set(err, ERR_INVALID, "version",
		    "the survey has no version %lld", version);
		goto done;
	} else if (ret != 0)
		goto done;
	s = it->ii_survey->is_survey;
	/*
	 * A tablet's offline queue can cross into a month that the survey's
	 * retention has ended (retention_months 1, a queue from the last
	 * days of the month before): storing it would keep an answer longer
	 * than its respondent was told, under a data key made anew after the
	 * purge shredded the old one.
	 */
	if (storage_day_month(day) < retention_first_kept(util_today(),
	    survey_retention_months(s))) {
		ret = error_set(err, ERR_INVALID, "day", "this survey keeps "
		    "responses for %u month(s) and 'day' is before them",
		    survey_retention_months(s));
		goto done;
	}
	/* answers_check names lang and answers in its errors. */
	lang = json_string_value(json_object_get(obj, "lang"));
	if (json_object_get(obj, "lang") != NULL && lang == NULL) {
		ret = error_set(err, ERR_WRONG_TYPE, "lang",
		    "'lang' must be a string");
		goto done;
	}
	if ((answers = json_object_get(obj, "answers")) == NULL) {
		ret = error_set(err, ERR_MISSING_FIELD, "answers",
		    "'answers' is required");
		goto done;
	}
	if ((ret = answers_check(s, answers, lang, &it->ii_answers,
	    err)) != 0)
		goto done;
	it->ii_day = day;
	if ((ret = intake_owner(rd, tg->tg_unit, &it->ii_owner)) != 0)
		goto done;
	ret = intake_record(tg->tg_survey, it->ii_survey->is_version,
	    tg->tg_unit, it->ii_owner, tg->tg_kind, day, it->ii_answers,
	    &it->ii_record, &it->ii_reclen);
done:
	if (ret == -ENOMEM && err->er_code == ERR_NONE)
		error_set(err, ERR_INTERNAL, NULL, "out of memory");
	else if (ret != 0 && err->er_code == ERR_NONE)
		intake_errno(err, ret);
	return ret;
}

bool
intake_seen_due(struct intake_state *is, uint32_t collector, int64_t day)
{
	size_t	i = collector % INTAKE_SEEN_CACHE;

	return is->is_seen[i].sn_collector != collector ||
	    is->is_seen[i].sn_day != day;
}

void
intake_seen_mark(struct intake_state *is, uint32_t collector, int64_t day)
{
	size_t	i = collector % INTAKE_SEEN_CACHE;

	is->is_seen[i].sn_collector = collector;
	is->is_seen[i].sn_day = day;
}

uint32_t
intake_record_owner(const json_t *rec)
{
	const json_t	*owner = json_object_get(rec, "owner");

	return codec_u32(owner != NULL ? owner : json_object_get(rec, "unit"));
}

void
intake_errno(struct error *err, int rc)
{
	enum error_code	code = error_from_errno(rc);

	switch (code) {
	case ERR_STORAGE_FULL:
		error_set(err, code, NULL, "the store is full; nothing was "
		    "saved");
		break;
	case ERR_UNAVAILABLE:
		error_set(err, code, NULL, "storage is failing; nothing was "
		    "saved, try again");
		break;
	default:
		log_warnx("intake: store error %d", rc);
		error_set(err, ERR_INTERNAL, NULL, "internal error");
		break;
	}
}

/* ---------------------------------------------------------- writer */

/*
 * Writer thread: the version is still the text the answers were checked
 * against. An admin may rewrite a version in place until it has a
 * response, and that may land between the check and this transaction.
 */
static int
intake_survey_verify(struct storage_txn *txn, struct intake_survey *sv)
{
	uint64_t	 gen;
	char		*text = NULL;
	size_t		 len = 0;
	bool		 dirty;
	int		 rc;

	/*
	 * Checked before, and no survey changed since, committed or in this
	 * batch: opening the definition again for every response would cost
	 * the writer a tenth of its time.
	 */
	gen = storage_generation(sv->is_store, STORAGE_DB_SURVEYS);
	dirty = storage_txn_dirty(txn, STORAGE_DB_SURVEYS);
	if (!dirty && sv->is_wgen == gen)
		return 0;
	if ((rc = intake_definition_text(txn, sv->is_id, sv->is_version, &text,
	    &len)) != 0)
		return rc == -ENOENT ? -ESTALE : rc;
	rc = len == sv->is_deflen && memcmp(text, sv->is_def, len) == 0 ? 0 :
	    -ESTALE;
	free(text);
	if (rc == 0 && !dirty)
		sv->is_wgen = gen;
	return rc;
}

/*
 * What storing a response adds besides its record, for a request and for
 * intake_store() alike: the response counted into its cell cid in cf
 * (the released state steps there), and its texts into the comments
 * index in tf, in the group of that cell and the month of day. A
 * response without a text costs a look at its answers, no read.
 */
static int
intake_fold(struct cells_fold *cf, struct comments_fold *tf,
    struct storage_txn *txn, const struct cells_id *cid,
    const struct survey *s, uint32_t day, const struct answers *a)
{
	struct comments_id	 id;
	const char		*text;
	size_t			 qi, nq = survey_question_count(s);
	int			 rc;

	if ((rc = cells_fold_add(cf, txn, cid, s, a)) != 0)
		return rc;
	id.cm_survey = cid->ci_survey;
	id.cm_month = storage_day_month(day);
	id.cm_version = cid->ci_version;
	id.cm_unit = cid->ci_unit;
	id.cm_bucket = cid->ci_bucket;
	for (qi = 0; qi < nq && qi <= UINT16_MAX; qi++) {
		if ((text = answers_text(a, qi)) == NULL || *text == '\0')
			continue;
		id.cm_question = (uint16_t)qi;
		if ((rc = comments_fold_add(tf, txn, &id, text,
		    answers_lang(a), comments_k(s))) != 0)
			return rc;
	}
	return 0;
}

/* Writer thread: one response stored at once (intake_store). */
static int
intake_put(struct storage_txn *txn, const struct cells_id *cid,
    const struct survey *s, uint32_t day, const struct answers *a,
    const char *record, size_t reclen)
{
	struct cells_fold	cf;
	struct comments_fold	tf;
	int			rc;

	memset(&cf, 0, sizeof(cf));
	memset(&tf, 0, sizeof(tf));
	if ((rc = storage_response_put(txn, cid->ci_survey, day, record,
	    reclen)) == 0 &&
	    (rc = intake_fold(&cf, &tf, txn, cid, s, day, a)) == 0 &&
	    (rc = cells_fold_write(&cf, txn)) == 0)
		rc = comments_fold_write(&tf, txn);
	cells_fold_clear(&cf);
	comments_fold_clear(&tf);
	return rc;
}

int
intake_store(struct storage_txn *txn, const struct intake_response *r)
{
	struct cells_id	 cid;
	char		*record = NULL;
	size_t		 len = 0;
	int		 ret;

	if ((ret = intake_record(r->ir_survey, r->ir_version, r->ir_unit,
	    r->ir_owner, r->ir_kind, r->ir_day, r->ir_answers, &record,
	    &len)) != 0)
		goto done;
	cid.ci_survey = r->ir_survey;
	cid.ci_version = r->ir_version;
	cid.ci_unit = r->ir_owner;
	cid.ci_bucket = (uint32_t)period_bucket(intake_period(survey_period(
	    r->ir_parsed)), r->ir_day);
	ret = intake_put(txn, &cid, r->ir_parsed, r->ir_day, r->ir_answers,
	    record, len);
done:
	if (record != NULL) {
		sodium_memzero(record, len);
		free(record);
	}
	return ret;
}

/* The cell of an item: its survey version, owner and day's bucket. */
static void
intake_item_cell(const struct intake_item *it, struct cells_id *cid)
{
	cid->ci_survey = it->ii_survey->is_id;
	cid->ci_version = it->ii_survey->is_version;
	cid->ci_unit = it->ii_owner;
	cid->ci_bucket = (uint32_t)period_bucket(it->ii_survey->is_period,
	    it->ii_day);
}

/* Writer thread: an item stored whole in txn, as intake_store() does. */
static int
intake_item_put(struct storage_txn *txn, const struct intake_item *it)
{
	struct cells_id	cid;

	intake_item_cell(it, &cid);
	return intake_put(txn, &cid, it->ii_survey->is_survey, it->ii_day,
	    it->ii_answers, it->ii_record, it->ii_reclen);
}

int
intake_item_apply(struct intake_state *is, struct storage_txn *txn,
    const struct intake_target *tg, struct intake_item *it,
    const uint8_t *invite)
{
	struct idem_index	*ix = is->is_idem;
	uint8_t			 note[INTAKE_NOTE_LEN];
	bool			 seen = false;
	int			 rc;

	memset(&it->ii_err, 0, sizeof(it->ii_err));
	if ((rc = idem_seen(ix, txn, it->ii_hash, &seen)) != 0)
		goto fail;
	if (seen) {
		/* Stored before (a retry): acknowledge, count nothing. */
		it->ii_outcome = INTAKE_DUPLICATE;
		return 0;
	}
	if ((rc = intake_survey_verify(txn, it->ii_survey)) == -ESTALE) {
		it->ii_outcome = INTAKE_REFUSED;
		error_set(&it->ii_err, ERR_CONFLICT, NULL, "the survey "
		    "changed while this was answered; load it again");
		return rc;
	} else if (rc != 0)
		goto fail;
	/*
	 * The record, the cell and the texts are written at the commit
	 * (intake_batch_flush): the note goes with this child's commit or
	 * rollback. A response with a code is stored whole here instead,
	 * with its idempotency record, before the burn, so that a store
	 * without room for it refuses it before the code is looked at.
	 */
	it->ii_folded = false;
	if (invite != NULL) {
		if ((rc = intake_item_put(txn, it)) != 0 ||
		    (rc = idem_put_now(ix, txn, it->ii_hash, it->ii_day)) != 0)
			goto fail;
	} else {
		note[0] = INTAKE_NOTE_FOLD;
		memcpy(note + 1, &it, sizeof(it));
		if ((rc = storage_txn_note(txn, note, sizeof(note))) != 0)
			goto fail;
		is->is_noted++;
		if ((rc = idem_put(ix, txn, it->ii_hash, it->ii_day)) != 0)
			goto fail;
	}
	/*
	 * The code last: anything above that refuses the response refuses
	 * it alike for an unused, a used and an unknown code, so no failure
	 * tells which a code is without spending it. (A flush that finds
	 * the store full later fails the whole commit, every burn of it
	 * included.)
	 */
	if (invite != NULL) {
		rc = collectors_invitation_burn(txn, tg->tg_collector, invite);
		if (rc == -EALREADY) {
			it->ii_outcome = INTAKE_REFUSED;
			error_set(&it->ii_err, ERR_ALREADY_USED,
			    "invitation", "this invitation code has been "
			    "used already");
			return rc;
		} else if (rc == -ENOENT) {
			it->ii_outcome = INTAKE_REFUSED;
			error_set(&it->ii_err, ERR_INVALID, "invitation",
			    "this is not an invitation code of this form");
			return rc;
		} else if (rc != 0)
			goto fail;
	}
	it->ii_outcome = INTAKE_STORED;
	return 0;
fail:
	intake_errno(&it->ii_err, rc);
	it->ii_outcome = INTAKE_REFUSED;
	return rc;
}

/* storage_txn_notes(): an item noted and not yet folded, into is_fold. */
static int
intake_fold_pick(const void *note, size_t len, void *arg)
{
	struct intake_state	 *is = arg;
	struct intake_item	 *it, **v;
	size_t			  cap;

	if (len != INTAKE_NOTE_LEN || *(const uint8_t *)note !=
	    INTAKE_NOTE_FOLD)
		return 0;
	memcpy(&it, (const uint8_t *)note + 1, sizeof(it));
	if (it->ii_folded)
		return 0;
	if (is->is_nfold == is->is_cfold) {
		cap = is->is_cfold ? 2 * is->is_cfold : 64;
		if ((v = reallocarray(is->is_fold, cap, sizeof(*v))) == NULL)
			return -ENOMEM;
		is->is_fold = v;
		is->is_cfold = cap;
	}
	is->is_fold[is->is_nfold++] = it;
	return 0;
}

/* The records of is_fold's items, for storage_responses_put(). */
static int
intake_fold_records(struct intake_state *is)
{
	struct storage_response	*v;
	struct intake_item	*it;
	size_t			 i;

	if (is->is_nfold > is->is_crecs) {
		if ((v = reallocarray(is->is_recs, is->is_nfold,
		    sizeof(*v))) == NULL)
			return -ENOMEM;
		is->is_recs = v;
		is->is_crecs = is->is_nfold;
	}
	for (i = 0; i < is->is_nfold; i++) {
		it = is->is_fold[i];
		is->is_recs[i].sr_survey = it->ii_survey->is_id;
		is->is_recs[i].sr_day = it->ii_day;
		is->is_recs[i].sr_val = it->ii_record;
		is->is_recs[i].sr_vlen = it->ii_reclen;
	}
	return 0;
}

/* One item counted into its cell and its texts into their groups. */
static int
intake_fold_item(struct intake_state *is, struct storage_txn *txn,
    const struct intake_item *it)
{
	struct cells_id	cid;

	intake_item_cell(it, &cid);
	return intake_fold(&is->is_cells, &is->is_texts, txn, &cid,
	    it->ii_survey->is_survey, it->ii_day, it->ii_answers);
}

int
intake_batch_flush(struct intake_state *is, struct storage_txn *txn)
{
	size_t	i;
	int	ret;

	is->is_nfold = 0;
	/* Nothing noted since the last flush: no walk of the notes. */
	if (is->is_noted == 0) {
		ret = 0;
		goto done;
	}
	is->is_noted = 0;
	if ((ret = storage_txn_notes(txn, intake_fold_pick, is)) != 0 ||
	    is->is_nfold == 0)
		goto done;
	/*
	 * The records in one go, in an order of no meaning (storage.h);
	 * then every cell and comment group read once, counted in the
	 * order the responses came, stepping as each response would have,
	 * and written once.
	 */
	if ((ret = intake_fold_records(is)) != 0 ||
	    (ret = storage_responses_put(txn, is->is_recs, is->is_nfold)) != 0)
		goto done;
	for (i = 0; i < is->is_nfold; i++)
		if ((ret = intake_fold_item(is, txn, is->is_fold[i])) != 0)
			goto done;
	if ((ret = cells_fold_write(&is->is_cells, txn)) != 0 ||
	    (ret = comments_fold_write(&is->is_texts, txn)) != 0)
		goto done;
	for (i = 0; i < is->is_nfold; i++)
		is->is_fold[i]->ii_folded = true;
	ret = 0;
done:
	/* On failure the caller aborts the transaction, so drop it all. */
	cells_fold_clear(&is->is_cells);
	comments_fold_clear(&is->is_texts);
	is->is_nfold = 0;
	return ret;
}

int
intake_batch_precommit(struct intake_state *is, struct storage_txn *txn)
{
	int	rc;

	if ((rc = intake_batch_flush(is, txn)) != 0)
		return rc;
	return idem_index_precommit(is->is_idem, txn);
}

size_t
intake_batch_done(struct intake_state *is, int rc)
{
	is->is_noted = 0;
	idem_index_done(is->is_idem, rc);
	return idem_index_count(is->is_idem);
}

/* ---------------------------------------------------------- sweep */

bool
intake_sweep_begin(struct intake_state *is, int64_t today)
{
	if (is->is_sweeping || is->is_swept_day == today)
		return false;
	is->is_swept_day = today;
	is->is_sweeping = true;
	return true;
}

void
intake_sweep_end(struct intake_state *is, bool ran)
{
	is->is_sweeping = false;
	if (!ran)
		is->is_swept_day = 0;	/* due again at the next submission */
}

/* ---------------------------------------------------------- limits */

int
intake_limit(struct intake_state *is, enum intake_limit kind, uint64_t key,
    long long rate, uint64_t now_ns)
{
	if (rate <= 0)
		return 0;
	return ratelimit_take(is->is_limits[kind], key,
	    (unsigned long long)rate, now_ns);
}

/* ---------------------------------------------------------- devices */

/* A used enrollment code of the collector *arg. */
static int
intake_pick_device(const void *key, size_t klen, const void *val,
    size_t vlen, void *arg)
{
	json_t	*rec;
	bool	 ours;

	(void)key;
	if (klen != INTAKE_DEVICE_KEYLEN)
		return STORAGE_PICK_KEEP;
	rec = json_loadb(val, vlen, 0, NULL);
	ours = codec_u32(json_object_get(rec, "collector")) ==
	    *(const uint32_t *)arg;
	json_decref(rec);
	return ours ? STORAGE_PICK_DELETE : STORAGE_PICK_KEEP;
}

int
intake_forget_devices(struct storage_txn *txn, uint32_t collector)
{
	const uint8_t	tag = INTAKE_DEVICE_USED;

	return storage_del_prefix(txn, STORAGE_DB_DEVICES, &tag, 1,
	    intake_pick_device, &collector, SIZE_MAX, NULL, NULL);
}
