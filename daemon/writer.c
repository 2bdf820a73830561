/*
 * writer.c — group commit. A request never waits on a sync of its own: it
 * waits for the next commit, which carries every request that arrived while
 * the previous one was syncing. The batch size thus follows the load, with
 * no timer. LMDB allows one write transaction at a time, so a single thread
 * doing all writes costs nothing and keeps the event loop free of fsync.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "api/metrics.h"
#include "common/log.h"
#include "daemon/writer.h"
#include "storage/storage.h"

/* Jobs in one transaction at most; see writer_take(). */
#define WRITER_MAX_BATCH	2048
/*
 * How often a writer with nothing to do looks whether a full disk has
 * room again, so that /readyz recovers without waiting for a write.
 */
#define WRITER_FULL_POLL	2

struct writer_job {
	struct writer_job	*wj_next;
	api_apply_fn		 wj_apply;
	api_done_fn		 wj_done;
	void			*wj_arg;
	int			 wj_rc;
	bool			 wj_reserve;	/* may use the reserve */
	bool			 wj_intake;	/* writes at the flush */
};

/* A FIFO of jobs; tail pointer for O(1) append. */
struct writer_list {
	struct writer_job	*wl_head;
	struct writer_job	**wl_tail;
};

struct writer {
	struct storage		*w_store;
	struct api_ctx		*w_api;
	struct event		*w_done_ev;	/* wakes the event loop */
	pthread_t		 w_thread;
	bool			 w_started;
	pthread_mutex_t		 w_lock;
	pthread_cond_t		 w_cond;
	struct writer_list	 w_queue;	/* submitted, not yet taken */
	struct writer_list	 w_done;	/* committed, not yet delivered */
	size_t			 w_pending;	/* loop thread only */
	bool			 w_stop;
	uint64_t		 w_reserve;	/* under w_lock */
	struct writer_stats	 w_stats;
};

static void
writer_list_init(struct writer_list *l)
{
	l->wl_head = NULL;
	l->wl_tail = &l->wl_head;
}

static void
writer_list_append(struct writer_list *l, struct writer_list *more)
{
	if (more->wl_head == NULL)
		return;
	*l->wl_tail = more->wl_head;
	l->wl_tail = more->wl_tail;
	writer_list_init(more);
}

/*
 * Move at most max jobs from the head of src to dst. The bound keeps one
 * transaction's dirty pages well inside LMDB's limit when a thousand
 * kiosks flush their queues at once; the rest goes in the next commit.
 */
static void
writer_take(struct writer_list *dst, struct writer_list *src, size_t max)
{
	struct writer_job	**pp = &src->wl_head;
	size_t			  n = 0;

	while (*pp != NULL && n < max) {
		pp = &(*pp)->wj_next;
		n++;
	}
	if (*pp == NULL) {
		writer_list_append(dst, src);
		return;
	}
	*dst->wl_tail = src->wl_head;
	dst->wl_tail = pp;
	src->wl_head = *pp;
	*pp = NULL;
}

static uint64_t
writer_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Whether the disk has room for the batch about to begin: the reserve
 * topped up (storage_reserve). When it has not, the reserve is kept for
 * the writes that reading needs (logins, logouts, the audit entries of
 * reads), so that managers can still log in and read while the disk is
 * full, and every other write is refused before it is tried.
 */
static bool
writer_room(struct writer *w)
{
	uint64_t	reserve;

	pthread_mutex_lock(&w->w_lock);
	reserve = w->w_reserve;
	pthread_mutex_unlock(&w->w_lock);
	return storage_reserve(w->w_store, reserve) != -EDQUOT;
}

/* Apply a batch in one transaction; every job gets its rc. */
static void
writer_commit(struct writer *w, struct writer_list *batch)
{
	struct storage_txn	*txn = NULL, *child = NULL;
	struct writer_job	*j;
	uint64_t		 t0 = writer_now_ns(), n = 0;
	bool			 room;
	int			 rc;

	room = writer_room(w);
	rc = storage_txn_begin(w->w_store, true, &txn);
	for (j = batch->wl_head; j != NULL; j = j->wj_next) {
		n++;
		if (rc != 0) {
			j->wj_rc = rc;
			continue;
		}
		if (!room && !j->wj_reserve) {
			j->wj_rc = -EDQUOT;
			continue;
		}
		/*
		 * Responses write their records, cells and comments at the
		 * flush: before anything else reads or writes those.
		 */
		if (!j->wj_intake && w->w_api != NULL &&
		    (rc = api_batch_flush(w->w_api, txn)) != 0) {
			j->wj_rc = rc;
			continue;
		}
		/* A child per job: one bad job does not undo the others. */
		if ((j->wj_rc = storage_txn_begin_child(txn, &child)) != 0)
			continue;
		j->wj_rc = j->wj_apply(child, j->wj_arg);
		if (j->wj_rc == 0)
			j->wj_rc = storage_txn_commit(child);
		else
			storage_txn_abort(child);
		child = NULL;
	}
	if (rc == 0 && w->w_api != NULL)
		rc = api_batch_precommit(w->w_api, txn);
	if (rc == 0)
		rc = storage_txn_commit(txn);
	else
		storage_txn_abort(txn);
	if (w->w_api != NULL)
		api_batch_done(w->w_api, rc);
	if (rc != 0) {
		/*
		 * Nothing of the batch is stored: every job learns it. A
		 * full disk has had its line in the log (storage_reserve).
		 */
		if (rc != -EDQUOT)
			log_warnx("write transaction of %llu jobs failed: %s",
			    (unsigned long long)n, strerror(-rc));
		for (j = batch->wl_head; j != NULL; j = j->wj_next)
			j->wj_rc = rc;
	}
	metrics_observe_commit(writer_now_ns() - t0, rc != 0);
	pthread_mutex_lock(&w->w_lock);
	w->w_stats.ws_batches++;
	w->w_stats.ws_jobs += n;
	w->w_stats.ws_failed += rc != 0;
	w->w_stats.ws_last_batch = n;
	w->w_stats.ws_last_ns = writer_now_ns() - t0;
	writer_list_append(&w->w_done, batch);
	pthread_mutex_unlock(&w->w_lock);
	event_active(w->w_done_ev, EV_READ, 0);
}

static void *
writer_main(void *arg)
{
	struct writer		*w = arg;
	struct writer_list	 batch;
	struct timespec		 until;

	writer_list_init(&batch);
	pthread_mutex_lock(&w->w_lock);
	for (;;) {
		while (w->w_queue.wl_head == NULL && !w->w_stop) {
			if (!storage_full(w->w_store)) {
				pthread_cond_wait(&w->w_cond, &w->w_lock);
				continue;
			}
			/*
			 * Full and idle: look for room now and then (the
			 * condition's clock is the wall clock; a step of it
			 * moves one look, no more).
			 */
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += WRITER_FULL_POLL;
			if (pthread_cond_timedwait(&w->w_cond, &w->w_lock,
			    &until) == ETIMEDOUT) {
				pthread_mutex_unlock(&w->w_lock);
				(void)writer_room(w);
				pthread_mutex_lock(&w->w_lock);
			}
		}
		if (w->w_queue.wl_head == NULL && w->w_stop)
			break;
		writer_take(&batch, &w->w_queue, WRITER_MAX_BATCH);
		pthread_mutex_unlock(&w->w_lock);
		writer_commit(w, &batch);
		pthread_mutex_lock(&w->w_lock);
	}
	pthread_mutex_unlock(&w->w_lock);
	return NULL;
}

/* Event-loop thread: hand every committed job its result. */
static void
writer_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct writer		*w = arg;
	struct writer_list	 done;
	struct writer_job	*j, *next;

	pthread_mutex_lock(&w->w_lock);
	writer_list_init(&done);
	writer_list_append(&done, &w->w_done);
	pthread_mutex_unlock(&w->w_lock);
	for (j = done.wl_head; j != NULL; j = next) {
		next = j->wj_next;
		w->w_pending--;
		j->wj_done(j->wj_rc, j->wj_arg);
		free(j);
	}
}

int
writer_new(struct event_base *base, struct storage *st, struct api_ctx *api,
    struct writer **out)
{
	struct writer	*w = NULL;
	int		 ret = -1;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	w->w_store = st;
	w->w_api = api;
	writer_list_init(&w->w_queue);
	writer_list_init(&w->w_done);
	w->w_reserve = WRITER_RESERVE_DEFAULT;
	pthread_mutex_init(&w->w_lock, NULL);
	pthread_cond_init(&w->w_cond, NULL);
	/* Activated from the writer thread (evthread_use_pthreads is on). */
	w->w_done_ev = event_new(base, -1, 0, writer_deliver, w);
	if (w->w_done_ev == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = pthread_create(&w->w_thread, NULL, writer_main, w)) != 0) {
		ret = -ret;
		goto done;
	}
	w->w_started = true;
	*out = w;
	w = NULL;
	ret = 0;
done:
	writer_free(w);
	return ret;
}

static int
writer_queue(struct writer *w, api_apply_fn apply, api_done_fn done,
    void *job, bool reserve, bool intake)
{
	struct writer_job	*j;
	struct writer_list	 one;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -ENOMEM;
	j->wj_apply = apply;
	j->wj_done = done;
	j->wj_arg = job;
	j->wj_reserve = reserve;
	j->wj_intake = intake;
	one.wl_head = j;
	one.wl_tail = &j->wj_next;
	pthread_mutex_lock(&w->w_lock);
	if (w->w_stop) {
		pthread_mutex_unlock(&w->w_lock);
		free(j);
		return -ESHUTDOWN;
	}
	writer_list_append(&w->w_queue, &one);
	pthread_cond_signal(&w->w_cond);
	pthread_mutex_unlock(&w->w_lock);
	w->w_pending++;
	return 0;
}

int
writer_submit(struct writer *w, api_apply_fn apply, api_done_fn done,
    void *job)
{
	return writer_queue(w, apply, done, job, false, false);
}

int
writer_submit_cb(void *w, api_apply_fn apply, api_done_fn done, void *job)
{
	return writer_queue(w, apply, done, job, false, false);
}

int
writer_submit_reserve_cb(void *w, api_apply_fn apply, api_done_fn done,
    void *job)
{
	return writer_queue(w, apply, done, job, true, false);
}

int
writer_submit_intake_cb(void *w, api_apply_fn apply, api_done_fn done,
    void *job)
{
	return writer_queue(w, apply, done, job, false, true);
}

void
writer_set_reserve(struct writer *w, uint64_t bytes)
{
	pthread_mutex_lock(&w->w_lock);
	w->w_reserve = bytes;
	pthread_mutex_unlock(&w->w_lock);
}

size_t
writer_pending(struct writer *w)
{
	return w->w_pending;
}

void
writer_stats(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->w_lock);
	*out = w->w_stats;
	pthread_mutex_unlock(&w->w_lock);
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->w_started) {
		pthread_mutex_lock(&w->w_lock);
		w->w_stop = true;
		pthread_cond_signal(&w->w_cond);
		pthread_mutex_unlock(&w->w_lock);
		pthread_join(w->w_thread, NULL);
		/* The last batch committed: answer its requests too. */
		writer_deliver(-1, 0, w);
	}
	if (w->w_done_ev != NULL)
		event_free(w->w_done_ev);
	pthread_mutex_destroy(&w->w_lock);
	pthread_cond_destroy(&w->w_cond);
	free(w);
}
