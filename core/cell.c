/*
 * cell.c — aggregate cells: counting, merging, and the versioned byte
 * format that storage seals. Decoding trusts nothing it reads.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"

#define CELL_FORMAT_V1		1
#define CELL_VARINT_MAX		5	/* ceil(32 / 7) */
/* nslots byte + answered varint + at least one count varint */
#define CELL_MIN_QUESTION_BYTES	3

struct cell *
cell_new(size_t nquestions, const unsigned *slots_per_question)
{
	struct cell	*c = NULL, *ret = NULL;
	size_t		 q, total = 0, alloc_q;

	if (nquestions > CELL_MAX_QUESTIONS ||
	    (nquestions > 0 && slots_per_question == NULL))
		goto done;
	for (q = 0; q < nquestions; q++) {
		if (slots_per_question[q] < 1 ||
		    slots_per_question[q] > QTYPE_MAX_SLOTS)
			goto done;
		total += slots_per_question[q];
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto done;
	/* calloc(0) may return NULL: keep at least one element */
	alloc_q = nquestions > 0 ? nquestions : 1;
	c->c_answered = calloc(alloc_q, sizeof(*c->c_answered));
	c->c_nslots = calloc(alloc_q, sizeof(*c->c_nslots));
	c->c_offset = calloc(alloc_q, sizeof(*c->c_offset));
	c->c_slots = calloc(total > 0 ? total : 1, sizeof(*c->c_slots));
	if (c->c_answered == NULL || c->c_nslots == NULL ||
	    c->c_offset == NULL || c->c_slots == NULL)
		goto done;
	c->c_nquestions = nquestions;
	c->c_total_slots = total;
	for (q = 0, total = 0; q < nquestions; q++) {
		c->c_nslots[q] = (uint8_t)slots_per_question[q];
		c->c_offset[q] = total;
		total += slots_per_question[q];
	}
	ret = c;
	c = NULL;
done:
	cell_free(c);
	return ret;
}

void
cell_free(struct cell *c)
{
	if (c == NULL)
		return;
	free(c->c_answered);
	free(c->c_nslots);
	free(c->c_offset);
	free(c->c_slots);
	free(c);
}

bool
cell_has_shape(const struct cell *c, size_t nquestions,
    const unsigned *slots_per_question)
{
	size_t	q;

	if (c->c_nquestions != nquestions)
		return false;
	for (q = 0; q < nquestions; q++)
		if (c->c_nslots[q] != slots_per_question[q])
			return false;
	return true;
}

bool
cell_same_shape(const struct cell *a, const struct cell *b)
{
	return a->c_nquestions == b->c_nquestions &&
	    memcmp(a->c_nslots, b->c_nslots, a->c_nquestions) == 0;
}

const uint32_t *
cell_hist(const struct cell *c, size_t q)
{
	return c->c_slots + c->c_offset[q];
}

int
cell_add(struct cell *c, const struct cell_answer *answers, size_t nanswers)
{
	const struct cell_answer	*a;
	uint64_t			 seen;
	size_t				 q, i;

	if (nanswers != c->c_nquestions || (nanswers > 0 && answers == NULL))
		return -EINVAL;
	if (c->c_n == UINT32_MAX)
		return -EOVERFLOW;
	/* Check everything first, so a bad answer changes nothing. */
	for (q = 0; q < nanswers; q++) {
		a = &answers[q];
		if (!a->ca_answered && a->ca_count != 0)
			return -EINVAL;
		if (a->ca_count > 0 && a->ca_slots == NULL)
			return -EINVAL;
		seen = 0;
		for (i = 0; i < a->ca_count; i++) {
			if (a->ca_slots[i] >= c->c_nslots[q] ||
			    (seen & (UINT64_C(1) << a->ca_slots[i])))
				return -EINVAL;
			seen |= UINT64_C(1) << a->ca_slots[i];
		}
	}
	/* No counter can overflow: each is <= n < UINT32_MAX (cell.h). */
	c->c_n++;
	for (q = 0; q < nanswers; q++) {
		a = &answers[q];
		if (!a->ca_answered)
			continue;
		c->c_answered[q]++;
		for (i = 0; i < a->ca_count; i++)
			c->c_slots[c->c_offset[q] + a->ca_slots[i]]++;
	}
	return 0;
}

int
cell_merge(struct cell *dst, const struct cell *src)
{
	size_t	q, i;

	if (!cell_same_shape(dst, src))
		return -EINVAL;
	if ((uint64_t)dst->c_n + src->c_n > UINT32_MAX)
		return -EOVERFLOW;
	dst->c_n += src->c_n;
	for (q = 0; q < dst->c_nquestions; q++)
		dst->c_answered[q] += src->c_answered[q];
	for (i = 0; i < dst->c_total_slots; i++)
		dst->c_slots[i] += src->c_slots[i];
	return 0;
}

static uint8_t *
cell_put_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

int
cell_encode(const struct cell *c, uint8_t **buf_out, size_t *len_out)
{
	uint8_t		*buf = NULL, *p;
	size_t		 max, q, i;
	int		 ret = -ENOMEM;

	/* version + n + nquestions, then per question nslots + counters */
	max = 1 + 2 * CELL_VARINT_MAX + c->c_nquestions * (1 +
	    CELL_VARINT_MAX) + c->c_total_slots * CELL_VARINT_MAX;
	if ((buf = malloc(max)) == NULL)
		goto done;
	p = buf;
	*p++ = CELL_FORMAT_V1;
	p = cell_put_varint(p, c->c_n);
	p = cell_put_varint(p, (uint32_t)c->c_nquestions);
	for (q = 0; q < c->c_nquestions; q++) {
		*p++ = c->c_nslots[q];
		p = cell_put_varint(p, c->c_answered[q]);
		for (i = 0; i < c->c_nslots[q]; i++)
			p = cell_put_varint(p,
			    c->c_slots[c->c_offset[q] + i]);
	}
	*len_out = (size_t)(p - buf);
	*buf_out = buf;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	return ret;
}

/* The bytes still to read, and where. */
struct cell_reader {
	const uint8_t	*cr_p;
	const uint8_t	*cr_end;
};

static int
cell_get_u8(struct cell_reader *r, uint8_t *v)
{
	if (r->cr_p >= r->cr_end)
		return -EBADMSG;
	*v = *r->cr_p++;
	return 0;
}

/*
 * Shortest-form LEB128 of a uint32: at most 5 bytes, the fifth holding
 * only the top 4 bits, and no trailing zero byte (so one value has one
 * encoding, and a re-encoded cell compares equal byte for byte).
 */
static int
cell_get_varint(struct cell_reader *r, uint32_t *v)
{
	uint32_t	acc = 0;
	uint8_t		b;
	unsigned	i;

	for (i = 0; i < CELL_VARINT_MAX; i++) {
		if (cell_get_u8(r, &b) != 0)
			return -EBADMSG;
		if (i == CELL_VARINT_MAX - 1 && b > 0x0f)
			return -EBADMSG;
		acc |= (uint32_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			if (b == 0 && i > 0)
				return -EBADMSG;
			*v = acc;
			return 0;
		}
	}
	return -EBADMSG;
}

/*
 * One pass over the bytes. Without a cell it validates everything and
 * records the shape; with a cell of that shape it fills it. Both runs read
 * the same bytes the same way, so the fill run cannot fail.
 */
static int
cell_parse(const uint8_t *buf, size_t len, struct cell *fill,
    uint32_t *nq_out, unsigned *nslots)
{
	struct cell_reader	r = { buf, buf + len };
	uint32_t		n, nq, answered, count;
	uint8_t			version, ns;
	size_t			q, i;

	if (buf == NULL || cell_get_u8(&r, &version) != 0 ||
	    version != CELL_FORMAT_V1)
		return -EBADMSG;
	if (cell_get_varint(&r, &n) != 0 || cell_get_varint(&r, &nq) != 0)
		return -EBADMSG;
	if (nq > CELL_MAX_QUESTIONS ||
	    (size_t)(r.cr_end - r.cr_p) < (size_t)nq * CELL_MIN_QUESTION_BYTES)
		return -EBADMSG;
	for (q = 0; q < nq; q++) {
		if (cell_get_u8(&r, &ns) != 0 || ns < 1 ||
		    ns > QTYPE_MAX_SLOTS)
			return -EBADMSG;
		if (cell_get_varint(&r, &answered) != 0 || answered > n)
			return -EBADMSG;
		if (fill == NULL)
			nslots[q] = ns;
		else
			fill->c_answered[q] = answered;
		for (i = 0; i < ns; i++) {
			if (cell_get_varint(&r, &count) != 0 ||
			    count > answered)
				return -EBADMSG;
			if (fill != NULL)
				fill->c_slots[fill->c_offset[q] + i] = count;
		}
	}
	if (r.cr_p != r.cr_end)
		return -EBADMSG;
	if (fill != NULL)
		fill->c_n = n;
	*nq_out = nq;
	return 0;
}

int
cell_decode(const uint8_t *buf, size_t len, struct cell **cell_out)
{
	unsigned	 nslots[CELL_MAX_QUESTIONS];
	struct cell	*c = NULL;
	uint32_t	 nq;
	int		 ret;

	if ((ret = cell_parse(buf, len, NULL, &nq, nslots)) != 0)
		goto done;
	if ((c = cell_new(nq, nslots)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = cell_parse(buf, len, c, &nq, NULL)) != 0)
		goto done;
	*cell_out = c;
	c = NULL;
	ret = 0;
done:
	cell_free(c);
	return ret;
}
