/*
 * comments.c — the comments index: texts gathered per group and written
 * out in steps of kc, in the writer's transaction of each response; the
 * walk over completed steps; the one-time build from the records.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "common/codec.h"
#include "common/log.h"
#include "core/catalog.h"
#include "core/comments.h"
#include "core/intake.h"
#include "core/period.h"
#include "core/rec.h"
#include "core/release.h"
#include "core/rscan.h"
#include "core/survey.h"
#include "storage/storage.h"

/* In STORAGE_DB_META once the index holds every stored text. */
static const char	comments_indexed_key[] = "comments_indexed";

/* The first byte of a pending entry in the layout of comments.h. */
#define COMMENTS_PENDING_BINARY	'P'
/* A text's language code, in its one byte of length. */
#define COMMENTS_LANG_MAX	255

static void
comments_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
comments_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
comments_key(const struct comments_id *id, uint32_t step,
    uint8_t key[COMMENTS_KEYLEN])
{
	comments_be32(key, id->cm_survey);
	comments_be32(key + 4, id->cm_month);
	comments_be32(key + 8, id->cm_version);
	comments_be32(key + 12, id->cm_unit);
	comments_be32(key + 16, id->cm_bucket);
	key[20] = (uint8_t)(id->cm_question >> 8);
	key[21] = (uint8_t)id->cm_question;
	comments_be32(key + 22, step);
}

void
comments_key_parse(const uint8_t key[COMMENTS_KEYLEN], struct comments_id *id,
    uint32_t *step)
{
	id->cm_survey = comments_rd32(key);
	id->cm_month = comments_rd32(key + 4);
	id->cm_version = comments_rd32(key + 8);
	id->cm_unit = comments_rd32(key + 12);
	id->cm_bucket = comments_rd32(key + 16);
	id->cm_question = (uint16_t)(key[20] << 8 | key[21]);
	*step = comments_rd32(key + 22);
}

uint32_t
comments_k(const struct survey *s)
{
	uint32_t	kc = survey_min_group_comments(s);
	uint32_t	k = release_k(survey_min_group(s));

	return kc > k ? kc : k;
}

/* Wipe and free a buffer that held texts. */
static void
comments_wipe(void *buf, size_t len)
{
	if (buf == NULL)
		return;
	sodium_memzero(buf, len);
	free(buf);
}

/* ------------------------------------------------------- pending entry */

/*
 * A pending entry in memory: its texts point into the opened value (or,
 * for one of the JSON layout, into its parsed JSON), which the entry
 * holds until comments_pend_clear().
 */
struct comments_text {
	const char	*ct_text;
	size_t		 ct_tlen;
	const char	*ct_lang;	/* NULL: none */
	size_t		 ct_llen;
};

struct comments_pend {
	uint32_t		 cp_next;
	struct comments_text	*cp_v;
	size_t			 cp_n;
	size_t			 cp_cap;
	void			*cp_val;	/* the opened value */
	size_t			 cp_vlen;
	json_t			*cp_json;	/* ... parsed, JSON layout */
};

static void
comments_pend_clear(struct comments_pend *p)
{
	free(p->cp_v);
	comments_wipe(p->cp_val, p->cp_vlen);
	json_decref(p->cp_json);
	memset(p, 0, sizeof(*p));
}

/* Room for one more text. */
static int
comments_pend_grow(struct comments_pend *p)
{
	struct comments_text	*v;
	size_t			 cap;

	if (p->cp_n < p->cp_cap)
		return 0;
	cap = p->cp_cap ? 2 * p->cp_cap : 16;
	if ((v = reallocarray(p->cp_v, cap, sizeof(*v))) == NULL)
		return -ENOMEM;
	p->cp_v = v;
	p->cp_cap = cap;
	return 0;
}

/* The layout of comments.h; -EBADMSG when the bytes are not one. */
static int
comments_pend_binary(struct comments_pend *p, const uint8_t *b, size_t len)
{
	struct comments_text	 t;
	size_t			 at = 5;
	int			 rc;

	if (len < 5)
		return -EBADMSG;
	p->cp_next = comments_rd32(b + 1);
	if (p->cp_next >= COMMENTS_PENDING)
		return -EBADMSG;
	while (at < len) {
		t.ct_llen = b[at++];
		if (len - at < t.ct_llen + 4)
			return -EBADMSG;
		t.ct_lang = t.ct_llen > 0 ? (const char *)b + at : NULL;
		at += t.ct_llen;
		t.ct_tlen = comments_rd32(b + at);
		at += 4;
		if (t.ct_tlen == 0 || len - at < t.ct_tlen)
			return -EBADMSG;
		t.ct_text = (const char *)b + at;
		at += t.ct_tlen;
		if ((rc = comments_pend_grow(p)) != 0)
			return rc;
		p->cp_v[p->cp_n++] = t;
	}
	return 0;
}

/* The JSON layout of stores written before the binary one. */
static int
comments_pend_json(struct comments_pend *p)
{
	json_t		*list, *item, *next;
	json_int_t	 n;
	size_t		 i;
	int		 rc;

	if ((p->cp_json = json_loadb(p->cp_val, p->cp_vlen, 0, NULL)) == NULL)
		return -EBADMSG;
	next = json_object_get(p->cp_json, "next");
	list = json_object_get(p->cp_json, "comments");
	n = json_integer_value(next);
	if (!json_is_integer(next) || n < 0 || n >= COMMENTS_PENDING ||
	    !json_is_array(list))
		return -EBADMSG;
	p->cp_next = (uint32_t)n;
	json_array_foreach(list, i, item) {
		if ((rc = comments_pend_grow(p)) != 0)
			return rc;
		p->cp_v[p->cp_n].ct_text = json_string_value(json_object_get(
		    item, "text"));
		p->cp_v[p->cp_n].ct_lang = json_string_value(json_object_get(
		    item, "lang"));
		if (p->cp_v[p->cp_n].ct_text == NULL)
			return -EBADMSG;
		p->cp_v[p->cp_n].ct_tlen = strlen(p->cp_v[p->cp_n].ct_text);
		p->cp_v[p->cp_n].ct_llen = p->cp_v[p->cp_n].ct_lang != NULL ?
		    strlen(p->cp_v[p->cp_n].ct_lang) : 0;
		if (p->cp_v[p->cp_n].ct_llen > COMMENTS_LANG_MAX)
			return -EBADMSG;
		p->cp_n++;
	}
	return 0;
}

/* A pending entry's value (val, vlen: taken over) into p, either layout. */
static int
comments_pend_decode(struct comments_pend *p, void *val, size_t vlen)
{
	p->cp_val = val;
	p->cp_vlen = vlen;
	if (vlen > 0 && *(const uint8_t *)val == COMMENTS_PENDING_BINARY)
		return comments_pend_binary(p, val, vlen);
	return comments_pend_json(p);
}

/* The pending entry at key, or an empty one when there is none yet. */
static int
comments_pend_read(struct storage_txn *txn,
    const uint8_t key[COMMENTS_KEYLEN], struct comments_pend *p)
{
	void	*val = NULL;
	size_t	 len = 0;
	int	 ret;

	ret = storage_get(txn, STORAGE_DB_COMMENTS, key, COMMENTS_KEYLEN, &val,
	    &len);
	if (ret == -ENOENT)
		return 0;
	if (ret != 0)
		return ret;
	return comments_pend_decode(p, val, len);
}

/* Seal and put p in the layout of comments.h. */
static int
comments_pend_write(struct storage_txn *txn,
    const uint8_t key[COMMENTS_KEYLEN], const struct comments_pend *p)
{
	const struct comments_text	*t;
	uint8_t				*buf = NULL, *at;
	size_t				 len = 5, i;
	int				 ret;

	for (i = 0; i < p->cp_n; i++)
		len += 1 + p->cp_v[i].ct_llen + 4 + p->cp_v[i].ct_tlen;
	if ((buf = malloc(len)) == NULL)
		return -ENOMEM;
	buf[0] = COMMENTS_PENDING_BINARY;
	comments_be32(buf + 1, p->cp_next);
	for (at = buf + 5, i = 0; i < p->cp_n; i++) {
		t = &p->cp_v[i];
		*at++ = (uint8_t)t->ct_llen;
		memcpy(at, t->ct_lang, t->ct_llen);
		at += t->ct_llen;
		comments_be32(at, (uint32_t)t->ct_tlen);
		at += 4;
		memcpy(at, t->ct_text, t->ct_tlen);
		at += t->ct_tlen;
	}
	ret = storage_put(txn, STORAGE_DB_COMMENTS, key, COMMENTS_KEYLEN, buf,
	    len, 0);
	comments_wipe(buf, len);
	return ret;
}

/*
 * The first kc texts of p as the completed step at key: the JSON of
 * comments.h, written directly (codec.h) as jansson would have written
 * it, lang null when none.
 */
static int
comments_step_write(struct storage_txn *txn,
    const uint8_t key[COMMENTS_KEYLEN], const struct comments_pend *p,
    uint32_t kc)
{
	const struct comments_text	*t;
	struct codec_buf		 b;
	char				*step = NULL;
	size_t				 i, len = 0;
	int				 ret;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < kc; i++) {
		t = &p->cp_v[i];
		if (i == 0)
			CODEC_BUF_LIT(&b, "[{\"text\":");
		else
			CODEC_BUF_LIT(&b, ",{\"text\":");
		codec_buf_str(&b, t->ct_text, t->ct_tlen);
		CODEC_BUF_LIT(&b, ",\"lang\":");
		if (t->ct_lang != NULL)
			codec_buf_str(&b, t->ct_lang, t->ct_llen);
		else
			CODEC_BUF_LIT(&b, "null");
		CODEC_BUF_LIT(&b, "}");
	}
	CODEC_BUF_LIT(&b, "]");
	if ((step = codec_buf_take(&b, &len)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	/* Released history: a step is never written twice. */
	ret = storage_put(txn, STORAGE_DB_COMMENTS, key, COMMENTS_KEYLEN, step,
	    len, STORAGE_NOOVERWRITE);
	if (ret == -EEXIST)
		ret = -EBADMSG;
done:
	comments_wipe(step, len);
	codec_buf_wipe(&b);
	return ret;
}

/* A pending entry of a fold, and the texts it took, copied. */
struct comments_fold_group {
	uint8_t			 fg_key[COMMENTS_KEYLEN];
	struct comments_pend	 fg_pend;
	char			**fg_own;
	size_t			 fg_nown;
	size_t			 fg_cown;
};

static void
comments_fold_group_clear(struct comments_fold_group *g)
{
	size_t	i;

	comments_pend_clear(&g->fg_pend);
	for (i = 0; i < g->fg_nown; i++)
		comments_wipe(g->fg_own[i], strlen(g->fg_own[i]));
	free(g->fg_own);
	memset(g, 0, sizeof(*g));
}

/* f's group of pkey, its pending entry read from txn when f has none. */
static int
comments_fold_find(struct comments_fold *f, struct storage_txn *txn,
    const uint8_t pkey[COMMENTS_KEYLEN], struct comments_fold_group **out)
{
	struct comments_fold_group	*g, *v;
	size_t				 i, cap;
	int				 ret;

	for (i = f->cf_n; i > 0; i--) {
		if (memcmp(f->cf_v[i - 1].fg_key, pkey, COMMENTS_KEYLEN) == 0) {
			*out = &f->cf_v[i - 1];
			return 0;
		}
	}
	if (f->cf_n == f->cf_cap) {
		cap = f->cf_cap ? 2 * f->cf_cap : 4;
		if ((v = reallocarray(f->cf_v, cap, sizeof(*v))) == NULL)
			return -ENOMEM;
		f->cf_v = v;
		f->cf_cap = cap;
	}
	g = &f->cf_v[f->cf_n];
	memset(g, 0, sizeof(*g));
	memcpy(g->fg_key, pkey, COMMENTS_KEYLEN);
	if ((ret = comments_pend_read(txn, pkey, &g->fg_pend)) != 0) {
		comments_fold_group_clear(g);
		return ret;
	}
	f->cf_n++;
	*out = g;
	return 0;
}

/* A copy of s (len bytes) that g owns until it is cleared. */
static char *
comments_fold_own(struct comments_fold_group *g, const char *s, size_t len)
{
	char	**v, *copy;
	size_t	  cap;

	if (g->fg_nown == g->fg_cown) {
		cap = g->fg_cown ? 2 * g->fg_cown : 8;
		if ((v = reallocarray(g->fg_own, cap, sizeof(*v))) == NULL)
			return NULL;
		g->fg_own = v;
		g->fg_cown = cap;
	}
	if ((copy = strndup(s, len)) == NULL)
		return NULL;
	g->fg_own[g->fg_nown++] = copy;
	return copy;
}

int
comments_fold_add(struct comments_fold *f, struct storage_txn *txn,
    const struct comments_id *id, const char *text, const char *lang,
    uint32_t kc)
{
	uint8_t				 pkey[COMMENTS_KEYLEN];
	uint8_t				 skey[COMMENTS_KEYLEN];
	struct comments_fold_group	*g = NULL;
	struct comments_pend		*p;
	struct comments_text		 t;
	size_t				 at;
	int				 ret;

	if (id == NULL || text == NULL || *text == '\0' || kc == 0 ||
	    (lang != NULL && strlen(lang) > COMMENTS_LANG_MAX)) {
		ret = -EINVAL;
		goto done;
	}
	comments_key(id, COMMENTS_PENDING, pkey);
	if ((ret = comments_fold_find(f, txn, pkey, &g)) != 0)
		goto done;
	p = &g->fg_pend;
	t.ct_tlen = strlen(text);
	t.ct_llen = lang != NULL ? strlen(lang) : 0;
	t.ct_text = comments_fold_own(g, text, t.ct_tlen);
	t.ct_lang = lang != NULL ? comments_fold_own(g, lang, t.ct_llen) :
	    NULL;
	if (t.ct_text == NULL || (lang != NULL && t.ct_lang == NULL) ||
	    (ret = comments_pend_grow(p)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	/* A random place: the entry keeps no order of arrival. */
	at = storage_random_uniform((uint32_t)p->cp_n + 1);
	memmove(p->cp_v + at + 1, p->cp_v + at, (p->cp_n - at) *
	    sizeof(*p->cp_v));
	p->cp_v[at] = t;
	p->cp_n++;
	while (p->cp_n >= kc) {
		if (p->cp_next == COMMENTS_PENDING - 1) {
			ret = -EOVERFLOW;
			goto done;
		}
		comments_key(id, p->cp_next, skey);
		if ((ret = comments_step_write(txn, skey, p, kc)) != 0)
			goto done;
		memmove(p->cp_v, p->cp_v + kc, (p->cp_n - kc) *
		    sizeof(*p->cp_v));
		p->cp_n -= kc;
		p->cp_next++;
	}
	ret = 0;
done:
	return ret;
}

int
comments_fold_write(struct comments_fold *f, struct storage_txn *txn)
{
	size_t	i;
	int	ret = 0;

	for (i = 0; i < f->cf_n && ret == 0; i++)
		ret = comments_pend_write(txn, f->cf_v[i].fg_key,
		    &f->cf_v[i].fg_pend);
	comments_fold_clear(f);
	return ret;
}

void
comments_fold_clear(struct comments_fold *f)
{
	size_t	i;

	for (i = 0; i < f->cf_n; i++)
		comments_fold_group_clear(&f->cf_v[i]);
	free(f->cf_v);
	memset(f, 0, sizeof(*f));
}

int
comments_add(struct storage_txn *txn, const struct comments_id *id,
    const char *text, const char *lang, uint32_t kc)
{
	struct comments_fold	f;
	int			ret;

	memset(&f, 0, sizeof(f));
	if ((ret = comments_fold_add(&f, txn, id, text, lang, kc)) == 0)
		ret = comments_fold_write(&f, txn);
	comments_fold_clear(&f);
	return ret;
}

/* The walk's bounds and filter, judged on keys alone. */
struct comments_walk {
	uint32_t	  cw_month_to;
	bool		  cw_pending;	/* yield pending entries too */
	bool		(*cw_pick)(const struct comments_id *, void *);
	void		 *cw_arg;
};

static int
comments_walk_key(const void *key, size_t klen, void *arg)
{
	struct comments_walk	*cw = arg;
	struct comments_id	 id;
	uint32_t		 step;

	if (klen != COMMENTS_KEYLEN)
		return -EBADMSG;
	comments_key_parse(key, &id, &step);
	if (id.cm_month > cw->cw_month_to)
		return -ENOENT;
	if (step == COMMENTS_PENDING && !cw->cw_pending)
		return 0;	/* never opened */
	if (cw->cw_pick != NULL && !cw->cw_pick(&id, cw->cw_arg))
		return 0;
	return 1;
}

/* One completed step's texts to fn. */
static int
comments_step_texts(const struct comments_id *id, const void *val,
    size_t vlen, comments_fn fn, void *arg)
{
	json_t		*step = NULL, *item;
	const char	*text;
	size_t		 i;
	int		 ret = 0;

	if ((step = json_loadb(val, vlen, 0, NULL)) == NULL ||
	    !json_is_array(step)) {
		ret = -EBADMSG;
		goto done;
	}
	json_array_foreach(step, i, item) {
		if ((text = json_string_value(json_object_get(item,
		    "text"))) == NULL) {
			ret = -EBADMSG;
			goto done;
		}
		if ((ret = fn(id, text, json_string_value(json_object_get(item,
		    "lang")), arg)) != 0)
			goto done;
	}
done:
	json_decref(step);
	return ret;
}

int
comments_select(struct storage_txn *txn, uint32_t survey,
    uint32_t month_from, uint32_t month_to,
    bool (*pick)(const struct comments_id *, void *), comments_fn fn,
    void *arg)
{
	struct storage_iter	*it = NULL;
	struct comments_walk	 cw;
	struct comments_id	 id;
	const void		*key, *val;
	size_t			 klen, vlen;
	uint8_t			 from[STORAGE_COMMENTS_PREFIXLEN];
	uint32_t		 step;
	int			 ret;

	if (fn == NULL)
		return -EINVAL;
	if (month_from > month_to)
		return 0;
	cw.cw_month_to = month_to;
	cw.cw_pending = false;
	cw.cw_pick = pick;
	cw.cw_arg = arg;
	comments_be32(from, survey);
	comments_be32(from + 4, month_from);
	if ((ret = storage_iter_new(txn, STORAGE_DB_COMMENTS, from, 4,
	    &it)) != 0 ||
	    (ret = storage_iter_seek(it, from, sizeof(from))) != 0)
		goto done;
	storage_iter_keys(it, comments_walk_key, &cw);
	while ((ret = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		comments_key_parse(key, &id, &step);
		if ((ret = comments_step_texts(&id, val, vlen, fn, arg)) != 0)
			goto done;
	}
	if (ret == -ENOENT)
		ret = 0;
done:
	storage_iter_free(it);
	return ret;
}

int
comments_each(struct storage_txn *txn, uint32_t survey, uint32_t month_from,
    uint32_t month_to, comments_fn fn, void *arg)
{
	return comments_select(txn, survey, month_from, month_to, NULL, fn,
	    arg);
}

int
comments_steps(struct storage_txn *txn, uint32_t survey,
    int (*fn)(const struct comments_id *, uint32_t, size_t, void *),
    void *arg)
{
	struct storage_iter	*it = NULL;
	struct comments_walk	 cw;
	struct comments_id	 id;
	const void		*key, *val;
	size_t			 klen, vlen;
	struct comments_pend	 p;
	uint8_t			 prefix[4];
	uint32_t		 step;
	json_t			*v = NULL;
	void			*copy;
	size_t			 n;
	int			 ret;

	memset(&cw, 0, sizeof(cw));
	cw.cw_month_to = UINT32_MAX;
	cw.cw_pending = true;
	comments_be32(prefix, survey);
	if ((ret = storage_iter_new(txn, STORAGE_DB_COMMENTS, prefix,
	    sizeof(prefix), &it)) != 0)
		goto done;
	storage_iter_keys(it, comments_walk_key, &cw);
	while ((ret = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		comments_key_parse(key, &id, &step);
		if (step == COMMENTS_PENDING) {
			/* The iterator owns val: decode a copy. */
			memset(&p, 0, sizeof(p));
			if ((copy = malloc(vlen + 1)) == NULL) {
				ret = -ENOMEM;
				goto done;
			}
			memcpy(copy, val, vlen);
			ret = comments_pend_decode(&p, copy, vlen);
			n = p.cp_n;
			comments_pend_clear(&p);
			if (ret != 0)
				goto done;
		} else {
			v = json_loadb(val, vlen, 0, NULL);
			if (!json_is_array(v)) {
				ret = -EBADMSG;
				goto done;
			}
			n = json_array_size(v);
			json_decref(v);
			v = NULL;
		}
		if ((ret = fn(&id, step, n, arg)) != 0)
			goto done;
	}
	if (ret == -ENOENT)
		ret = 0;
done:
	json_decref(v);
	storage_iter_free(it);
	return ret;
}

/* ------------------------------------------------------------ migration */

/* A survey version as the migration needs it. */
struct comments_ver {
	bool		 cv_loaded;
	struct survey	*cv_survey;	/* NULL: not stored, or no text */
	enum period_kind cv_kind;
	uint32_t	 cv_kc;
};

struct comments_mig {
	struct storage_txn	*cm_txn;
	uint32_t		 cm_survey;
	struct comments_ver	*cm_vers;	/* [version - 1] */
	uint32_t		 cm_nvers;	/* the current version */
	size_t			 cm_texts;
	size_t			 cm_skipped;
};

struct comments_ids {
	uint32_t	*ci_v;
	size_t		 ci_n, ci_cap;
};

/*
 * The version's entry, loaded once (*out NULL: a version the survey does
 * not have); its cv_survey is NULL when it has no text question.
 */
static int
comments_mig_version(struct comments_mig *m, uint32_t version,
    struct comments_ver **out)
{
	struct comments_ver	*cv;
	struct survey		*s = NULL;
	size_t			 qi;
	bool			 text = false;
	int			 rc;

	*out = NULL;
	if (version == 0 || version > m->cm_nvers)
		return 0;
	cv = &m->cm_vers[version - 1];
	*out = cv;
	if (cv->cv_loaded)
		return 0;
	cv->cv_loaded = true;
	rc = catalog_load(m->cm_txn, m->cm_survey, version, &s, NULL);
	/* A version that is gone or does not parse has nothing to index. */
	if (rc == -ENOENT || rc == -EBADMSG)
		return 0;
	if (rc != 0)
		return rc;
	for (qi = 0; qi < survey_question_count(s); qi++)
		if (survey_question_type(s, qi) == QTYPE_TEXT)
			text = true;
	if (!text || survey_question_count(s) > UINT16_MAX) {
		survey_free(s);
		return 0;
	}
	cv->cv_survey = s;
	cv->cv_kind = intake_period(survey_period(s));
	cv->cv_kc = comments_k(s);
	return 0;
}

/* Whether answers (text, len) may hold an answer to a text question. */
static bool
comments_mig_maybe(const struct survey *s, const char *text, size_t len)
{
	char		 needle[SURVEY_ID_MAX + 3];
	const char	*qid;
	size_t		 qi;

	for (qi = 0; qi < survey_question_count(s); qi++) {
		if (survey_question_type(s, qi) != QTYPE_TEXT)
			continue;
		qid = survey_question_id(s, qi);
		if (strlen(qid) > SURVEY_ID_MAX)
			return true;
		needle[0] = '"';
		memcpy(needle + 1, qid, strlen(qid));
		needle[strlen(qid) + 1] = '"';
		if (memmem(text, len, needle, strlen(qid) + 2) != NULL)
			return true;
	}
	return false;
}

/* One record: its texts into the index. */
static int
comments_mig_record(struct comments_mig *m, uint32_t day, const char *val,
    size_t vlen)
{
	struct rscan_record	 rr;
	struct comments_ver	*cv;
	struct comments_id	 id;
	const struct survey	*s;
	const char		*text;
	json_t			*rec = NULL, *ans;
	uint32_t		 version, unit;
	size_t			 qi;
	int			 ret = 0;

	/* Most records without a text are turned away unparsed. */
	if (rscan_record(val, vlen, &rr) == 0) {
		if ((ret = comments_mig_version(m, rr.rr_version, &cv)) != 0 ||
		    cv == NULL || cv->cv_survey == NULL)
			return ret;
		if (!comments_mig_maybe(cv->cv_survey, rr.rr_answers,
		    rr.rr_answers_len))
			return 0;
	}
	if ((rec = json_loadb(val, vlen, 0, NULL)) == NULL) {
		m->cm_skipped++;
		goto done;
	}
	version = codec_u32(json_object_get(rec, "version"));
	/* The unit whose cell the response counts in. */
	unit = intake_record_owner(rec);
	ans = json_object_get(rec, "answers");
	if (version == 0 || unit == 0 || !json_is_object(ans)) {
		m->cm_skipped++;
		goto done;
	}
	if ((ret = comments_mig_version(m, version, &cv)) != 0 ||
	    cv == NULL || (s = cv->cv_survey) == NULL)
		goto done;
	id.cm_survey = m->cm_survey;
	id.cm_month = storage_day_month(day);
	id.cm_version = version;
	id.cm_unit = unit;
	id.cm_bucket = (uint32_t)period_bucket(cv->cv_kind, day);
	for (qi = 0; qi < survey_question_count(s); qi++) {
		if (survey_question_type(s, qi) != QTYPE_TEXT)
			continue;
		text = json_string_value(json_object_get(ans,
		    survey_question_id(s, qi)));
		if (text == NULL || *text == '\0')
			continue;
		id.cm_question = (uint16_t)qi;
		if ((ret = comments_add(m->cm_txn, &id, text,
		    json_string_value(json_object_get(rec, "lang")),
		    cv->cv_kc)) != 0)
			goto done;
		m->cm_texts++;
	}
done:
	json_decref(rec);
	return ret;
}

/* The ids of the surveys (their records' keys). */
static int
comments_mig_collect(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct comments_ids	*ids = arg;
	uint32_t		*grown;
	size_t			 cap;

	(void)obj;
	if (klen != REC_IDLEN)
		return 0;
	if (ids->ci_n == ids->ci_cap) {
		cap = ids->ci_cap ? 2 * ids->ci_cap : 16;
		if ((grown = reallocarray(ids->ci_v, cap, sizeof(*grown))) ==
		    NULL)
			return -ENOMEM;
		ids->ci_v = grown;
		ids->ci_cap = cap;
	}
	ids->ci_v[ids->ci_n++] = rec_key_id(key);
	return 0;
}

static int
comments_mig_survey(struct comments_mig *m, uint32_t survey)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen, i;
	uint32_t		 current = 0;
	int			 ret;

	m->cm_survey = survey;
	/* Versions are 1..current: records name no other that exists. */
	if ((ret = catalog_current_version(m->cm_txn, survey, &current)) != 0)
		goto done;
	if ((m->cm_vers = calloc((size_t)current + 1,
	    sizeof(*m->cm_vers))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	m->cm_nvers = current;
	if ((ret = storage_response_iter(m->cm_txn, survey, 0, UINT32_MAX,
	    &it)) != 0)
		goto done;
	/*
	 * The index is another database: putting into it leaves the
	 * cursor over the records where it was.
	 */
	for (;;) {
		ret = storage_iter_next(it, &key, &klen, &val, &vlen);
		if (ret == -EBADMSG) {
			m->cm_skipped++;
			continue;
		}
		if (ret != 0)
			break;
		if ((ret = comments_mig_record(m, storage_response_key_day(key),
		    val, vlen)) != 0)
			goto done;
	}
	if (ret == -ENOENT)
		ret = 0;
done:
	storage_iter_free(it);
	for (i = 0; i < m->cm_nvers; i++)
		survey_free(m->cm_vers[i].cv_survey);
	free(m->cm_vers);
	m->cm_vers = NULL;
	m->cm_nvers = 0;
	return ret;
}

int
comments_migrate(struct storage_txn *txn, size_t *n_out)
{
	struct comments_mig	 m;
	struct comments_ids	 ids = { NULL, 0, 0 };
	void			*flag = NULL;
	size_t			 flen, i;
	int			 ret;

	if (n_out != NULL)
		*n_out = 0;
	/* Done once: a walk opens every record, too slow for every start. */
	ret = storage_get(txn, STORAGE_DB_META, comments_indexed_key,
	    sizeof(comments_indexed_key) - 1, &flag, &flen);
	free(flag);
	if (ret != -ENOENT)
		return ret;
	memset(&m, 0, sizeof(m));
	m.cm_txn = txn;
	if ((ret = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0,
	    comments_mig_collect, &ids)) != 0)
		goto done;
	for (i = 0; i < ids.ci_n; i++)
		if ((ret = comments_mig_survey(&m, ids.ci_v[i])) != 0)
			goto done;
	if ((ret = storage_put(txn, STORAGE_DB_META, comments_indexed_key,
	    sizeof(comments_indexed_key) - 1, "1", 1, 0)) != 0)
		goto done;
	if (m.cm_skipped > 0)
		log_warnx("comments: %zu response records do not open or "
		    "parse; their texts are not indexed", m.cm_skipped);
	if (n_out != NULL)
		*n_out = m.cm_texts;
	ret = 0;
done:
	free(ids.ci_v);
	return ret;
}
