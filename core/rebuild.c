/*
 * rebuild.c — recompute every cell from the response records, in threads
 * that read month by month, and write the cells that differ.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/codec.h"
#include "common/util.h"
#include "core/agg.h"
#include "core/answers.h"
#include "core/catalog.h"
#include "core/cell.h"
#include "core/cells.h"
#include "core/period.h"
#include "core/intake.h"
#include "core/rebuild.h"
#include "core/rec.h"
#include "core/retention.h"
#include "core/rscan.h"
#include "core/survey.h"
#include "storage/storage.h"

#define REBUILD_THREADS_MAX	16

/* A survey and the definitions of its versions, as text for the workers. */
struct rb_survey {
	uint32_t	  s_id;
	uint32_t	  s_nv;		/* versions 1..s_nv */
	char		**s_defs;	/* [v - 1]: JSON text, NULL if none */
	struct survey	**s_parsed;	/* [v - 1]: the main thread's */
	uint32_t	  s_first_kept;	/* month index: earlier ones purged */
};

/* One month of one survey's records: the workers' unit of work. */
struct rb_chunk {
	size_t		c_survey;
	uint32_t	c_from;
	uint32_t	c_to;
};

/* Cells by key: open addressing over CELLS_KEYLEN-byte keys. */
struct rb_entry {
	uint8_t		 e_key[CELLS_KEYLEN];
	struct cell	*e_cell;	/* NULL: a free slot */
};

struct rb_map {
	struct rb_entry	*m_slots;
	size_t		 m_cap;		/* a power of two */
	size_t		 m_count;
};

struct rebuild;

struct rb_worker {
	struct rebuild		 *w_rb;
	pthread_t		  w_thread;
	bool			  w_started;
	struct rb_map		  w_map;
	struct survey		***w_vers;	/* [survey][v - 1], lazily */
	uint64_t		  w_responses;
	uint64_t		  w_bad;
	uint64_t		  w_unreadable;
	int			  w_err;
};

struct rebuild {
	struct storage		*rb_st;
	struct rb_survey	*rb_surveys;
	size_t			 rb_nsurveys;
	struct rb_chunk		*rb_chunks;
	size_t			 rb_nchunks;
	atomic_size_t		 rb_next;
	atomic_bool		 rb_stop;
	pthread_mutex_t		 rb_note_mtx;
	void			(*rb_note)(const char *, void *);
	void			*rb_arg;
};

static void rb_note(struct rebuild *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
rb_note(struct rebuild *rb, const char *fmt, ...)
{
	char	line[256];
	va_list	ap;

	if (rb->rb_note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&rb->rb_note_mtx);
	rb->rb_note(line, rb->rb_arg);
	pthread_mutex_unlock(&rb->rb_note_mtx);
}

/* ---------------------------------------------------------------- map */

static uint64_t
rb_hash(const uint8_t *key)
{
	uint64_t	h = 1469598103934665603ull;	/* FNV-1a */
	size_t		i;

	for (i = 0; i < CELLS_KEYLEN; i++) {
		h ^= key[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void
rb_map_free(struct rb_map *m)
{
	size_t	i;

	for (i = 0; i < m->m_cap; i++)
		cell_free(m->m_slots[i].e_cell);
	free(m->m_slots);
	memset(m, 0, sizeof(*m));
}

/* The slot of key: its entry, or the free slot where it would go. */
static struct rb_entry *
rb_map_slot(const struct rb_map *m, const uint8_t *key)
{
	size_t	i = (size_t)rb_hash(key) & (m->m_cap - 1);

	while (m->m_slots[i].e_cell != NULL &&
	    memcmp(m->m_slots[i].e_key, key, CELLS_KEYLEN) != 0)
		i = (i + 1) & (m->m_cap - 1);
	return &m->m_slots[i];
}

static int
rb_map_grow(struct rb_map *m)
{
	struct rb_map	 n;
	struct rb_entry	*e;
	size_t		 i;

	n.m_cap = m->m_cap ? m->m_cap * 2 : 1024;
	n.m_count = m->m_count;
	if ((n.m_slots = calloc(n.m_cap, sizeof(*n.m_slots))) == NULL)
		return -ENOMEM;
	for (i = 0; i < m->m_cap; i++) {
		if (m->m_slots[i].e_cell == NULL)
			continue;
		e = rb_map_slot(&n, m->m_slots[i].e_key);
		*e = m->m_slots[i];
	}
	free(m->m_slots);
	*m = n;
	return 0;
}

/* The cell of key, made empty with s's shape when new. */
static int
rb_map_get(struct rb_map *m, const uint8_t *key, const struct survey *s,
    struct cell **out)
{
	struct rb_entry	*e;
	unsigned	 shape[SURVEY_MAX_QUESTIONS];
	size_t		 nq, q;
	int		 rc;

	if (m->m_cap == 0 || (m->m_count + 1) * 4 > m->m_cap * 3)
		if ((rc = rb_map_grow(m)) != 0)
			return rc;
	e = rb_map_slot(m, key);
	if (e->e_cell == NULL) {
		nq = survey_question_count(s);
		if (nq > SURVEY_MAX_QUESTIONS)
			return -EINVAL;
		for (q = 0; q < nq; q++)
			shape[q] = (unsigned)survey_question_slots(s, q);
		if ((e->e_cell = cell_new(nq, shape)) == NULL)
			return -ENOMEM;
		memcpy(e->e_key, key, CELLS_KEYLEN);
		m->m_count++;
	}
	*out = e->e_cell;
	return 0;
}

/* dst += src; src's cells are moved or merged, src is emptied. */
static int
rb_map_merge(struct rb_map *dst, struct rb_map *src)
{
	struct rb_entry	*e;
	size_t		 i;
	int		 rc;

	for (i = 0; i < src->m_cap; i++) {
		if (src->m_slots[i].e_cell == NULL)
			continue;
		if (dst->m_cap == 0 || (dst->m_count + 1) * 4 > dst->m_cap * 3)
			if ((rc = rb_map_grow(dst)) != 0)
				return rc;
		e = rb_map_slot(dst, src->m_slots[i].e_key);
		if (e->e_cell == NULL) {
			*e = src->m_slots[i];
			dst->m_count++;
		} else if ((rc = cell_merge(e->e_cell,
		    src->m_slots[i].e_cell)) != 0)
			return rc;
		else
			cell_free(src->m_slots[i].e_cell);
		src->m_slots[i].e_cell = NULL;
	}
	rb_map_free(src);
	return 0;
}

/* ---------------------------------------------------------------- workers */

/* The worker's own parse of (survey, version); NULL when it has none. */
static const struct survey *
rb_version(struct rb_worker *w, size_t si, uint32_t version)
{
	struct rb_survey	*rs = &w->w_rb->rb_surveys[si];
	struct error		 err;
	json_t			*def;

	if (version == 0 || version > rs->s_nv || rs->s_defs[version - 1] ==
	    NULL)
		return NULL;
	if (w->w_vers[si] == NULL &&
	    (w->w_vers[si] = calloc(rs->s_nv, sizeof(struct survey *))) ==
	    NULL)
		return NULL;
	if (w->w_vers[si][version - 1] == NULL) {
		if ((def = json_loads(rs->s_defs[version - 1], 0, NULL)) ==
		    NULL)
			return NULL;
		memset(&err, 0, sizeof(err));
		(void)survey_parse(def, &w->w_vers[si][version - 1], &err);
		json_decref(def);
	}
	return w->w_vers[si][version - 1];
}

/* Count one record into the worker's cells. */
static int
rb_record(struct rb_worker *w, size_t si, const void *key, const void *val,
    size_t vlen)
{
	struct rb_survey	*rs = &w->w_rb->rb_surveys[si];
	struct cell_answer	 ans[SURVEY_MAX_QUESTIONS];
	uint8_t			 slots[SURVEY_MAX_QUESTIONS][QTYPE_MAX_SLOTS];
	struct answers	*a = NULL;
	struct rscan_record	 rr;
	const struct survey	*s = NULL;
	struct error		 err;
	struct cells_id		 id;
	struct cell		*c;
	uint8_t			 ckey[CELLS_KEYLEN];
	const char		*lang;
	uint32_t		 day = storage_response_key_day(key);
	size_t			 nq, q, n;
	json_t			*rec = NULL;
	int			 rc = 0;

	id.ci_survey = rs->s_id;
	/* The fast reader first; whatever it will not judge, jansson does. */
	if (rscan_record(val, vlen, &rr) == 0 &&
	    (s = rb_version(w, si, rr.rr_version)) != NULL &&
	    rscan_answers(s, rr.rr_lang, rr.rr_answers, rr.rr_answers_len,
	    ans, slots) == 0) {
		id.ci_version = rr.rr_version;
		id.ci_unit = rr.rr_owner != 0 ? rr.rr_owner : rr.rr_unit;
	} else {
		rec = json_loadb(val, vlen, 0, NULL);
		id.ci_version = codec_u32(json_object_get(rec, "version"));
		id.ci_unit = intake_record_owner(rec);
		lang = json_string_value(json_object_get(rec, "lang"));
		memset(&err, 0, sizeof(err));
		if (rec == NULL || id.ci_unit == 0 || lang == NULL ||
		    (s = rb_version(w, si, id.ci_version)) == NULL ||
		    answers_check_record(s, json_object_get(rec, "answers"),
		    lang, &a, &err) != 0) {
			w->w_bad++;
			goto done;
		}
		nq = survey_question_count(s);
		for (q = 0; q < nq; q++) {
			answers_slots(a, q, slots[q], &n);
			ans[q].ca_answered = answers_answered(a, q);
			ans[q].ca_slots = slots[q];
			ans[q].ca_count = n;
		}
	}
	id.ci_bucket = (uint32_t)period_bucket(agg_survey_kind(s), day);
	cells_key(&id, ckey);
	if ((rc = rb_map_get(&w->w_map, ckey, s, &c)) != 0 ||
	    (rc = cell_add(c, ans, survey_question_count(s))) != 0)
		goto done;
	w->w_responses++;
done:
	answers_free(a);
	json_decref(rec);
	return rc;
}

static void *
rb_worker_main(void *arg)
{
	struct rb_worker	*w = arg;
	struct rebuild		*rb = w->w_rb;
	struct storage_txn	*txn = NULL;
	struct storage_iter	*it = NULL;
	const struct rb_chunk	*ch;
	const void		*key, *val;
	size_t			 klen, vlen, i;
	int			 rc;

	if ((rc = storage_txn_begin(rb->rb_st, false, &txn)) != 0)
		goto done;
	while (!atomic_load(&rb->rb_stop) &&
	    (i = atomic_fetch_add(&rb->rb_next, 1)) < rb->rb_nchunks) {
		ch = &rb->rb_chunks[i];
		if ((rc = storage_response_iter(txn,
		    rb->rb_surveys[ch->c_survey].s_id, ch->c_from, ch->c_to,
		    &it)) != 0)
			goto done;
		for (;;) {
			rc = storage_iter_next(it, &key, &klen, &val, &vlen);
			if (rc == -EBADMSG) {
				w->w_unreadable++;
				continue;
			}
			if (rc != 0)
				break;
			if ((rc = rb_record(w, ch->c_survey, key, val,
			    vlen)) != 0)
				goto done;
		}
		storage_iter_free(it);
		it = NULL;
		if (rc != -ENOENT)
			goto done;
	}
	rc = 0;
done:
	storage_iter_free(it);
	storage_txn_abort(txn);
	if (rc != 0) {
		w->w_err = rc;
		atomic_store(&rb->rb_stop, true);
	}
	return NULL;
}

static void
rb_worker_clear(struct rb_worker *w, size_t nsurveys)
{
	size_t		si;
	uint32_t	v;

	rb_map_free(&w->w_map);
	for (si = 0; w->w_vers != NULL && si < nsurveys; si++) {
		if (w->w_vers[si] == NULL)
			continue;
		for (v = 0; v < w->w_rb->rb_surveys[si].s_nv; v++)
			survey_free(w->w_vers[si][v]);
		free(w->w_vers[si]);
	}
	free(w->w_vers);
	w->w_vers = NULL;
}

/* ---------------------------------------------------------------- plan */

struct rb_ids {
	uint32_t	*i_ids;
	size_t		 i_n;
	size_t		 i_cap;
};

static int
rb_collect(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct rb_ids	*ids = arg;
	uint32_t	*p;

	(void)obj;
	if (klen != REC_IDLEN)
		return 0;	/* a version's definition */
	if (ids->i_n == ids->i_cap) {
		ids->i_cap = ids->i_cap ? ids->i_cap * 2 : 16;
		if ((p = realloc(ids->i_ids, ids->i_cap * sizeof(*p))) ==
		    NULL)
			return -ENOMEM;
		ids->i_ids = p;
	}
	ids->i_ids[ids->i_n++] = rec_key_id(key);
	return 0;
}

static void
rb_survey_clear(struct rb_survey *rs)
{
	uint32_t	v;

	for (v = 0; v < rs->s_nv; v++) {
		free(rs->s_defs != NULL ? rs->s_defs[v] : NULL);
		survey_free(rs->s_parsed != NULL ? rs->s_parsed[v] : NULL);
	}
	free(rs->s_defs);
	free(rs->s_parsed);
}

/* A survey's versions and retention edge, read in txn. */
static int
rb_survey_load(struct rebuild *rb, struct storage_txn *txn, uint32_t id,
    int64_t today, struct rb_survey *rs)
{
	struct error	 err;
	unsigned	 months = 0, m;
	uint32_t	 v;
	json_t		*def = NULL;
	int		 rc;

	memset(rs, 0, sizeof(*rs));
	rs->s_id = id;
	if ((rc = catalog_current_version(txn, id, &rs->s_nv)) != 0)
		return rc;
	if ((rs->s_defs = calloc(rs->s_nv, sizeof(char *))) == NULL ||
	    (rs->s_parsed = calloc(rs->s_nv, sizeof(struct survey *))) ==
	    NULL)
		return -ENOMEM;
	for (v = 1; v <= rs->s_nv; v++) {
		rc = catalog_definition(txn, id, v, &def, NULL);
		if (rc == -ENOENT)
			continue;
		if (rc != 0)
			return rc;
		memset(&err, 0, sizeof(err));
		if (survey_parse(def, &rs->s_parsed[v - 1], &err) != 0) {
			rb_note(rb, "survey %u version %u: the definition does "
			    "not load; its cells are kept", id, v);
			json_decref(def);
			continue;
		}
		rs->s_defs[v - 1] = json_dumps(def, JSON_COMPACT);
		json_decref(def);
		if (rs->s_defs[v - 1] == NULL)
			return -ENOMEM;
		m = survey_retention_months(rs->s_parsed[v - 1]);
		if (months == 0 || m < months)
			months = m;
	}
	rs->s_first_kept = months != 0 ? retention_first_kept(today, months) :
	    UINT32_MAX;
	return 0;
}

/* First day of a month index. */
static uint32_t
rb_month_first(uint32_t month)
{
	int64_t	d = util_days_from_civil((int)(month / 12), month % 12 + 1, 1);

	return d < 0 ? 0 : d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

/* Chunks of a survey: its kept months that may hold responses. */
static int
rb_plan_survey(struct rebuild *rb, struct storage_txn *txn, size_t si,
    int64_t today, size_t *cap)
{
	struct rb_survey	*rs = &rb->rb_surveys[si];
	struct storage_iter	*it = NULL;
	struct rb_chunk		*c;
	const void		*key, *val;
	size_t			 klen, vlen;
	uint32_t		 first = 0, m, last;
	int			 rc;

	/* The first record's day: a seek, whatever the record holds. */
	if ((rc = storage_response_iter(txn, rs->s_id, 0, UINT32_MAX,
	    &it)) != 0)
		return rc;
	rc = storage_iter_next(it, &key, &klen, &val, &vlen);
	if (rc == 0 || rc == -EBADMSG)
		first = storage_response_key_day(key);
	storage_iter_free(it);
	if (rc == -ENOENT)
		return 0;
	if (rc != 0 && rc != -EBADMSG)
		return rc;
	m = storage_day_month(first);
	if (m < rs->s_first_kept)
		m = rs->s_first_kept;
	/* A kiosk's local day runs at most a day ahead of UTC. */
	last = storage_day_month((uint32_t)(today + 2));
	for (; m <= last; m++) {
		if (rb->rb_nchunks == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			if ((c = realloc(rb->rb_chunks, *cap *
			    sizeof(*c))) == NULL)
				return -ENOMEM;
			rb->rb_chunks = c;
		}
		c = &rb->rb_chunks[rb->rb_nchunks++];
		c->c_survey = si;
		c->c_from = rb_month_first(m);
		c->c_to = rb_month_first(m + 1) - 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- write */

static size_t
rb_survey_index(const struct rebuild *rb, uint32_t id)
{
	size_t	i;

	for (i = 0; i < rb->rb_nsurveys; i++)
		if (rb->rb_surveys[i].s_id == id)
			return i;
	return SIZE_MAX;
}

/* Whether the cell of id lies wholly in months its survey still keeps. */
static bool
rb_kept_months(const struct rebuild *rb, const struct cells_id *id)
{
	const struct rb_survey	*rs;
	size_t			 si = rb_survey_index(rb, id->ci_survey);

	if (si == SIZE_MAX)
		return false;
	rs = &rb->rb_surveys[si];
	/* The bucket's first month decides: its later months are newer. */
	return storage_day_month(id->ci_bucket) >= rs->s_first_kept;
}

static bool
rb_cell_equal(const struct cell *a, const struct cell *b)
{
	return cell_same_shape(a, b) && a->c_n == b->c_n &&
	    memcmp(a->c_answered, b->c_answered, a->c_nquestions *
	    sizeof(uint32_t)) == 0 && memcmp(a->c_slots, b->c_slots,
	    a->c_total_slots * sizeof(uint32_t)) == 0;
}

struct rb_stored {
	struct rebuild		*s_rb;
	struct rb_map		*s_map;
	struct rebuild_report	*s_r;
};

/* A stored cell no record counts in: kept, and said why. */
static int
rb_stored_one(const struct cells_id *id, const struct cell *c,
    const struct cell *released, void *arg)
{
	struct rb_stored	*s = arg;
	uint8_t			 key[CELLS_KEYLEN];

	(void)c;
	(void)released;
	cells_key(id, key);
	if (s->s_map->m_cap != 0 &&
	    rb_map_slot(s->s_map, key)->e_cell != NULL)
		return 0;
	if (!rb_kept_months(s->s_rb, id))
		s->s_r->rr_kept_retention++;
	else
		s->s_r->rr_kept_orphan++;
	return 0;
}

static int
rb_write(struct rebuild *rb, struct storage_txn *txn, struct rb_map *map,
    bool dry_run, struct rebuild_report *r)
{
	struct rb_stored	 s;
	struct cells_id		 id;
	struct cell		*old = NULL, *rel = NULL;
	size_t			 i;
	int			 rc;

	for (i = 0; i < map->m_cap; i++) {
		if (map->m_slots[i].e_cell == NULL)
			continue;
		cells_key_parse(map->m_slots[i].e_key, &id);
		if (!rb_kept_months(rb, &id)) {
			r->rr_kept_retention++;
			continue;
		}
		/* The released state is history: it stays as it is. */
		rc = cells_get_pair(txn, &id, &old, &rel);
		if (rc != 0 && rc != -ENOENT)
			return rc;
		if (rc == 0 && rb_cell_equal(old, map->m_slots[i].e_cell)) {
			r->rr_same++;
		} else {
			if (rc == 0)
				rb_note(rb, "survey %u version %u unit %u: a "
				    "cell counted %u responses, the records %u",
				    id.ci_survey, id.ci_version, id.ci_unit,
				    old->c_n, map->m_slots[i].e_cell->c_n);
			if (!dry_run && (rc = cells_put(txn, &id,
			    map->m_slots[i].e_cell, rel)) != 0) {
				cell_free(old);
				cell_free(rel);
				return rc;
			}
			r->rr_written++;
		}
		cell_free(old);
		cell_free(rel);
		old = rel = NULL;
	}
	s.s_rb = rb;
	s.s_map = map;
	s.s_r = r;
	for (i = 0; i < rb->rb_nsurveys; i++)
		if ((rc = cells_each(txn, rb->rb_surveys[i].s_id, rb_stored_one,
		    &s)) != 0)
			return rc;
	return 0;
}

/* ---------------------------------------------------------------- run */

int
rebuild_run(struct storage *st, int64_t today, unsigned threads,
    bool dry_run, void (*note)(const char *, void *), void *arg,
    struct rebuild_report *out)
{
	struct rebuild		 rb;
	struct rb_worker	*w = NULL;
	struct storage_txn	*txn = NULL;
	struct rb_ids		 ids;
	struct rb_map		 all;
	size_t			 i, cap = 0;
	long			 ncpu;
	int			 rc, ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&rb, 0, sizeof(rb));
	memset(&ids, 0, sizeof(ids));
	memset(&all, 0, sizeof(all));
	rb.rb_st = st;
	rb.rb_note = note;
	rb.rb_arg = arg;
	atomic_init(&rb.rb_next, 0);
	atomic_init(&rb.rb_stop, false);
	if (pthread_mutex_init(&rb.rb_note_mtx, NULL) != 0)
		return -ENOMEM;
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu < 1 ? 1 : ncpu > REBUILD_THREADS_MAX ?
		    REBUILD_THREADS_MAX : (unsigned)ncpu;
	}
	if (threads > REBUILD_THREADS_MAX)
		threads = REBUILD_THREADS_MAX;

	/* The writer's lock for the whole run: see rebuild.h. */
	if ((ret = storage_txn_begin(st, true, &txn)) != 0)
		goto done;
	/* Released state is history, kept as it is: first give it to the
	 * cells of a store written before they kept it. */
	if ((ret = cells_migrate(txn, NULL)) != 0)
		goto done;
	if ((ret = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0, rb_collect,
	    &ids)) != 0)
		goto done;
	if ((rb.rb_surveys = calloc(ids.i_n + 1, sizeof(*rb.rb_surveys))) ==
	    NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < ids.i_n; i++) {
		ret = rb_survey_load(&rb, txn, ids.i_ids[i], today,
		    &rb.rb_surveys[rb.rb_nsurveys]);
		rb.rb_nsurveys++;
		if (ret != 0)
			goto done;
		if ((ret = rb_plan_survey(&rb, txn, rb.rb_nsurveys - 1, today,
		    &cap)) != 0)
			goto done;
	}
	out->rr_surveys = (unsigned)rb.rb_nsurveys;

	if ((w = calloc(threads, sizeof(*w))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < threads; i++) {
		w[i].w_rb = &rb;
		if ((w[i].w_vers = calloc(rb.rb_nsurveys + 1,
		    sizeof(*w[i].w_vers))) == NULL) {
			ret = -ENOMEM;
			goto join;
		}
		if ((rc = pthread_create(&w[i].w_thread, NULL, rb_worker_main,
		    &w[i])) != 0) {
			ret = -rc;
			atomic_store(&rb.rb_stop, true);
			goto join;
		}
		w[i].w_started = true;
	}
	ret = 0;
join:
	for (i = 0; i < threads; i++) {
		if (!w[i].w_started)
			continue;
		pthread_join(w[i].w_thread, NULL);
		out->rr_responses += w[i].w_responses;
		out->rr_bad += w[i].w_bad;
		out->rr_unreadable += w[i].w_unreadable;
		if (ret == 0 && w[i].w_err != 0)
			ret = w[i].w_err;
	}
	if (ret != 0)
		goto done;
	if (out->rr_bad > 0)
		rb_note(&rb, "%llu records do not fit their survey version; "
		    "they are not counted", (unsigned long long)out->rr_bad);
	if (out->rr_unreadable > 0)
		rb_note(&rb, "%llu records do not open; they are not counted",
		    (unsigned long long)out->rr_unreadable);
	for (i = 0; i < threads; i++)
		if ((ret = rb_map_merge(&all, &w[i].w_map)) != 0)
			goto done;
	if ((ret = rb_write(&rb, txn, &all, dry_run, out)) != 0)
		goto done;
	if (dry_run) {
		ret = 0;
		goto done;
	}
	ret = storage_txn_commit(txn);
	txn = NULL;
done:
	storage_txn_abort(txn);
	for (i = 0; w != NULL && i < threads; i++)
		rb_worker_clear(&w[i], rb.rb_nsurveys);
	free(w);
	rb_map_free(&all);
	for (i = 0; i < rb.rb_nsurveys; i++)
		rb_survey_clear(&rb.rb_surveys[i]);
	free(rb.rb_surveys);
	free(rb.rb_chunks);
	free(ids.i_ids);
	pthread_mutex_destroy(&rb.rb_note_mtx);
	return ret;
}
