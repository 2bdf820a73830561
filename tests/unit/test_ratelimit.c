/*
 * test_ratelimit.c — the intake token buckets alone, on a clock the test
 * turns by hand: burst, refill, Retry-After, independence of keys, and a
 * full table that forgets the buckets nearest to full.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ratelimit.h"

#define SEC	1000000000ULL
#define T0	(1000 * SEC)	/* a monotonic clock does not start at 0 */

static void
test_burst_then_refuse(void **state)
{
	struct ratelimit	*rl;
	int			 i;

	assert_non_null(rl = ratelimit_new(16));
	/* A full bucket: a minute's worth at once. */
	for (i = 0; i < 6; i++)
		assert_int_equal(ratelimit_take(rl, 42, 6, T0), 0);
	/* 6 a minute: the next token in 10 s. */
	assert_int_equal(ratelimit_take(rl, 42, 6, T0), 10);
	assert_int_equal(ratelimit_take(rl, 42, 6, T0 + 1 * SEC), 9);
	/* Rounded up: 0.5 s left is still "1". */
	assert_int_equal(ratelimit_take(rl, 42, 6, T0 + 9 * SEC + SEC / 2), 1);
	/* A refused request takes nothing: at 10 s exactly one more. */
	assert_int_equal(ratelimit_take(rl, 42, 6, T0 + 10 * SEC), 0);
	assert_int_equal(ratelimit_take(rl, 42, 6, T0 + 10 * SEC), 10);
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

static void
test_refills_continuously(void **state)
{
	struct ratelimit	*rl;
	int			 i, ok = 0;

	assert_non_null(rl = ratelimit_new(16));
	for (i = 0; i < 60; i++)
		assert_int_equal(ratelimit_take(rl, 7, 60, T0), 0);
	/* One a second, for a minute: exactly 60 of 600 tries pass. */
	for (i = 1; i <= 600; i++)
		ok += ratelimit_take(rl, 7, 60, T0 + (uint64_t)i * SEC / 10)
		    == 0;
	assert_int_equal(ok, 60);
	/* Idle for a minute: full again, the whole burst. */
	for (i = 0; i < 60; i++)
		assert_int_equal(ratelimit_take(rl, 7, 60, T0 + 121 * SEC), 0);
	assert_true(ratelimit_take(rl, 7, 60, T0 + 121 * SEC) > 0);
	ratelimit_free(rl);
}

static void
test_keys_are_independent(void **state)
{
	struct ratelimit	*rl;

	assert_non_null(rl = ratelimit_new(16));
	assert_int_equal(ratelimit_take(rl, 1, 1, T0), 0);
	assert_int_equal(ratelimit_take(rl, 1, 1, T0), 60);
	assert_int_equal(ratelimit_take(rl, 2, 1, T0), 0);
	/* Key 0 is a key like any other. */
	assert_int_equal(ratelimit_take(rl, 0, 1, T0), 0);
	assert_int_equal(ratelimit_take(rl, 0, 1, T0), 60);
	assert_int_equal(ratelimit_count(rl, T0), 3);
	/* Full buckets do not count: nothing to remember. */
	assert_int_equal(ratelimit_count(rl, T0 + 61 * SEC), 0);
	/* A rate of 0 is no limit. */
	assert_int_equal(ratelimit_take(rl, 1, 0, T0), 0);
	ratelimit_free(rl);
}

static void
test_rate_change_applies(void **state)
{
	struct ratelimit	*rl;

	assert_non_null(rl = ratelimit_new(16));
	assert_int_equal(ratelimit_take(rl, 5, 2, T0), 0);
	assert_int_equal(ratelimit_take(rl, 5, 2, T0), 0);
	assert_true(ratelimit_take(rl, 5, 2, T0) > 0);
	/* A reload raises the rate: the empty bucket refills faster. */
	assert_int_equal(ratelimit_take(rl, 5, 1000, T0 + SEC / 10), 0);
	ratelimit_free(rl);
}

static void
test_full_table_evicts_nearest_full(void **state)
{
	struct ratelimit	*rl;
	uint64_t		 k;

	/* Eight slots, one probe window: every key competes for them. */
	assert_non_null(rl = ratelimit_new(8));
	for (k = 1; k <= 8; k++)
		assert_int_equal(ratelimit_take(rl, k, 1, T0 + k * SEC), 0);
	assert_int_equal(ratelimit_count(rl, T0 + 8 * SEC), 8);
	/* A ninth key takes the slot of key 1, the nearest to full. */
	assert_int_equal(ratelimit_take(rl, 9, 1, T0 + 9 * SEC), 0);
	assert_int_equal(ratelimit_count(rl, T0 + 9 * SEC), 8);
	assert_int_equal(ratelimit_take(rl, 9, 1, T0 + 9 * SEC), 60);
	/* Key 8, the most recent, is still remembered. */
	assert_true(ratelimit_take(rl, 8, 1, T0 + 9 * SEC) > 0);
	/* Once a minute has passed the slots are free without eviction. */
	for (k = 100; k < 108; k++)
		assert_int_equal(ratelimit_take(rl, k, 1, T0 + 200 * SEC), 0);
	assert_int_equal(ratelimit_count(rl, T0 + 200 * SEC), 8);
	ratelimit_free(rl);
}

/* Peek takes nothing; charge takes even from an empty bucket. */
static void
test_peek_and_charge(void **state)
{
	struct ratelimit	*rl;
	int			 i;

	(void)state;
	assert_non_null(rl = ratelimit_new(16));
	/* An unknown key is a full bucket, and peeking remembers nothing. */
	for (i = 0; i < 100; i++)
		assert_int_equal(ratelimit_peek(rl, 7, 6, T0), 0);
	assert_int_equal(ratelimit_count(rl, T0), 0);
	for (i = 0; i < 6; i++)
		ratelimit_charge(rl, 7, 6, T0);
	assert_int_equal(ratelimit_peek(rl, 7, 6, T0), 10);
	/* Charged below empty: two tokens owed, the wait grows by two. */
	ratelimit_charge(rl, 7, 6, T0);
	ratelimit_charge(rl, 7, 6, T0);
	assert_int_equal(ratelimit_peek(rl, 7, 6, T0), 30);
	assert_int_equal(ratelimit_take(rl, 7, 6, T0 + 29 * SEC), 1);
	assert_int_equal(ratelimit_peek(rl, 7, 6, T0 + 30 * SEC), 0);
	/* Peek and take agree. */
	assert_int_equal(ratelimit_take(rl, 7, 6, T0 + 30 * SEC), 0);
	assert_int_equal(ratelimit_peek(rl, 7, 6, T0 + 30 * SEC), 10);
	assert_int_equal(ratelimit_take(rl, 7, 6, T0 + 30 * SEC), 10);
	/* Other keys are not touched; unlimited is unlimited. */
	assert_int_equal(ratelimit_peek(rl, 8, 6, T0), 0);
	assert_int_equal(ratelimit_peek(rl, 7, 0, T0), 0);
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refuse),
		cmocka_unit_test(test_refills_continuously),
		cmocka_unit_test(test_keys_are_independent),
		cmocka_unit_test(test_rate_change_applies),
		cmocka_unit_test(test_full_table_evicts_nearest_full),
		cmocka_unit_test(test_peek_and_charge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
