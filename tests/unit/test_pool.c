/*
 * test_pool.c — the worker pool on a real event loop: work runs on worker
 * threads, completions on the loop's thread; the bound refuses a job
 * beyond it (-EBUSY) and frees up as jobs complete; freeing the pool
 * finishes and delivers what was queued.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "daemon/pool.h"

struct gate {
	pthread_mutex_t	g_lock;
	pthread_cond_t	g_cond;
	bool		g_open;
	int		g_worked;
	int		g_done;
	bool		g_work_on_main;
	bool		g_done_off_main;
	pthread_t	g_main;
};

static void
gate_work(void *arg)
{
	struct gate	*g = arg;

	pthread_mutex_lock(&g->g_lock);
	while (!g->g_open)
		pthread_cond_wait(&g->g_cond, &g->g_lock);
	if (pthread_equal(pthread_self(), g->g_main))
		g->g_work_on_main = true;
	g->g_worked++;
	pthread_mutex_unlock(&g->g_lock);
}

static void
gate_done(int rc, void *arg)
{
	struct gate	*g = arg;

	assert_int_equal(rc, 0);
	if (!pthread_equal(pthread_self(), g->g_main))
		g->g_done_off_main = true;
	g->g_done++;
}

static void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->g_lock);
	g->g_open = true;
	pthread_cond_broadcast(&g->g_cond);
	pthread_mutex_unlock(&g->g_lock);
}

static void
run_until(struct event_base *base, struct gate *g, int done)
{
	int	spins = 0;

	while (g->g_done < done) {
		struct timeval	tv = { 0, 10000 };

		/* A timer so the loop returns even when nothing arrives. */
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		assert_true(++spins < 1000);
	}
}

static void
gate_init(struct gate *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->g_lock, NULL);
	pthread_cond_init(&g->g_cond, NULL);
	g->g_main = pthread_self();
}

static void
test_bound_and_delivery(void **state)
{
	struct event_base	*base = event_base_new();
	struct pool		*p = NULL;
	struct gate		 g;
	int			 i;

	gate_init(&g);
	assert_non_null(base);
	assert_int_equal(pool_new(base, 2, 3, &p), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(pool_submit(p, gate_work, gate_done, &g), 0);
	/* Two run (blocked), one waits: the fourth is refused. */
	assert_int_equal(pool_submit(p, gate_work, gate_done, &g), -EBUSY);
	assert_int_equal(pool_pending(p), 3);
	gate_open(&g);
	run_until(base, &g, 3);
	assert_int_equal(g.g_worked, 3);
	assert_false(g.g_work_on_main);
	assert_false(g.g_done_off_main);
	assert_int_equal(pool_pending(p), 0);
	/* Room again. */
	assert_int_equal(pool_submit_cb(p, gate_work, gate_done, &g), 0);
	run_until(base, &g, 4);
	pool_free(p);
	event_base_free(base);
}

static void
test_free_finishes_queued(void **state)
{
	struct event_base	*base = event_base_new();
	struct pool		*p = NULL;
	struct gate		 g;
	int			 i;

	gate_init(&g);
	g.g_open = true;
	assert_int_equal(pool_new(base, 1, 8, &p), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(pool_submit(p, gate_work, gate_done, &g), 0);
	pool_free(p);
	assert_int_equal(g.g_worked, 5);
	assert_int_equal(g.g_done, 5);
	pool_free(NULL);
	event_base_free(base);
}

static void
test_bad_arguments(void **state)
{
	struct event_base	*base = event_base_new();
	struct pool		*p = NULL;

	assert_int_equal(pool_new(base, 0, 8, &p), -EINVAL);
	assert_int_equal(pool_new(base, 2, 0, &p), -EINVAL);
	assert_null(p);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound_and_delivery),
		cmocka_unit_test(test_free_finishes_queued),
		cmocka_unit_test(test_bad_arguments),
	};

	if (evthread_use_pthreads() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
