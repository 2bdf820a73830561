/*
 * cells.c — aggregate cells in the store: read, add one response, write,
 * all inside the writer's transaction of that response.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/answers.h"
#include "core/cells.h"
#include "core/survey.h"
#include "storage/storage.h"

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
cells_get(struct storage_txn *txn, const struct cells_id *id,
    struct cell **out)
{
	uint8_t	 key[CELLS_KEYLEN];
	void	*val = NULL;
	size_t	 len = 0;
	int	 ret;

	cells_key(id, key);
	if ((ret = storage_get(txn, STORAGE_DB_CELLS, key, sizeof(key), &val,
	    &len)) != 0)
		goto done;
	ret = cell_decode(val, len, out);
done:
	free(val);
	return ret;
}

int
cells_put(struct storage_txn *txn, const struct cells_id *id,
    const struct cell *c)
{
	uint8_t	 key[CELLS_KEYLEN];
	uint8_t	*buf = NULL;
	size_t	 len = 0;
	int	 ret;

	cells_key(id, key);
	if (c == NULL) {
		ret = storage_del(txn, STORAGE_DB_CELLS, key, sizeof(key));
		return ret == -ENOENT ? 0 : ret;
	}
	if ((ret = cell_encode(c, &buf, &len)) != 0)
		return ret;
	ret = storage_put(txn, STORAGE_DB_CELLS, key, sizeof(key), buf, len, 0);
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

int
cells_add(struct storage_txn *txn, const struct cells_id *id,
    const struct survey *s, const struct answers *a)
{
	struct cell	*c = NULL;
	unsigned	*shape = NULL;
	size_t		 nq = survey_question_count(s), qi;
	int		 ret;

	if ((shape = calloc(nq ? nq : 1, sizeof(*shape))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (qi = 0; qi < nq; qi++)
		shape[qi] = (unsigned)survey_question_slots(s, qi);
	ret = cells_get(txn, id, &c);
	if (ret == -ENOENT) {
		if ((c = cell_new(nq, shape)) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
	} else if (ret != 0)
		goto done;
	else if (!cell_has_shape(c, nq, shape)) {
		/* A version's shape never changes; this cell is not its own. */
		ret = -EBADMSG;
		goto done;
	}
	if ((ret = cells_count(c, s, a)) != 0)
		goto done;
	ret = cells_put(txn, id, c);
done:
	cell_free(c);
	free(shape);
	return ret;
}

int
cells_each(struct storage_txn *txn, uint32_t survey,
    int (*fn)(const struct cells_id *, const struct cell *, void *),
    void *arg)
{
	struct storage_iter	*it = NULL;
	struct cells_id		 id;
	struct cell		*c = NULL;
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
		if ((ret = cell_decode(val, vlen, &c)) != 0)
			goto done;
		ret = fn(&id, c, arg);
		cell_free(c);
		c = NULL;
		if (ret != 0)
			goto done;
	}
	if (ret == -ENOENT)
		ret = 0;
done:
	storage_iter_free(it);
	return ret;
}
