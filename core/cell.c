/*
 * cell.c — aggregate cells: counting, merging, and the versioned byte
 * format that storage seals. Decoding trusts nothing it reads.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"

#define CELL_FORMAT_V1		1	/* one cell: the live aggregate only */
#define CELL_FORMAT_V2		2	/* live, then released (release.h) */
#define CELL_VARINT_MAX		5	/* ceil(32 / 7) */
/* nslots byte + answered varint + at least one count varint */
#define CELL_MIN_QUESTION_BYTES	3

struct cell *
cell_new(size_t nquestions, const unsigned *slots_per_question)
{
	struct cell	*c;
	uint8_t		*p;
	size_t		 q, total = 0, size;

	if (nquestions > CELL_MAX_QUESTIONS ||
	    (nquestions > 0 && slots_per_question == NULL))
		return NULL;
	for (q = 0; q < nquestions; q++) {
		if (slots_per_question[q] < 1 ||
		    slots_per_question[q] > QTYPE_MAX_SLOTS)
			return NULL;
		total += slots_per_question[q];
	}
	/*
	 * One allocation for the cell and its arrays, widest members first
	 * so that each stays aligned: the writer makes and frees two cells
	 * for every response it stores.
	 */
	size = sizeof(*c) + nquestions * (sizeof(*c->c_offset) +
	    sizeof(*c->c_answered) + sizeof(*c->c_nslots)) +
	    total * sizeof(*c->c_slots);
	if ((c = calloc(1, size)) == NULL)
		return NULL;
	p = (uint8_t *)(c + 1);
	c->c_offset = (size_t *)(void *)p;
	p += nquestions * sizeof(*c->c_offset);
	c->c_answered = (uint32_t *)(void *)p;
	p += nquestions * sizeof(*c->c_answered);
	c->c_slots = (uint32_t *)(void *)p;
	p += total * sizeof(*c->c_slots);
	c->c_nslots = p;
	c->c_nquestions = nquestions;
	c->c_total_slots = total;
	for (q = 0, total = 0; q < nquestions; q++) {
		c->c_nslots[q] = (uint8_t)slots_per_question[q];
		c->c_offset[q] = total;
		total += slots_per_question[q];
	}
	return c;
}

struct cell *
cell_new_like(const struct cell *c)
{
	unsigned	shape[CELL_MAX_QUESTIONS];
	size_t		q;

	for (q = 0; q < c->c_nquestions; q++)
		shape[q] = c->c_nslots[q];
	return cell_new(c->c_nquestions, shape);
}

void
cell_free(struct cell *c)
{
	free(c);	/* its arrays are in the same allocation */
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

/* The most bytes cell_put_body() writes for c. */
static size_t
cell_body_max(const struct cell *c)
{
	/* n + nquestions, then per question nslots + counters */
	return 2 * CELL_VARINT_MAX + c->c_nquestions * (1 +
	    CELL_VARINT_MAX) + c->c_total_slots * CELL_VARINT_MAX;
}

static uint8_t *
cell_put_body(uint8_t *p, const struct cell *c)
{
	size_t	q, i;

	p = cell_put_varint(p, c->c_n);
	p = cell_put_varint(p, (uint32_t)c->c_nquestions);
	for (q = 0; q < c->c_nquestions; q++) {
		*p++ = c->c_nslots[q];
		p = cell_put_varint(p, c->c_answered[q]);
		for (i = 0; i < c->c_nslots[q]; i++)
			p = cell_put_varint(p,
			    c->c_slots[c->c_offset[q] + i]);
	}
	return p;
}

int
cell_encode(const struct cell *c, uint8_t **buf_out, size_t *len_out)
{
	uint8_t	*buf, *p;

	if ((buf = malloc(1 + cell_body_max(c))) == NULL)
		return -ENOMEM;
	p = buf;
	*p++ = CELL_FORMAT_V1;
	p = cell_put_body(p, c);
	*len_out = (size_t)(p - buf);
	*buf_out = buf;
	return 0;
}

int
cell_encode_pair(const struct cell *live, const struct cell *released,
    uint8_t **buf_out, size_t *len_out)
{
	uint8_t	*buf, *p;

	if (!cell_same_shape(live, released))
		return -EINVAL;
	if ((buf = malloc(1 + cell_body_max(live) +
	    cell_body_max(released))) == NULL)
		return -ENOMEM;
	p = buf;
	*p++ = CELL_FORMAT_V2;
	p = cell_put_body(p, live);
	p = cell_put_body(p, released);
	*len_out = (size_t)(p - buf);
	*buf_out = buf;
	return 0;
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
 * One pass over a cell's body. Without a cell it validates everything and
 * records the shape; with a cell of that shape it fills it. Both runs read
 * the same bytes the same way, so the fill run cannot fail.
 */
static int
cell_parse_body(struct cell_reader *r, struct cell *fill, uint32_t *nq_out,
    unsigned *nslots)
{
	uint32_t	n, nq, answered, count;
	uint8_t		ns;
	size_t		q, i;

	if (cell_get_varint(r, &n) != 0 || cell_get_varint(r, &nq) != 0)
		return -EBADMSG;
	if (nq > CELL_MAX_QUESTIONS ||
	    (size_t)(r->cr_end - r->cr_p) < (size_t)nq * CELL_MIN_QUESTION_BYTES)
		return -EBADMSG;
	for (q = 0; q < nq; q++) {
		if (cell_get_u8(r, &ns) != 0 || ns < 1 ||
		    ns > QTYPE_MAX_SLOTS)
			return -EBADMSG;
		if (fill != NULL && ns != fill->c_nslots[q])
			return -EBADMSG;	/* the pair's shapes differ */
		if (cell_get_varint(r, &answered) != 0 || answered > n)
			return -EBADMSG;
		if (fill == NULL)
			nslots[q] = ns;
		else
			fill->c_answered[q] = answered;
		for (i = 0; i < ns; i++) {
			if (cell_get_varint(r, &count) != 0 ||
			    count > answered)
				return -EBADMSG;
			if (fill != NULL)
				fill->c_slots[fill->c_offset[q] + i] = count;
		}
	}
	if (fill != NULL) {
		if (nq != fill->c_nquestions)
			return -EBADMSG;
		fill->c_n = n;
	}
	*nq_out = nq;
	return 0;
}

/* A cell of the body at r, new; r moves past it. */
static int
cell_read_body(struct cell_reader *r, struct cell **out)
{
	unsigned		 nslots[CELL_MAX_QUESTIONS];
	struct cell_reader	 first = *r;
	struct cell		*c;
	uint32_t		 nq;
	int			 ret;

	if ((ret = cell_parse_body(r, NULL, &nq, nslots)) != 0)
		return ret;
	if ((c = cell_new(nq, nslots)) == NULL)
		return -ENOMEM;
	(void)cell_parse_body(&first, c, &nq, NULL);
	*out = c;
	return 0;
}

int
cell_decode_pair(const uint8_t *buf, size_t len, struct cell **live_out,
    struct cell **released_out)
{
	struct cell_reader	 r = { buf, buf + len };
	struct cell		*live = NULL, *rel = NULL;
	uint8_t			 version;
	int			 ret = -EBADMSG;

	if (buf == NULL || cell_get_u8(&r, &version) != 0 ||
	    (version != CELL_FORMAT_V1 && version != CELL_FORMAT_V2))
		goto done;
	if ((ret = cell_read_body(&r, &live)) != 0)
		goto done;
	if (version == CELL_FORMAT_V2 &&
	    (ret = cell_read_body(&r, &rel)) != 0)
		goto done;
	if (r.cr_p != r.cr_end || (rel != NULL &&
	    !cell_same_shape(live, rel))) {
		ret = -EBADMSG;
		goto done;
	}
	*live_out = live;
	live = NULL;
	if (released_out != NULL) {
		*released_out = rel;
		rel = NULL;
	}
	ret = 0;
done:
	cell_free(live);
	cell_free(rel);
	return ret;
}

bool
cell_has_released(const uint8_t *buf, size_t len)
{
	return len > 0 && buf[0] == CELL_FORMAT_V2;
}

int
cell_decode(const uint8_t *buf, size_t len, struct cell **cell_out)
{
	return cell_decode_pair(buf, len, cell_out, NULL);
}
