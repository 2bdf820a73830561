/*
 * api.h — the HTTP framework without a socket: a plain request struct in,
 * one reply out. The daemon fills a struct api_req from evhttp, calls
 * api_handle(), which dispatches over the route table api_init() was
 * handed (api/routes/), and is called back exactly once through rq_reply,
 * at once or later on the event-loop thread (after the writer committed,
 * or after a password hash finished). Tests drive api_handle() the same
 * way.
 *
 * Return convention: 0 or a negative errno-style code.
 * Threads: everything here runs on the event-loop thread, except the
 * apply functions handed to ac_submit (writer thread) and the work handed
 * to ac_offload (a worker thread).
 */
#ifndef PALAUTE_API_H
#define PALAUTE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "core/auth.h"

struct storage;
struct storage_txn;
struct api_ctx;
struct api_req;
struct results_cache;

enum api_method {
	API_GET, API_HEAD, API_POST, API_PUT, API_PATCH, API_DELETE,
	API_OPTIONS, API_METHOD_COUNT
};
const char	*api_method_name(enum api_method m);
/* The HTTP status of an error code (DESIGN.md section 7). */
int		 api_status(enum error_code code);

#define API_MAX_HEADERS	8
#define API_MAX_PARAMS	4

struct api_header {
	char	*h_name;
	char	*h_value;
};

/*
 * A reply. The body and header strings are malloc()ed and owned here. To
 * a HEAD request the daemon sends the headers with the body's length as
 * Content-Length, never the body: a route answers HEAD as it answers GET.
 */
struct api_resp {
	int			 rs_status;
	const char		*rs_ctype;	/* static string */
	char			*rs_body;
	size_t			 rs_len;
	struct api_header	 rs_headers[API_MAX_HEADERS];
	size_t			 rs_nheaders;
};

/* Who may call a route. */
enum api_access {
	API_ACC_ANY,		/* anyone */
	API_ACC_USER,		/* a manager or an admin */
	API_ACC_ADMIN,		/* an admin */
	API_ACC_DEVICE,		/* an enrolled kiosk */
	API_ACC_METRICS		/* loopback, or an admin */
};

/* Which body limit applies to a route. */
enum api_bodylimit { API_BODY_SMALL, API_BODY_BATCH };

typedef void	(*api_handler_fn)(struct api_ctx *ctx, struct api_req *req);

struct api_route {
	enum api_method		 rt_method;
	const char		*rt_pattern;	/* "/api/v1/units/{}" */
	api_handler_fn		 rt_handler;
	enum api_access		 rt_access;
	enum api_bodylimit	 rt_body;
	const char		*rt_summary;	/* for openapi.json */
};

struct api_req {
	enum api_method		 rq_method;
	char			*rq_path;	/* raw path, no query */
	char			*rq_query;	/* raw query or NULL */
	char			*rq_ctype;	/* Content-Type or NULL */
	char			*rq_auth;	/* Authorization or NULL */
	char			*rq_origin;	/* Origin or NULL */
	char			*rq_if_none_match; /* for static files, or NULL */
	char			*rq_body;	/* NUL-terminated, may be NULL */
	size_t			 rq_body_len;
	/*
	 * The peer, reduced to what the API may use: whether it is loopback
	 * (for /metrics) and a keyed hash that lives only in memory (for
	 * throttling). The address itself never reaches the api layer.
	 */
	bool			 rq_loopback;
	uint64_t		 rq_peer_tag;
	uint64_t		 rq_start_ns;

	/* Set by api_handle(). */
	const struct api_route	*rq_route;
	char			*rq_params[API_MAX_PARAMS];	/* decoded */
	size_t			 rq_nparams;
	struct principal	 rq_who;

	/* Set by the caller: called once with the reply; frees the request. */
	void			(*rq_reply)(struct api_req *req,
				    struct api_resp *resp);
	void			*rq_reply_arg;
	bool			 rq_replied;
};

/* A new empty request (calloc); api_req_free() frees every member. */
struct api_req	*api_req_new(void);
void		 api_req_free(struct api_req *req);	/* accepts NULL */
void		 api_resp_clear(struct api_resp *resp);

/*
 * Writes go to the writer: apply runs on the writer thread inside a child
 * transaction of a batch (a negative return undoes only this item); done
 * runs on the event-loop thread after the batch committed, with apply's
 * result, or with the commit's error (then nothing of the batch is stored).
 */
typedef int	(*api_apply_fn)(struct storage_txn *txn, void *job);
typedef void	(*api_done_fn)(int rc, void *job);

/* Work off the event loop (password hashing): work on a worker thread,
 * then done on the event-loop thread. */
typedef void	(*api_work_fn)(void *job);

struct api_limits {
	uint64_t	al_max_body;
	uint64_t	al_max_body_batch;
	long long	al_session_ttl;
	long long	al_kiosk_rate;		/* per minute per device */
	long long	al_form_rate;		/* per minute per link */
	long long	al_login_attempts;
	const char	*al_cors_origins;	/* space separated, or "" */
	const char	*al_www_dir;
	const char	*al_chartjs_dir;
	bool		 al_bench;	/* POST /bench/noop answers 204 */
};

struct api_ctx {
	struct storage		*ac_store;
	const struct api_route	*ac_routes;	/* from api_init() */
	size_t			 ac_nroutes;
	struct api_limits	 ac_limits;
	int			(*ac_submit)(void *arg, api_apply_fn apply,
				    api_done_fn done, void *job);
	/* The same for api_submit_reserve(); NULL: ac_submit. */
	int			(*ac_submit_reserve)(void *arg,
				    api_apply_fn apply, api_done_fn done,
				    void *job);
	/* The same for api_submit_intake(); NULL: ac_submit. */
	int			(*ac_submit_intake)(void *arg,
				    api_apply_fn apply, api_done_fn done,
				    void *job);
	void			*ac_submit_arg;	/* of all three */
	int			(*ac_offload)(void *arg, api_work_fn work,
				    api_done_fn done, void *job);
	void			*ac_offload_arg;
	/* Keyed hash secret for tokens and codes, in guarded memory. */
	unsigned char		*ac_hash_key;
	/* Private state of the modules (rate limits, metrics, ...). */
	struct api_state	*ac_state;
	/* The results routes' cache: http_results_init() makes it. */
	struct results_cache	*ac_results;
	bool			 ac_draining;	/* shutting down */
};

/*
 * Hand req's write to the writer (ac_submit): apply on the writer thread,
 * then done on the event loop. When the writer cannot take it (the
 * server is shutting down), reply 503 here and return the error; the
 * caller still owns job then and frees it.
 */
int	api_submit(struct api_ctx *ctx, struct api_req *req,
	    api_apply_fn apply, api_done_fn done, void *job);

/*
 * api_submit() for the small writes that reading needs: a login, a
 * logout, the audit entry of a read. The writer runs them even when the
 * disk is full and other writes are refused (it keeps a reserve of disk
 * space for them: daemon/writer.h), so that managers can still log in
 * and read. req may be NULL: then nothing is replied on failure.
 */
int	api_submit_reserve(struct api_ctx *ctx, struct api_req *req,
	    api_apply_fn apply, api_done_fn done, void *job);

/*
 * api_submit() for responses (forms, kiosks), whose apply notes what it
 * stores and leaves the writing to api_batch_flush().
 */
int	api_submit_intake(struct api_ctx *ctx, struct api_req *req,
	    api_apply_fn apply, api_done_fn done, void *job);

/*
 * Set up ctx over an open store and the route table it dispatches to
 * (borrowed for ctx's life): loads (or, on first start, creates) the
 * keyed-hash secret. The caller fills ac_limits, ac_submit and ac_offload.
 */
int	api_init(struct api_ctx *ctx, struct storage *st,
	    const struct api_route *routes, size_t nroutes);
void	api_fini(struct api_ctx *ctx);

/*
 * Whoever runs ac_submit's jobs (the writer) runs a batch of them in one
 * write transaction: each job in a child of txn, with
 * api_batch_flush(txn) before every job not submitted through
 * api_submit_intake(), then api_batch_precommit(txn), the commit, and
 * api_batch_done() with the commit's result, on the same thread. An
 * error of the flush or the precommit fails the batch.
 */
int	api_batch_flush(struct api_ctx *ctx, struct storage_txn *txn);
int	api_batch_precommit(struct api_ctx *ctx, struct storage_txn *txn);
void	api_batch_done(struct api_ctx *ctx, int rc);

/*
 * Route, authenticate, check access and body limits, run the handler.
 * Always ends in exactly one call of req->rq_reply.
 */
void	api_handle(struct api_ctx *ctx, struct api_req *req);

/*
 * The inside of the error envelope of DESIGN.md section 7: a new object
 * {code, message, field}, field null when err names none (NULL when out
 * of memory). api_reply_error() wraps it in {"error": ...}.
 */
json_t	*api_error_json(const struct error *err);

/* Replies: each sends and consumes the request. json is stolen. */
void	api_reply_json(struct api_req *req, int status, json_t *json);
void	api_reply_error(struct api_req *req, const struct error *err);
void	api_reply_errorf(struct api_req *req, enum error_code code,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* body is stolen (malloc()ed); headers are name, value pairs, NULL ends. */
void	api_reply_raw(struct api_req *req, int status, const char *ctype,
	    char *body, size_t len, ...);
/*
 * An error reply with more headers (name, value pairs, NULL ends), such
 * as CORS's; 429 with Retry-After when retry_after > 0, whatever the code.
 */
void	api_reply_error_with(struct api_req *req, const struct error *err,
	    int retry_after, ...);
/* Reply 429 with Retry-After. */
void	api_reply_retry(struct api_req *req, int retry_after,
	    const char *message);
/* Reply for a negative errno from storage or the writer. */
void	api_reply_errno(struct api_req *req, int err);

/*
 * The path's id (its first parameter), checked: canonical decimal only
 * (no sign, leading zero, space or fraction), 1 to UINT32_MAX. When it is
 * not one, the request gets its reply here, 400 bad_request with field
 * "id" (the path parameter's name in openapi.json), the same on every
 * route, and -EINVAL is returned.
 */
int	api_path_id(struct api_req *req, const char *what, uint32_t *id_out);

/*
 * Parse req's body into a new JSON object (*out, caller decrefs). 415 when
 * the content type is not application/json, 400 when empty, not JSON,
 * nested deeper than CODEC_MAX_DEPTH, has duplicate keys, or is not an
 * object.
 */
int	api_body_object(const struct api_req *req, json_t **out,
	    struct error *err);

/*
 * Query parameters: the decoded value of name into a malloc()ed string,
 * -ENOENT if absent.
 */
int	api_query_get(const struct api_req *req, const char *name,
	    char **value_out);

#endif /* PALAUTE_API_H */
