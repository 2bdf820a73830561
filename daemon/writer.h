/*
 * writer.h — the one thread that owns write transactions, with group
 * commit: everything that queued while the previous commit was syncing goes
 * into the next transaction, each job in a child transaction of its own,
 * and one durable commit acknowledges them all.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_WRITER_H
#define PALAUTE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "api/api.h"

struct event_base;
struct storage;
struct writer;

struct writer_stats {
	uint64_t	ws_batches;	/* commits */
	uint64_t	ws_jobs;	/* jobs applied */
	uint64_t	ws_failed;	/* commits that failed */
	uint64_t	ws_last_batch;	/* jobs in the last commit */
	uint64_t	ws_last_ns;	/* duration of the last commit */
};

/*
 * Start the writer thread; completions are delivered on base's thread.
 * Each batch ends with api's batch calls (api.h); api may be NULL.
 */
int	writer_new(struct event_base *base, struct storage *st,
	    struct api_ctx *api, struct writer **out);
/*
 * Queue a job (event-loop thread). apply runs on the writer thread inside
 * the batch; done runs on the event-loop thread with apply's result or the
 * commit's error. -ESHUTDOWN once the writer is stopping.
 */
int	writer_submit(struct writer *w, api_apply_fn apply, api_done_fn done,
	    void *job);
/* Jobs queued or being committed, not yet completed. */
size_t	writer_pending(struct writer *w);
void	writer_stats(struct writer *w, struct writer_stats *out);
/*
 * Commit what is queued, stop the thread, deliver the last completions,
 * free. Accepts NULL.
 */
void	writer_free(struct writer *w);

/* The same interface with the signature api_ctx.ac_submit expects. */
int	writer_submit_cb(void *w, api_apply_fn apply, api_done_fn done,
	    void *job);
/*
 * The same for api_ctx.ac_submit_reserve: the writes that reading needs
 * (logins, logouts, the audit entries of reads), which go on when the
 * disk is full, drawing on the reserve.
 */
int	writer_submit_reserve_cb(void *w, api_apply_fn apply,
	    api_done_fn done, void *job);
/*
 * The same for api_ctx.ac_submit_intake: responses, whose writes wait
 * for the commit (api_batch_flush()); the writer flushes them before
 * any other job of the batch.
 */
int	writer_submit_intake_cb(void *w, api_apply_fn apply,
	    api_done_fn done, void *job);

/*
 * Disk space kept allocated to the store past what it holds, for the
 * writes that reading needs on a full disk (storage_reserve()); from the
 * config's
 * disk_reserve, at start and on reload. When the reserve cannot be
 * kept, every other write gets -EDQUOT without being tried, until the
 * disk has room again.
 */
#define WRITER_RESERVE_DEFAULT	((uint64_t)2 << 20)
void	writer_set_reserve(struct writer *w, uint64_t bytes);

#endif /* PALAUTE_WRITER_H */
