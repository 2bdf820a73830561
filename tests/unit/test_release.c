/*
 * test_release.c — release in steps of k (core/release.h): the rule on
 * hand-made cells, and its guarantee checked over long random sequences
 * of responses: every released counter stays or moves by at least k, and
 * never passes its live counter or (for a question) the released n.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cell.h"
#include "core/release.h"

/* A fixed-seed generator: the same sequences on every run and host. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One response: question 0 always answered at slot, question 1 when opt. */
static void
respond(struct cell *live, uint8_t slot, bool opt, uint8_t opt_slot)
{
	struct cell_answer	ans[2] = {
		{ true, &slot, 1 }, { opt, opt ? &opt_slot : NULL, opt ? 1 : 0 }
	};

	assert_int_equal(cell_add(live, ans, 2), 0);
}

static void
test_k(void **state)
{
	(void)state;
	assert_int_equal(release_k(0), RELEASE_K_MIN);
	assert_int_equal(release_k(2), RELEASE_K_MIN);
	assert_int_equal(release_k(3), 3);
	assert_int_equal(release_k(7), 7);
}

/* Nothing shows until k responses; then all of them; then k more. */
static void
test_steps(void **state)
{
	static const unsigned	shape[] = { 5, 2 };
	struct cell		*live = cell_new(2, shape);
	struct cell		*rel = cell_new_like(live);
	bool			 stepped;
	int			 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		respond(live, 3, false, 0);
		assert_int_equal(release_step(rel, live, 5, &stepped), 0);
		assert_false(stepped);
		assert_int_equal(rel->c_n, 0);
		assert_int_equal(cell_hist(rel, 0)[3], 0);
	}
	respond(live, 0, false, 0);
	assert_int_equal(release_step(rel, live, 5, &stepped), 0);
	assert_true(stepped);
	assert_int_equal(rel->c_n, 5);
	assert_int_equal(cell_hist(rel, 0)[3], 4);
	assert_int_equal(cell_hist(rel, 0)[0], 1);
	/* The client seen at the kiosk: one more answer shows nothing. */
	respond(live, 4, false, 0);
	assert_int_equal(release_step(rel, live, 5, &stepped), 0);
	assert_false(stepped);
	assert_int_equal(rel->c_n, 5);
	assert_int_equal(cell_hist(rel, 0)[4], 0);
	cell_free(live);
	cell_free(rel);
}

/* An optional question answered by one person shows nothing of it. */
static void
test_question_steps_alone(void **state)
{
	static const unsigned	shape[] = { 5, 2 };
	struct cell		*live = cell_new(2, shape);
	struct cell		*rel = cell_new_like(live);
	int			 i;

	(void)state;
	respond(live, 2, true, 1);
	for (i = 0; i < 9; i++)
		respond(live, 2, false, 0);
	assert_int_equal(release_step(rel, live, 5, NULL), 0);
	assert_int_equal(rel->c_n, 10);
	assert_int_equal(rel->c_answered[0], 10);
	assert_int_equal(rel->c_answered[1], 0);
	assert_int_equal(cell_hist(rel, 1)[1], 0);
	/* Four more answer it: five in all since its last step, at a step. */
	for (i = 0; i < 4; i++)
		respond(live, 2, true, 0);
	respond(live, 2, false, 0);
	assert_int_equal(release_step(rel, live, 5, NULL), 0);
	assert_int_equal(rel->c_n, 15);
	assert_int_equal(rel->c_answered[1], 5);
	assert_int_equal(cell_hist(rel, 1)[0], 4);
	assert_int_equal(cell_hist(rel, 1)[1], 1);
	cell_free(live);
	cell_free(rel);
}

static void
test_bad_input(void **state)
{
	static const unsigned	shape[] = { 5, 2 };
	struct cell		*live = cell_new(2, shape);
	struct cell		*rel = cell_new_like(live);
	struct cell		*other = cell_new(1, shape);
	bool			 stepped = true;

	(void)state;
	assert_int_equal(release_step(other, live, 5, &stepped), -EINVAL);
	assert_false(stepped);
	assert_int_equal(release_initial(other, live, 5), -EINVAL);
	/* Released ahead of live is no state the rule reaches. */
	rel->c_n = 1;
	assert_false(release_consistent(rel, live));
	assert_int_equal(release_step(rel, live, 5, NULL), -EINVAL);
	assert_int_equal(rel->c_n, 1);
	cell_free(live);
	cell_free(rel);
	cell_free(other);
}

/* A store written before: one step from nothing, per question too. */
static void
test_initial(void **state)
{
	static const unsigned	shape[] = { 5, 2 };
	struct cell		*live = cell_new(2, shape);
	struct cell		*rel = cell_new_like(live);
	int			 i;

	(void)state;
	for (i = 0; i < 4; i++)
		respond(live, 1, i == 0, 1);
	assert_int_equal(release_initial(rel, live, 5), 0);
	assert_int_equal(rel->c_n, 0);
	respond(live, 1, false, 0);
	respond(live, 1, false, 0);
	assert_int_equal(release_initial(rel, live, 5), 0);
	assert_int_equal(rel->c_n, 6);
	assert_int_equal(cell_hist(rel, 0)[1], 6);
	assert_int_equal(rel->c_answered[1], 0);	/* one answer: hidden */
	assert_true(release_consistent(rel, live));
	cell_free(live);
	cell_free(rel);
}

/* Whether after - before of every counter is 0 or at least k. */
static void
assert_whole_steps(const struct cell *before, const struct cell *after,
    uint32_t k)
{
	size_t	q, i;
	bool	moved;

	assert_true(after->c_n == before->c_n ||
	    after->c_n >= before->c_n + k);
	for (q = 0; q < after->c_nquestions; q++) {
		moved = after->c_answered[q] != before->c_answered[q];
		assert_true(!moved ||
		    after->c_answered[q] >= before->c_answered[q] + k);
		/* A histogram moves only with its question's step. */
		for (i = 0; i < after->c_nslots[q]; i++)
			if (!moved)
				assert_int_equal(cell_hist(after, q)[i],
				    cell_hist(before, q)[i]);
	}
}

/*
 * The guarantee over random sequences: between any two moments (not only
 * consecutive ones) every released counter moved by 0 or at least k, and
 * the invariants held throughout.
 */
static void
test_guarantee_random(void **state)
{
	static const unsigned	shape[] = { 5, 2 };
	struct cell		*live, *rel, *snap[64];
	uint64_t		 seed = 0x5eed5eed12345678ULL;
	uint32_t		 k;
	size_t			 run, step, nsnap, a, b;

	(void)state;
	for (run = 0; run < 200; run++) {
		k = 3 + (uint32_t)(rng_next(&seed) % 8);
		live = cell_new(2, shape);
		rel = cell_new_like(live);
		nsnap = 0;
		for (step = 0; step < 300; step++) {
			respond(live, (uint8_t)(rng_next(&seed) % 5),
			    rng_next(&seed) % 4 == 0,
			    (uint8_t)(rng_next(&seed) % 2));
			assert_int_equal(release_step(rel, live, k, NULL), 0);
			assert_true(release_consistent(rel, live));
			if (step % 5 == 0 && nsnap < 64) {
				snap[nsnap] = cell_new_like(rel);
				assert_int_equal(cell_merge(snap[nsnap], rel),
				    0);
				nsnap++;
			}
		}
		for (a = 0; a < nsnap; a++)
			for (b = a + 1; b < nsnap; b++)
				assert_whole_steps(snap[a], snap[b], k);
		for (a = 0; a < nsnap; a++)
			cell_free(snap[a]);
		/* What is held back is fewer than k responses. */
		assert_true(live->c_n - rel->c_n < k);
		cell_free(live);
		cell_free(rel);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_question_steps_alone),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_initial),
		cmocka_unit_test(test_guarantee_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
