/*
 * test_throttle.c — the failed-login table: the limit, exponential
 * back-off with a cap, reset on success, parallel attempts, forgetting,
 * and eviction when full. Time is passed in; no clock.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/throttle.h"

#define LIMIT	5
#define BASE	5
#define MAX	900

static void
fail_once(struct throttle *t, uint64_t key, int64_t now)
{
	assert_int_equal(throttle_begin(t, key, LIMIT, now), 0);
	throttle_end(t, key, false, LIMIT, now);
}

static void
test_limit_then_backoff(void **state)
{
	struct throttle	*t = throttle_new(16, BASE, MAX);
	int		 i;

	assert_non_null(t);
	for (i = 0; i < LIMIT; i++)
		fail_once(t, 1, 100);
	/* The sixth attempt waits the base time. */
	assert_int_equal(throttle_begin(t, 1, LIMIT, 100), BASE);
	assert_int_equal(throttle_begin(t, 1, LIMIT, 103), BASE - 3);
	/* Another key is not affected. */
	assert_int_equal(throttle_begin(t, 2, LIMIT, 100), 0);
	throttle_end(t, 2, true, LIMIT, 100);
	/* After the wait one attempt; failing doubles the wait. */
	fail_once(t, 1, 105);
	assert_int_equal(throttle_begin(t, 1, LIMIT, 105), 2 * BASE);
	fail_once(t, 1, 115);
	assert_int_equal(throttle_begin(t, 1, LIMIT, 115), 4 * BASE);
	throttle_free(t);
}

static void
test_backoff_is_capped(void **state)
{
	struct throttle	*t = throttle_new(4, BASE, MAX);
	int64_t		 now = 0;
	int		 i, w;

	for (i = 0; i < 40; i++) {
		while ((w = throttle_begin(t, 9, LIMIT, now)) != 0)
			now += w;
		throttle_end(t, 9, false, LIMIT, now);
	}
	assert_int_equal(throttle_begin(t, 9, LIMIT, now), MAX);
	throttle_free(t);
}

static void
test_success_resets(void **state)
{
	struct throttle	*t = throttle_new(4, BASE, MAX);
	int		 i;

	for (i = 0; i < LIMIT - 1; i++)
		fail_once(t, 3, 10);
	assert_int_equal(throttle_begin(t, 3, LIMIT, 10), 0);
	throttle_end(t, 3, true, LIMIT, 10);
	/* The count starts again: LIMIT more failures before a wait. */
	for (i = 0; i < LIMIT; i++)
		fail_once(t, 3, 11);
	assert_true(throttle_begin(t, 3, LIMIT, 11) > 0);
	throttle_free(t);
}

static void
test_parallel_attempts_count(void **state)
{
	struct throttle	*t = throttle_new(4, BASE, MAX);
	int		 i;

	for (i = 0; i < LIMIT - 2; i++)
		fail_once(t, 4, 50);
	/* Two may run at once with three failures; the third waits. */
	assert_int_equal(throttle_begin(t, 4, LIMIT, 50), 0);
	assert_int_equal(throttle_begin(t, 4, LIMIT, 50), 0);
	assert_int_equal(throttle_begin(t, 4, LIMIT, 50), 1);
	throttle_end(t, 4, false, LIMIT, 50);
	throttle_end(t, 4, false, LIMIT, 50);
	assert_int_equal(throttle_begin(t, 4, LIMIT, 50), BASE);
	/* A cancelled attempt counts neither way. */
	assert_int_equal(throttle_begin(t, 5, LIMIT, 50), 0);
	throttle_cancel(t, 5);
	for (i = 0; i < LIMIT - 1; i++)
		fail_once(t, 5, 50);
	assert_int_equal(throttle_begin(t, 5, LIMIT, 50), 0);
	throttle_free(t);
}

static void
test_forgets_old_failures(void **state)
{
	struct throttle	*t = throttle_new(4, BASE, MAX);
	int		 i;

	for (i = 0; i < LIMIT; i++)
		fail_once(t, 6, 1000);
	assert_true(throttle_begin(t, 6, LIMIT, 1000) > 0);
	assert_int_equal(throttle_begin(t, 6, LIMIT,
	    1000 + THROTTLE_FORGET + 1), 0);
	throttle_end(t, 6, false, LIMIT, 1000 + THROTTLE_FORGET + 1);
	/* One failure after forgetting: far from the limit. */
	assert_int_equal(throttle_begin(t, 6, LIMIT,
	    1000 + THROTTLE_FORGET + 1), 0);
	throttle_free(t);
}

static void
test_bounded_evicts_oldest_idle(void **state)
{
	struct throttle	*t = throttle_new(3, BASE, MAX);
	int		 i;

	for (i = 0; i < LIMIT; i++)
		fail_once(t, 100, 1);	/* oldest */
	fail_once(t, 101, 2);
	assert_int_equal(throttle_begin(t, 102, LIMIT, 3), 0);	/* running */
	assert_int_equal(throttle_count(t), 3);
	/* Full: a new key evicts the least recently used idle one (100). */
	fail_once(t, 103, 4);
	assert_int_equal(throttle_count(t), 3);
	assert_int_equal(throttle_begin(t, 100, LIMIT, 5), 0);
	throttle_end(t, 100, true, LIMIT, 5);
	/* 102 was running, so it is still there: its end counts. */
	throttle_end(t, 102, false, LIMIT, 6);
	assert_int_equal(throttle_count(t), 3);
	throttle_free(t);
}

static void
test_full_of_running_fails_closed(void **state)
{
	struct throttle	*t = throttle_new(2, BASE, MAX);

	assert_int_equal(throttle_begin(t, 1, LIMIT, 0), 0);
	assert_int_equal(throttle_begin(t, 2, LIMIT, 0), 0);
	assert_int_equal(throttle_begin(t, 3, LIMIT, 0), 1);
	throttle_free(t);
	throttle_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_then_backoff),
		cmocka_unit_test(test_backoff_is_capped),
		cmocka_unit_test(test_success_resets),
		cmocka_unit_test(test_parallel_attempts_count),
		cmocka_unit_test(test_forgets_old_failures),
		cmocka_unit_test(test_bounded_evicts_oldest_idle),
		cmocka_unit_test(test_full_of_running_fails_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
