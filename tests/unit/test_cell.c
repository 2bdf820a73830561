/*
 * test_cell.c — counting, merging, and the byte format: golden bytes,
 * round trips of random cells, every truncation and every single-byte
 * corruption of an encoded cell (these bytes come from disk).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cell.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A fixed-seed generator: the same cells on every run and host. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
assert_invariants(const struct cell *c)
{
	size_t	q, i;

	for (q = 0; q < c->c_nquestions; q++) {
		assert_true(c->c_answered[q] <= c->c_n);
		for (i = 0; i < c->c_nslots[q]; i++)
			assert_true(cell_hist(c, q)[i] <= c->c_answered[q]);
	}
}

static void
assert_cells_equal(const struct cell *a, const struct cell *b)
{
	assert_true(cell_same_shape(a, b));
	assert_int_equal(a->c_n, b->c_n);
	assert_memory_equal(a->c_answered, b->c_answered,
	    a->c_nquestions * sizeof(*a->c_answered));
	assert_int_equal(a->c_total_slots, b->c_total_slots);
	assert_memory_equal(a->c_slots, b->c_slots,
	    a->c_total_slots * sizeof(*a->c_slots));
}

static void
test_new(void **state)
{
	static const unsigned	ok[] = { 5, 1, 64 };
	static const unsigned	zero[] = { 5, 0 };
	static const unsigned	big[] = { 65 };
	struct cell		*c;

	(void)state;
	c = cell_new(NELEM(ok), ok);
	assert_non_null(c);
	assert_int_equal(c->c_nquestions, 3);
	assert_int_equal(c->c_total_slots, 70);
	assert_int_equal(c->c_offset[2], 6);
	assert_int_equal(c->c_n, 0);
	assert_true(cell_has_shape(c, NELEM(ok), ok));
	assert_false(cell_has_shape(c, 2, ok));
	assert_int_equal(cell_hist(c, 2)[63], 0);
	cell_free(c);

	c = cell_new(0, NULL);		/* a cell that only counts n */
	assert_non_null(c);
	cell_free(c);

	assert_null(cell_new(NELEM(zero), zero));
	assert_null(cell_new(NELEM(big), big));
	assert_null(cell_new(2, NULL));
	assert_null(cell_new(CELL_MAX_QUESTIONS + 1, ok));
	cell_free(NULL);
}

static void
test_add(void **state)
{
	static const unsigned	shape[] = { 5, 3, 1 };
	static const uint8_t	s4[] = { 4 }, s02[] = { 0, 2 }, s0[] = { 0 };
	static const uint8_t	s1[] = { 1 }, bad5[] = { 5 }, dup[] = { 1, 1 };
	struct cell_answer	a[3];
	struct cell		*c;
	uint8_t			*before, *after;
	size_t			 blen, alen;

	(void)state;
	c = cell_new(NELEM(shape), shape);
	assert_non_null(c);

	/* smiley 5, multi {0, 2}, a comment */
	a[0] = (struct cell_answer){ true, s4, 1 };
	a[1] = (struct cell_answer){ true, s02, 2 };
	a[2] = (struct cell_answer){ true, s0, 1 };
	assert_int_equal(cell_add(c, a, 3), 0);
	/* smiley skipped, multi answered with no option, no comment */
	a[0] = (struct cell_answer){ false, NULL, 0 };
	a[1] = (struct cell_answer){ true, NULL, 0 };
	a[2] = (struct cell_answer){ false, NULL, 0 };
	assert_int_equal(cell_add(c, a, 3), 0);
	/* smiley 2, multi {1} */
	a[0] = (struct cell_answer){ true, s1, 1 };
	a[1] = (struct cell_answer){ true, s1, 1 };
	assert_int_equal(cell_add(c, a, 3), 0);

	assert_int_equal(c->c_n, 3);
	assert_int_equal(c->c_answered[0], 2);
	assert_int_equal(c->c_answered[1], 3);
	assert_int_equal(c->c_answered[2], 1);
	assert_memory_equal(cell_hist(c, 0),
	    ((const uint32_t[]){ 0, 1, 0, 0, 1 }), 5 * sizeof(uint32_t));
	assert_memory_equal(cell_hist(c, 1),
	    ((const uint32_t[]){ 1, 1, 1 }), 3 * sizeof(uint32_t));
	assert_int_equal(cell_hist(c, 2)[0], 1);
	assert_invariants(c);

	/* every rejected response leaves the cell as it was */
	assert_int_equal(cell_encode(c, &before, &blen), 0);
	assert_int_equal(cell_add(c, a, 2), -EINVAL);
	a[0] = (struct cell_answer){ true, bad5, 1 };
	assert_int_equal(cell_add(c, a, 3), -EINVAL);
	a[0] = (struct cell_answer){ true, s1, 1 };
	a[1] = (struct cell_answer){ true, dup, 2 };
	assert_int_equal(cell_add(c, a, 3), -EINVAL);
	a[1] = (struct cell_answer){ false, s1, 1 };
	assert_int_equal(cell_add(c, a, 3), -EINVAL);
	a[1] = (struct cell_answer){ true, NULL, 1 };
	assert_int_equal(cell_add(c, a, 3), -EINVAL);
	a[1] = (struct cell_answer){ true, s1, 1 };
	assert_int_equal(cell_add(c, NULL, 3), -EINVAL);
	c->c_n = UINT32_MAX;
	assert_int_equal(cell_add(c, a, 3), -EOVERFLOW);
	c->c_n = 3;
	assert_int_equal(cell_encode(c, &after, &alen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(before);
	free(after);
	cell_free(c);
}

static void
test_merge(void **state)
{
	static const unsigned	shape[] = { 2, 3 };
	static const unsigned	other[] = { 3, 2 };
	static const uint8_t	s0[] = { 0 }, s1[] = { 1 }, s12[] = { 1, 2 };
	struct cell_answer	a[2];
	struct cell		*x, *y, *z;

	(void)state;
	x = cell_new(2, shape);
	y = cell_new(2, shape);
	z = cell_new(2, other);
	assert_true(x != NULL && y != NULL && z != NULL);
	a[0] = (struct cell_answer){ true, s0, 1 };
	a[1] = (struct cell_answer){ true, s12, 2 };
	assert_int_equal(cell_add(x, a, 2), 0);
	a[0] = (struct cell_answer){ true, s1, 1 };
	a[1] = (struct cell_answer){ false, NULL, 0 };
	assert_int_equal(cell_add(y, a, 2), 0);
	assert_int_equal(cell_add(y, a, 2), 0);

	assert_int_equal(cell_merge(x, y), 0);
	assert_int_equal(x->c_n, 3);
	assert_int_equal(x->c_answered[0], 3);
	assert_int_equal(x->c_answered[1], 1);
	assert_memory_equal(cell_hist(x, 0),
	    ((const uint32_t[]){ 1, 2 }), 2 * sizeof(uint32_t));
	assert_memory_equal(cell_hist(x, 1),
	    ((const uint32_t[]){ 0, 1, 1 }), 3 * sizeof(uint32_t));
	/* src untouched */
	assert_int_equal(y->c_n, 2);

	assert_int_equal(cell_merge(x, z), -EINVAL);
	assert_int_equal(x->c_n, 3);
	y->c_n = UINT32_MAX - 2;
	assert_int_equal(cell_merge(x, y), -EOVERFLOW);
	assert_int_equal(x->c_n, 3);
	assert_int_equal(x->c_answered[0], 3);
	cell_free(x);
	cell_free(y);
	cell_free(z);
}

static void
test_golden(void **state)
{
	static const unsigned	shape[] = { 2, 3 };
	static const uint8_t	want[] = {
		0x01,			/* format version */
		0xac, 0x02,		/* n = 300 */
		0x02,			/* two questions */
		0x02, 0xc8, 0x01,	/* 2 slots, answered 200 */
		0xc8, 0x01, 0x00,	/* 200, 0 */
		0x03, 0x05,		/* 3 slots, answered 5 */
		0x01, 0x05, 0x00,	/* 1, 5, 0 */
	};
	struct cell		*c, *d = NULL;
	uint8_t			*buf;
	size_t			 len;

	(void)state;
	c = cell_new(2, shape);
	assert_non_null(c);
	c->c_n = 300;
	c->c_answered[0] = 200;
	c->c_answered[1] = 5;
	c->c_slots[0] = 200;	/* question 0: slots 0..1 */
	c->c_slots[2] = 1;	/* question 1: slots 2..4 */
	c->c_slots[3] = 5;
	assert_int_equal(cell_encode(c, &buf, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, len);
	assert_int_equal(cell_decode(buf, len, &d), 0);
	assert_cells_equal(c, d);
	free(buf);
	cell_free(c);
	cell_free(d);
}

static struct cell *
random_cell(uint64_t *seed)
{
	unsigned	 shape[8];
	size_t		 nq, q, i;
	struct cell	*c;
	uint32_t	 lim;

	nq = rng_next(seed) % NELEM(shape);
	for (q = 0; q < nq; q++)
		shape[q] = 1 + (unsigned)(rng_next(seed) % QTYPE_MAX_SLOTS);
	c = cell_new(nq, shape);
	assert_non_null(c);
	/* small, medium and full-width counts all take their turn */
	lim = (uint32_t[]){ 10, 100000, UINT32_MAX }[rng_next(seed) % 3];
	c->c_n = (uint32_t)(rng_next(seed) % ((uint64_t)lim + 1));
	for (q = 0; q < nq; q++) {
		c->c_answered[q] = (uint32_t)(rng_next(seed) %
		    ((uint64_t)c->c_n + 1));
		for (i = 0; i < shape[q]; i++)
			c->c_slots[c->c_offset[q] + i] = (uint32_t)
			    (rng_next(seed) % ((uint64_t)c->c_answered[q] + 1));
	}
	return c;
}

static void
test_round_trip(void **state)
{
	uint64_t	 seed = 0x9e3779b97f4a7c15ULL;
	struct cell	*c, *d;
	uint8_t		*buf, *buf2;
	size_t		 len, len2;
	unsigned	 round;

	(void)state;
	for (round = 0; round < 1000; round++) {
		c = random_cell(&seed);
		assert_int_equal(cell_encode(c, &buf, &len), 0);
		d = NULL;
		assert_int_equal(cell_decode(buf, len, &d), 0);
		assert_cells_equal(c, d);
		assert_int_equal(cell_encode(d, &buf2, &len2), 0);
		assert_int_equal(len2, len);
		assert_memory_equal(buf2, buf, len);
		free(buf);
		free(buf2);
		cell_free(c);
		cell_free(d);
	}
}

/*
 * Every prefix fails; every byte value at every position fails or decodes
 * to a cell that keeps the invariants and re-encodes to the same bytes.
 */
static void
test_truncated_and_corrupted(void **state)
{
	uint64_t	 seed = 42;
	struct cell	*c, *d;
	uint8_t		*buf, *bad, *re;
	size_t		 len, relen, i, round;
	unsigned	 v;
	int		 rc;

	(void)state;
	for (round = 0; round < 24; round++) {
		c = random_cell(&seed);
		assert_int_equal(cell_encode(c, &buf, &len), 0);
		for (i = 0; i < len; i++) {
			/* a private copy, so ASan sees any read past i */
			bad = malloc(i > 0 ? i : 1);
			assert_non_null(bad);
			memcpy(bad, buf, i);
			d = (struct cell *)0x1;
			assert_int_equal(cell_decode(bad, i, &d), -EBADMSG);
			assert_ptr_equal(d, (struct cell *)0x1);
			free(bad);
		}
		bad = malloc(len + 1);
		assert_non_null(bad);
		memcpy(bad, buf, len);
		bad[len] = 0;
		assert_int_equal(cell_decode(bad, len + 1, &d), -EBADMSG);
		/* the head holds every kind of field; 96 bytes keep it fast */
		for (i = 0; i < len && i < 96; i++) {
			for (v = 0; v < 256; v++) {
				if (v == buf[i])
					continue;
				bad[i] = (uint8_t)v;
				d = NULL;
				rc = cell_decode(bad, len, &d);
				if (rc != 0) {
					assert_int_equal(rc, -EBADMSG);
					continue;
				}
				assert_invariants(d);
				assert_int_equal(cell_encode(d, &re, &relen),
				    0);
				assert_int_equal(relen, len);
				assert_memory_equal(re, bad, len);
				free(re);
				cell_free(d);
			}
			bad[i] = buf[i];
		}
		free(bad);
		free(buf);
		cell_free(c);
	}
}

static void
expect_bad(const uint8_t *bytes, size_t len)
{
	struct cell	*d = NULL;

	assert_int_equal(cell_decode(bytes, len, &d), -EBADMSG);
	assert_null(d);
}

static void
test_hand_made_bad(void **state)
{
	static const uint8_t	good[] = { 1, 3, 1, 2, 3, 1, 2 };
	static const uint8_t	max_n[] = { 1, 0xff, 0xff, 0xff, 0xff, 0x0f,
				    0 };
	struct cell		*d = NULL;

	(void)state;
	/* n=3, one question of 2 slots, answered 3: 1 and 2 */
	assert_int_equal(cell_decode(good, sizeof(good), &d), 0);
	assert_int_equal(d->c_n, 3);
	assert_int_equal(cell_hist(d, 0)[1], 2);
	cell_free(d);
	assert_int_equal(cell_decode(max_n, sizeof(max_n), &d), 0);
	assert_int_equal(d->c_n, UINT32_MAX);
	assert_int_equal(d->c_nquestions, 0);
	cell_free(d);

	expect_bad(NULL, 0);
	expect_bad(good, 0);
	expect_bad((const uint8_t[]){ 2, 3, 1, 2, 3, 1, 2 }, 7);  /* version */
	expect_bad((const uint8_t[]){ 0, 3, 1, 2, 3, 1, 2 }, 7);
	/* overlong zero, overlong three, value above UINT32_MAX */
	expect_bad((const uint8_t[]){ 1, 0x80, 0x00, 0 }, 4);
	expect_bad((const uint8_t[]){ 1, 0x83, 0x00, 0 }, 4);
	expect_bad((const uint8_t[]){ 1, 0xff, 0xff, 0xff, 0xff, 0x1f, 0 }, 7);
	expect_bad((const uint8_t[]){ 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	    0 }, 8);
	/* too many questions; more questions than the bytes can hold */
	expect_bad((const uint8_t[]){ 1, 3, 0x81, 0x04 }, 4);	/* 513 */
	expect_bad((const uint8_t[]){ 1, 3, 100, 1, 0, 0 }, 6);
	/* 0 slots, 65 slots */
	expect_bad((const uint8_t[]){ 1, 3, 1, 0, 0, 0 }, 6);
	expect_bad((const uint8_t[]){ 1, 3, 1, 65, 0, 0 }, 6);
	/* answered > n; a slot > answered */
	expect_bad((const uint8_t[]){ 1, 3, 1, 2, 4, 1, 2 }, 7);
	expect_bad((const uint8_t[]){ 1, 3, 1, 2, 2, 3, 0 }, 7);
	/* trailing byte */
	expect_bad((const uint8_t[]){ 1, 3, 1, 2, 3, 1, 2, 0 }, 8);
}

/* Version 2: the live cell, then the released one, both decoded back. */
static void
test_pair(void **state)
{
	static const unsigned	shape[] = { 2, 3 };
	/* The released body's question has 2 slots, the live one's 1. */
	static const uint8_t	mixed[] = { 2, 1, 1, 1, 1, 1, 0, 1, 2, 0, 0,
	    0 };
	struct cell		*live, *rel, *other, *l2 = NULL, *r2 = NULL;
	uint8_t			*buf, *v1;
	size_t			 len, len1;

	(void)state;
	assert_int_equal(cell_decode_pair(mixed, sizeof(mixed), &l2, &r2),
	    -EBADMSG);
	live = cell_new(2, shape);
	rel = cell_new_like(live);
	assert_non_null(live);
	assert_non_null(rel);
	assert_true(cell_same_shape(live, rel));
	live->c_n = 7;
	live->c_answered[0] = 7;
	live->c_slots[1] = 7;
	live->c_answered[1] = 2;
	live->c_slots[4] = 2;
	rel->c_n = 5;
	rel->c_answered[0] = 5;
	rel->c_slots[1] = 5;
	assert_int_equal(cell_encode_pair(live, rel, &buf, &len), 0);
	assert_int_equal(buf[0], 2);
	assert_true(cell_has_released(buf, len));
	assert_int_equal(cell_decode_pair(buf, len, &l2, &r2), 0);
	assert_cells_equal(live, l2);
	assert_non_null(r2);
	assert_cells_equal(rel, r2);
	cell_free(l2);
	cell_free(r2);
	/* cell_decode() of a pair gives the live cell. */
	assert_int_equal(cell_decode(buf, len, &l2), 0);
	assert_cells_equal(live, l2);
	cell_free(l2);
	/* Every truncation fails. */
	for (len1 = 0; len1 < len; len1++)
		assert_int_equal(cell_decode_pair(buf, len1, &l2, &r2),
		    -EBADMSG);
	free(buf);

	/* A version 1 record: the live cell, and no released one. */
	assert_int_equal(cell_encode(live, &v1, &len1), 0);
	assert_false(cell_has_released(v1, len1));
	r2 = live;
	assert_int_equal(cell_decode_pair(v1, len1, &l2, &r2), 0);
	assert_cells_equal(live, l2);
	assert_null(r2);
	cell_free(l2);
	free(v1);

	/* Two cells of different shapes make no pair. */
	other = cell_new(1, shape);
	assert_non_null(other);
	assert_int_equal(cell_encode_pair(live, other, &buf, &len), -EINVAL);
	cell_free(other);
	cell_free(live);
	cell_free(rel);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated_and_corrupted),
		cmocka_unit_test(test_hand_made_bad),
		cmocka_unit_test(test_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
