/*
 * offload.h — slow work (password hashing, verifying the audit chain) run
 * off the event loop through api_ctx.ac_offload, with one answer for the
 * case that the bounded queue behind it is full.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_API_OFFLOAD_H
#define PALAUTE_API_OFFLOAD_H

#include "api/api.h"

/* Seconds a client is asked to wait when every worker is busy. */
#define OFFLOAD_RETRY_AFTER	1

/*
 * Run work(job) on a worker thread, then done(0, job) on the event-loop
 * thread. Without ac_offload (a test harness) both run at once, inline.
 * 0: done has been or will be called, and owns job. Otherwise the queue is
 * full (-EBUSY) or the daemon is stopping (-ESHUTDOWN): req has been
 * answered 503 with Retry-After, and the caller still owns job.
 */
int	offload_run(struct api_ctx *ctx, struct api_req *req, api_work_fn work,
	    api_done_fn done, void *job);

#endif /* PALAUTE_API_OFFLOAD_H */
