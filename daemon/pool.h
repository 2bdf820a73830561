/*
 * pool.h — a few worker threads for slow work that must not run on the
 * event loop (Argon2id password hashes: ~0.1 s and 64 MiB each), behind a
 * bounded queue. Completions run on the event-loop thread, woken with
 * event_active() as the writer does. Writes never pass through here, so a
 * login storm fills this queue and leaves submissions alone.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_POOL_H
#define PALAUTE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "api/api.h"

struct event_base;
struct pool;

/*
 * Queued jobs allowed per worker beyond the one it runs. With ~0.1 s a
 * hash, a full queue is answered within about a second, which is what a
 * client is told to wait (503 with Retry-After: 1) once it is full.
 */
#define POOL_QUEUE_PER_WORKER	8

/*
 * Start nworkers threads with room for max_jobs jobs (queued and running)
 * at once; completions are delivered on base's thread.
 */
int	pool_new(struct event_base *base, unsigned nworkers, size_t max_jobs,
	    struct pool **out);

/*
 * Queue a job (event-loop thread): work(job) on a worker, then done(0,
 * job) on the loop. -EBUSY when max_jobs are already in, -ESHUTDOWN once
 * the pool is stopping; done is then not called.
 */
int	pool_submit(struct pool *p, api_work_fn work, api_done_fn done,
	    void *job);
/* The same with the signature api_ctx.ac_offload expects. */
int	pool_submit_cb(void *p, api_work_fn work, api_done_fn done, void *job);

/* Jobs submitted and not yet completed. */
size_t	pool_pending(struct pool *p);

/*
 * Let the workers finish what is queued, stop them, deliver the last
 * completions, free. Accepts NULL.
 */
void	pool_free(struct pool *p);

#endif /* PALAUTE_POOL_H */
