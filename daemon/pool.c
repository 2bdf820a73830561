/*
 * pool.c — worker threads behind a bounded FIFO. A job moves from the
 * queue to a worker to the done list; one event wakes the loop to run the
 * completions, like the writer's.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "common/log.h"
#include "daemon/pool.h"

#define POOL_MAX_WORKERS	64

struct pool_job {
	struct pool_job	*pj_next;
	api_work_fn	 pj_work;
	api_done_fn	 pj_done;
	void		*pj_arg;
};

struct pool_list {
	struct pool_job	 *pl_head;
	struct pool_job	**pl_tail;
};

struct pool {
	struct event		*p_done_ev;
	pthread_t		 p_threads[POOL_MAX_WORKERS];
	unsigned		 p_nthreads;	/* started */
	pthread_mutex_t		 p_lock;
	pthread_cond_t		 p_cond;
	struct pool_list	 p_queue;	/* waiting for a worker */
	struct pool_list	 p_done;	/* worked, not yet delivered */
	bool			 p_stop;
	size_t			 p_max;
	size_t			 p_pending;	/* loop thread only */
};

static void
pool_list_init(struct pool_list *l)
{
	l->pl_head = NULL;
	l->pl_tail = &l->pl_head;
}

static void
pool_list_push(struct pool_list *l, struct pool_job *j)
{
	j->pj_next = NULL;
	*l->pl_tail = j;
	l->pl_tail = &j->pj_next;
}

static struct pool_job *
pool_list_pop(struct pool_list *l)
{
	struct pool_job	*j = l->pl_head;

	if (j != NULL) {
		l->pl_head = j->pj_next;
		if (l->pl_head == NULL)
			l->pl_tail = &l->pl_head;
	}
	return j;
}

static void *
pool_main(void *arg)
{
	struct pool	*p = arg;
	struct pool_job	*j;

	pthread_mutex_lock(&p->p_lock);
	for (;;) {
		while (p->p_queue.pl_head == NULL && !p->p_stop)
			pthread_cond_wait(&p->p_cond, &p->p_lock);
		if ((j = pool_list_pop(&p->p_queue)) == NULL)
			break;	/* stopping, and nothing left */
		pthread_mutex_unlock(&p->p_lock);
		j->pj_work(j->pj_arg);
		pthread_mutex_lock(&p->p_lock);
		pool_list_push(&p->p_done, j);
		event_active(p->p_done_ev, EV_READ, 0);
	}
	pthread_mutex_unlock(&p->p_lock);
	return NULL;
}

/* Event-loop thread: run the completions of finished jobs. */
static void
pool_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct pool	*p = arg;
	struct pool_job	*j, *next;

	pthread_mutex_lock(&p->p_lock);
	j = p->p_done.pl_head;
	pool_list_init(&p->p_done);
	pthread_mutex_unlock(&p->p_lock);
	for (; j != NULL; j = next) {
		next = j->pj_next;
		p->p_pending--;
		j->pj_done(0, j->pj_arg);
		free(j);
	}
}

int
pool_new(struct event_base *base, unsigned nworkers, size_t max_jobs,
    struct pool **out)
{
	struct pool	*p = NULL;
	unsigned	 i;
	int		 ret = -1, rc;

	if (nworkers == 0 || nworkers > POOL_MAX_WORKERS || max_jobs == 0)
		return -EINVAL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	p->p_max = max_jobs;
	pool_list_init(&p->p_queue);
	pool_list_init(&p->p_done);
	pthread_mutex_init(&p->p_lock, NULL);
	pthread_cond_init(&p->p_cond, NULL);
	/* Activated from the workers (evthread_use_pthreads is on). */
	if ((p->p_done_ev = event_new(base, -1, 0, pool_deliver, p)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < nworkers; i++) {
		if ((rc = pthread_create(&p->p_threads[i], NULL, pool_main,
		    p)) != 0) {
			ret = -rc;
			goto done;
		}
		p->p_nthreads++;
	}
	*out = p;
	p = NULL;
	ret = 0;
done:
	pool_free(p);
	return ret;
}

int
pool_submit(struct pool *p, api_work_fn work, api_done_fn done, void *job)
{
	struct pool_job	*j;

	/* Counted on the loop thread, where every submit and delivery runs. */
	if (p->p_pending >= p->p_max)
		return -EBUSY;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -ENOMEM;
	j->pj_work = work;
	j->pj_done = done;
	j->pj_arg = job;
	pthread_mutex_lock(&p->p_lock);
	if (p->p_stop) {
		pthread_mutex_unlock(&p->p_lock);
		free(j);
		return -ESHUTDOWN;
	}
	pool_list_push(&p->p_queue, j);
	pthread_cond_signal(&p->p_cond);
	pthread_mutex_unlock(&p->p_lock);
	p->p_pending++;
	return 0;
}

int
pool_submit_cb(void *p, api_work_fn work, api_done_fn done, void *job)
{
	return pool_submit(p, work, done, job);
}

size_t
pool_pending(struct pool *p)
{
	return p->p_pending;
}

void
pool_free(struct pool *p)
{
	unsigned	i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->p_lock);
	p->p_stop = true;
	pthread_cond_broadcast(&p->p_cond);
	pthread_mutex_unlock(&p->p_lock);
	for (i = 0; i < p->p_nthreads; i++)
		pthread_join(p->p_threads[i], NULL);
	/* Finished work still owes its requests an answer. */
	if (p->p_done_ev != NULL) {
		pool_deliver(-1, 0, p);
		event_free(p->p_done_ev);
	}
	pthread_mutex_destroy(&p->p_lock);
	pthread_cond_destroy(&p->p_cond);
	free(p);
}
