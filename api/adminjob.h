/*
 * adminjob.h — the plumbing every admin write shares: the handler parses
 * and checks the request on the event loop, an apply function does the
 * transaction's work (and its audit entry) on the writer thread, and the
 * completion replies on the event loop, exactly once on every path.
 *
 * Return convention: 0 or a negative errno-style code. An apply function
 * that refuses the request for a reason the client must see returns
 * adminjob_fail(), which fills aj_err; its child transaction is undone.
 */
#ifndef PALAUTE_API_ADMINJOB_H
#define PALAUTE_API_ADMINJOB_H

#include <stdint.h>

#include <jansson.h>

#include "api/api.h"

struct adminjob;

typedef int	(*adminjob_apply_fn)(struct storage_txn *txn,
		    struct adminjob *job);

struct adminjob {
	/* Set by the handler. The apply function must not touch aj_req. */
	struct api_ctx		*aj_ctx;
	struct api_req		*aj_req;
	struct principal	 aj_who;	/* a copy, for the audit */
	uint32_t		 aj_id;		/* the path's id, or 0 */
	json_t			*aj_in;		/* checked input, owned */
	void			*aj_data;	/* the module's own */
	void			(*aj_data_free)(void *data);
	adminjob_apply_fn	 aj_apply;
	/*
	 * Called on success instead of the JSON reply (a CSV body); must
	 * reply to aj_req exactly once.
	 */
	void			(*aj_reply)(struct adminjob *job);

	/* Set by the apply function. */
	int			 aj_status;	/* 200, 201 or 204 */
	json_t			*aj_out;	/* the reply's body, owned */
	struct error		 aj_err;	/* when it returned -EINVAL */
};

/*
 * A job for req with apply; the principal is copied. NULL when out of
 * memory (then the caller replies).
 */
struct adminjob	*adminjob_new(struct api_ctx *ctx, struct api_req *req,
		    adminjob_apply_fn apply);
void		 adminjob_free(struct adminjob *job);	/* accepts NULL */

/*
 * Hand the job to the writer. Takes ownership in every case: on failure
 * to queue it replies 503 and frees the job at once.
 */
void		 adminjob_submit(struct adminjob *job);

/* Fill aj_err (field may be NULL); returns -EINVAL for tail calls. */
int		 adminjob_fail(struct adminjob *job, enum error_code code,
		    const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * Append the audit entry of this change, in the change's transaction: who
 * is the job's user, action a dotted verb ("unit.create"), detail a JSON
 * object without secrets ({"unit": 7}), stolen in every case.
 */
int		 adminjob_audit(struct storage_txn *txn,
		    const struct adminjob *job, const char *action,
		    json_t *detail);

/*
 * Reads on the event loop: open a read transaction; on failure reply
 * (503) and return the error, so the handler just returns.
 */
int		 adminjob_read_begin(struct api_ctx *ctx, struct api_req *req,
		    struct storage_txn **txn_out);

/* Parse req's body as an object whose members are all in allowed. */
int		 adminjob_parse(const struct api_req *req,
		    const char *const allowed[], json_t **out,
		    struct error *err);

#endif /* PALAUTE_API_ADMINJOB_H */
