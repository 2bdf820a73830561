/*
 * cells.c — aggregate cells in the store: read, add responses and step
 * the released state after each, write, inside the writer's transaction
 * of those responses.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/answers.h"
#include "core/catalog.h"
#include "core/cells.h"
#include "core/release.h"
#include "core/survey.h"
#include "storage/storage.h"

/* DESIGN.md section 4: min_group when a survey says nothing. */
#define CELLS_K_UNKNOWN	5

static void
cells_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
cells_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
cells_key(const struct cells_id *id, uint8_t key[CELLS_KEYLEN])
{
	cells_be32(key, id->ci_survey);
	cells_be32(key + 4, id->ci_version);
	cells_be32(key + 8, id->ci_unit);
	cells_be32(key + 12, id->ci_bucket);
}

void
cells_key_parse(const uint8_t key[CELLS_KEYLEN], struct cells_id *id)
{
	id->ci_survey = cells_rd32(key);
	id->ci_version = cells_rd32(key + 4);
	id->ci_unit = cells_rd32(key + 8);
	id->ci_bucket = cells_rd32(key + 12);
}

int
cells_get_pair(struct storage_txn *txn, const struct cells_id *id,
    struct cell **live_out, struct cell **released_out)
{
	uint8_t	 key[CELLS_KEYLEN];
	void	*val = NULL;
	size_t	 len = 0;
	int	 ret;

	cells_key(id, key);
	if ((ret = storage_get(txn, STORAGE_DB_CELLS, key, sizeof(key), &val,
	    &len)) != 0)
		goto done;
	ret = cell_decode_pair(val, len, live_out, released_out);
done:
	free(val);
	return ret;
}

int
cells_get(struct storage_txn *txn, const struct cells_id *id,
    struct cell **out)
{
	return cells_get_pair(txn, id, out, NULL);
}

int
cells_put(struct storage_txn *txn, const struct cells_id *id,
    const struct cell *live, const struct cell *released)
{
	struct cell	*none = NULL;
	uint8_t		 key[CELLS_KEYLEN];
	uint8_t		*buf = NULL;
	size_t		 len = 0;
	int		 ret;

	cells_key(id, key);
	if (live == NULL) {
		ret = storage_del(txn, STORAGE_DB_CELLS, key, sizeof(key));
		return ret == -ENOENT ? 0 : ret;
	}
	if (released == NULL) {
		/* Nothing released yet. */
		if ((none = cell_new_like(live)) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		released = none;
	}
	if ((ret = cell_encode_pair(live, released, &buf, &len)) != 0)
		goto done;
	ret = storage_put(txn, STORAGE_DB_CELLS, key, sizeof(key), buf, len,
	    0);
done:
	cell_free(none);
	free(buf);
	return ret;
}

int
cells_count(struct cell *c, const struct survey *s,
    const struct answers *a)
{
	struct cell_answer	*ans = NULL;
	uint8_t			*slots = NULL;
	size_t			 nq = survey_question_count(s), qi, n;
	int			 ret;

	ans = calloc(nq ? nq : 1, sizeof(*ans));
	slots = calloc(nq ? nq : 1, QTYPE_MAX_SLOTS);
	if (ans == NULL || slots == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (qi = 0; qi < nq; qi++) {
		answers_slots(a, qi, slots + qi * QTYPE_MAX_SLOTS, &n);
		ans[qi].ca_answered = answers_answered(a, qi);
		ans[qi].ca_slots = slots + qi * QTYPE_MAX_SLOTS;
		ans[qi].ca_count = n;
	}
	ret = cell_add(c, ans, nq);
done:
	free(ans);
	free(slots);
	return ret;
}

/* A cell of a fold: what cells_add() used to read and write each time. */
struct cells_fold_cell {
	struct cells_id	 fc_id;
	struct cell	*fc_live;
	struct cell	*fc_rel;
};

/* f's cell of id, read from txn (or new) when f has none yet. */
static int
cells_fold_find(struct cells_fold *f, struct storage_txn *txn,
    const struct cells_id *id, const struct survey *s,
    struct cells_fold_cell **out)
{
	struct cells_fold_cell	*fc, *v;
	struct cell		*live = NULL, *rel = NULL;
	unsigned		*shape = NULL;
	size_t			 nq = survey_question_count(s), qi, i, cap;
	int			 ret;

	/* Newest first: a commit's responses mostly share a cell. */
	for (i = f->cf_n; i > 0; i--) {
		fc = &f->cf_v[i - 1];
		if (memcmp(&fc->fc_id, id, sizeof(*id)) == 0) {
			*out = fc;
			return 0;
		}
	}
	if (f->cf_n == f->cf_cap) {
		cap = f->cf_cap ? 2 * f->cf_cap : 4;
		if ((v = reallocarray(f->cf_v, cap, sizeof(*v))) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		f->cf_v = v;
		f->cf_cap = cap;
	}
	if ((shape = calloc(nq ? nq : 1, sizeof(*shape))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (qi = 0; qi < nq; qi++)
		shape[qi] = (unsigned)survey_question_slots(s, qi);
	ret = cells_get_pair(txn, id, &live, &rel);
	if (ret == -ENOENT) {
		if ((live = cell_new(nq, shape)) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
	} else if (ret != 0)
		goto done;
	else if (!cell_has_shape(live, nq, shape)) {
		/* A version's shape never changes; this cell is not its own. */
		ret = -EBADMSG;
		goto done;
	}
	if (rel == NULL) {
		/* New, or written before cells kept released state. */
		if ((rel = cell_new_like(live)) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		if ((ret = release_initial(rel, live,
		    release_k(survey_min_group(s)))) != 0)
			goto done;
	}
	fc = &f->cf_v[f->cf_n++];
	memset(fc, 0, sizeof(*fc));
	fc->fc_id = *id;
	fc->fc_live = live;
	fc->fc_rel = rel;
	live = rel = NULL;
	*out = fc;
	ret = 0;
done:
	cell_free(live);
	cell_free(rel);
	free(shape);
	return ret;
}

int
cells_fold_add(struct cells_fold *f, struct storage_txn *txn,
    const struct cells_id *id, const struct survey *s,
    const struct answers *a)
{
	struct cells_fold_cell	*fc = NULL;
	int			 ret;

	if ((ret = cells_fold_find(f, txn, id, s, &fc)) != 0)
		return ret;
	/* Keyed by version, so the cell has s's shape (checked when read). */
	if ((ret = cells_count(fc->fc_live, s, a)) != 0)
		return ret;
	return release_step(fc->fc_rel, fc->fc_live,
	    release_k(survey_min_group(s)), NULL);
}

int
cells_fold_write(struct cells_fold *f, struct storage_txn *txn)
{
	size_t	i;
	int	ret = 0;

	for (i = 0; i < f->cf_n && ret == 0; i++)
		ret = cells_put(txn, &f->cf_v[i].fc_id, f->cf_v[i].fc_live,
		    f->cf_v[i].fc_rel);
	cells_fold_clear(f);
	return ret;
}

void
cells_fold_clear(struct cells_fold *f)
{
	size_t	i;

	for (i = 0; i < f->cf_n; i++) {
		cell_free(f->cf_v[i].fc_live);
		cell_free(f->cf_v[i].fc_rel);
	}
	free(f->cf_v);
	memset(f, 0, sizeof(*f));
}

int
cells_add(struct storage_txn *txn, const struct cells_id *id,
    const struct survey *s, const struct answers *a)
{
	struct cells_fold	f;
	int			ret;

	memset(&f, 0, sizeof(f));
	if ((ret = cells_fold_add(&f, txn, id, s, a)) == 0)
		ret = cells_fold_write(&f, txn);
	cells_fold_clear(&f);
	return ret;
}

int
cells_each(struct storage_txn *txn, uint32_t survey,
    int (*fn)(const struct cells_id *, const struct cell *,
    const struct cell *, void *), void *arg)
{
	struct storage_iter	*it = NULL;
	struct cells_id		 id;
	struct cell		*c = NULL, *rel = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;
	uint8_t			 prefix[4];
	int			 ret;

	cells_be32(prefix, survey);
	if ((ret = storage_iter_new(txn, STORAGE_DB_CELLS, prefix,
	    sizeof(prefix), &it)) != 0)
		goto done;
	while ((ret = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		if (klen != CELLS_KEYLEN) {
			ret = -EBADMSG;
			goto done;
		}
		cells_key_parse(key, &id);
		if ((ret = cell_decode_pair(val, vlen, &c, &rel)) != 0)
			goto done;
		ret = fn(&id, c, rel, arg);
		cell_free(c);
		cell_free(rel);
		c = rel = NULL;
		if (ret != 0)
			goto done;
	}
	if (ret == -ENOENT)
		ret = 0;
done:
	storage_iter_free(it);
	return ret;
}

/* In STORAGE_DB_META once every cell keeps its released state. */
static const char	cells_released_key[] = "cells_released";

int
cells_migrate(struct storage_txn *txn, size_t *n_out)
{
	struct storage_iter	*it = NULL;
	struct catalog_k	 memo = { 0, 0, 0 };
	struct cells_id		 id;
	struct cell		*live = NULL, *rel = NULL;
	const void		*key, *val;
	uint8_t			*keys = NULL, *grown;
	void			*flag = NULL;
	size_t			 klen, vlen, flen, n = 0, cap = 0, i;
	uint32_t		 k;
	int			 ret;

	if (n_out != NULL)
		*n_out = 0;
	/* Done once: a walk opens every cell, too slow for every start. */
	ret = storage_get(txn, STORAGE_DB_META, cells_released_key,
	    sizeof(cells_released_key) - 1, &flag, &flen);
	free(flag);
	if (ret != -ENOENT)
		return ret;
	/* Collect the old cells' keys first: no writes under a cursor. */
	if ((ret = storage_iter_new(txn, STORAGE_DB_CELLS, NULL, 0, &it)) != 0)
		goto done;
	while ((ret = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		if (klen != CELLS_KEYLEN || cell_has_released(val, vlen))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if ((grown = realloc(keys, cap * CELLS_KEYLEN)) ==
			    NULL) {
				ret = -ENOMEM;
				goto done;
			}
			keys = grown;
		}
		memcpy(keys + n++ * CELLS_KEYLEN, key, CELLS_KEYLEN);
	}
	if (ret != -ENOENT)
		goto done;
	storage_iter_free(it);
	it = NULL;
	for (i = 0; i < n; i++) {
		cells_key_parse(keys + i * CELLS_KEYLEN, &id);
		if ((ret = cells_get(txn, &id, &live)) != 0)
			goto done;
		ret = catalog_k(txn, id.ci_survey, id.ci_version, &memo, &k);
		/* A version no longer stored: the larger default holds back
		 * more than the least a survey may say. */
		if (ret == -ENOENT)
			k = release_k(CELLS_K_UNKNOWN);
		else if (ret != 0)
			goto done;
		if ((rel = cell_new_like(live)) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		if ((ret = release_initial(rel, live, k)) != 0 ||
		    (ret = cells_put(txn, &id, live, rel)) != 0)
			goto done;
		cell_free(live);
		cell_free(rel);
		live = rel = NULL;
	}
	if ((ret = storage_put(txn, STORAGE_DB_META, cells_released_key,
	    sizeof(cells_released_key) - 1, "1", 1, 0)) != 0)
		goto done;
	if (n_out != NULL)
		*n_out = n;
	ret = 0;
done:
	storage_iter_free(it);
	cell_free(live);
	cell_free(rel);
	free(keys);
	return ret;
}
