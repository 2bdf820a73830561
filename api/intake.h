/*
 * intake.h — how a response gets in (DESIGN.md sections 2-4): the part the
 * kiosk (api/kiosk.c) and form (api/forms.c) handlers share. On the event
 * loop a response is checked against the survey version it will be
 * stored with; on the writer thread it is stored in the batch's
 * transaction: the sealed response record, its aggregate cell, the burned
 * invitation code and the idempotency record, all or nothing.
 *
 * The response record (sealed with the data key of its survey and month
 * by storage_response_put) is the one place answers live:
 *   {"survey": id, "version": v, "unit": id, "collector": "kiosk" |
 *    "link" | "invitation", "day": "YYYY-MM-DD", "lang": "fi",
 *    "answers": {question id: value}}
 * No time, no collector or device id, no code, no client id.
 *
 * STORAGE_DB_DEVICES: 'u' | hash("enroll", code) (33 bytes) ->
 *   {"collector": id}: an enrollment code that was used, so that using it
 *   again answers 410 "gone" rather than 401; removed with the collector.
 *
 * Threads: everything runs on the event-loop thread except the functions
 * marked "writer thread". Return convention: 0 or a negative errno-style
 * code; functions that can fail for a reason the client must see fill a
 * struct api_err.
 */
#ifndef PALAUTE_API_INTAKE_H
#define PALAUTE_API_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/collectors.h"
#include "api/error.h"
#include "api/idem.h"
#include "api/period.h"
#include "api/survey.h"

struct intake_state;
struct intake_survey;
struct survey;
struct survey_answers;

/* Most responses in one kiosk batch (a day of a busy lobby, offline). */
#define INTAKE_BATCH_MAX	500
/* Enrollment attempts per minute from one client address. */
#define INTAKE_ENROLL_PER_MINUTE 30

#define INTAKE_DEVICE_USED	'u'
#define INTAKE_DEVICE_KEYLEN	(1 + AUTH_HASH_BYTES)

/* In-memory state (api/state.c owns it): caches and rate limits. */
struct intake_state	*intake_state_new(void);
void			 intake_state_free(struct intake_state *is);

/* A collector as intake needs it, read from its record. */
struct intake_target {
	uint32_t		 tg_collector;
	enum collectors_kind	 tg_kind;
	uint32_t		 tg_survey;
	uint32_t		 tg_unit;
	long long		 tg_idle_reset;	/* kiosk; 0: the survey's */
};

/* The bucket kind of a survey's period (cells are keyed by it). */
enum period_kind intake_period(enum survey_period p);

/* The collector id's record; -ENOENT when there is none. */
int	intake_target(struct storage_txn *txn, uint32_t collector,
	    struct intake_target *out);

/*
 * The reads of one request: a read transaction begun only when a cache
 * misses, and the generations (storage_generation()) of the databases the
 * caches derive from, taken before it begins, so that what it reads may
 * be cached under them and is never newer than they say.
 */
struct intake_read {
	struct api_ctx		*rd_ctx;
	struct storage_txn	*rd_txn;
	uint64_t		 rd_gen_collectors;
	uint64_t		 rd_gen_surveys;
};
void	intake_read_init(struct intake_read *rd, struct api_ctx *ctx);
/* The transaction, begun on first use. */
int	intake_read_txn(struct intake_read *rd, struct storage_txn **out);
void	intake_read_end(struct intake_read *rd);

/*
 * The form (link or invitation collector) of a slug, cached while the
 * collectors do not change. -ENOENT for an unknown slug or a kiosk's.
 */
int	intake_form_target(struct intake_read *rd, const char *slug,
	    struct intake_target *out);

/*
 * A parsed survey version, shared through a small cache keyed by (survey,
 * version): used as it is while the surveys database has not changed,
 * else checked against the stored definition's bytes, so an edit in place
 * is never missed. version 0: the current one. Release with
 * intake_survey_put() (event-loop thread).
 */
int	intake_survey_get(struct intake_read *rd, uint32_t survey,
	    uint32_t version, struct intake_survey **out);
void	intake_survey_put(struct intake_survey *sv);
const struct survey *intake_survey_parsed(const struct intake_survey *sv);
uint32_t intake_survey_version(const struct intake_survey *sv);

/*
 * What a respondent's screen needs, a new object: {"survey": {id,
 * version, title, description?, languages, questions}, "privacy": {...},
 * "unit": {id, name}}.
 */
int	intake_public_view(struct intake_read *rd,
	    const struct intake_target *tg, const struct intake_survey *sv,
	    json_t **out);

/* One response on its way to the store. */
struct intake_item {
	char			*ii_id;		/* the client's id, or NULL */
	uint8_t			 ii_hash[IDEM_HASH_BYTES];
	uint32_t		 ii_day;
	struct intake_survey	*ii_survey;	/* a reference */
	struct survey_answers	*ii_answers;
	char			*ii_record;	/* the record's JSON text */
	size_t			 ii_reclen;
	/* The outcome: 0 while pending, then an HTTP status. */
	int			 ii_status;
	struct api_err		 ii_err;
};

/*
 * Check one response {id, lang, answers, version?} (day given by the
 * caller, already in the window) of tg against the survey and prepare
 * it for the writer. Fails with err filled for the client.
 */
int	intake_item_prepare(struct intake_read *rd,
	    const struct intake_target *tg, const json_t *obj, uint32_t day,
	    struct intake_item *it, struct api_err *err);
/* Release what an item holds, wiping the record's text. */
void	intake_item_clear(struct intake_item *it);

/*
 * Writer thread: store one prepared item in txn (a child transaction of
 * its own: a negative return means the caller must abort it). Sets
 * ii_status: 201 stored, 200 a duplicate (nothing written), or an error
 * status with ii_err. invite is the burned code's hash, or NULL.
 */
int	intake_item_apply(struct api_ctx *ctx, struct storage_txn *txn,
	    const struct intake_target *tg, struct intake_item *it,
	    const uint8_t *invite);

/*
 * Writer thread, around each write transaction's commit: the idempotency
 * records of the responses it holds (api_batch_precommit() and
 * api_batch_done() call these).
 */
int	intake_batch_precommit(struct api_ctx *ctx, struct storage_txn *txn);
void	intake_batch_done(struct api_ctx *ctx, int rc);

/*
 * After a submission: start the daily sweep of idempotency records once
 * a day (on the writer, in the background).
 */
void	intake_sweep_maybe(struct api_ctx *ctx);

/*
 * Take a token from the bucket of key in table kind; 0 or the seconds to
 * wait (then the caller replies 429).
 */
enum intake_limit { INTAKE_LIMIT_KIOSK, INTAKE_LIMIT_FORM,
	INTAKE_LIMIT_ENROLL, INTAKE_LIMIT_COUNT };
int	intake_limit(struct api_ctx *ctx, enum intake_limit kind,
	    uint64_t key, const struct api_req *req);

/*
 * Replies that may carry CORS headers (origin NULL: none). json is stolen.
 * intake_reply_error() answers 429 with Retry-After when retry > 0.
 */
void	intake_reply_json(struct api_req *req, int status, json_t *json,
	    const char *origin);
void	intake_reply_error(struct api_req *req, const struct api_err *err,
	    const char *origin, int retry);

/* Writer thread: forget the used enrollment codes of a deleted kiosk. */
int	intake_forget_devices(struct storage_txn *txn, uint32_t collector);

/* The err of a failed store call, for an item's result. */
void	intake_errno(struct api_err *err, int rc);

#endif /* PALAUTE_API_INTAKE_H */
