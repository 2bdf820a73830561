/*
 * intake.h — how a response gets in (DESIGN.md sections 2-4): the part the
 * kiosk and form routes (api/routes/kiosk.c, forms.c) share. On the event
 * loop a response is checked against the survey version it will be
 * stored with; on the writer thread it is stored in the batch's
 * transaction: the sealed response record, its aggregate cell, the burned
 * invitation code and the idempotency record, all or nothing.
 *
 * The response record (sealed with the data key of its survey and month
 * by storage_response_put) is the one place answers live:
 *   {"survey": id, "version": v, "unit": id, "owner": id, "collector":
 *    "kiosk" | "link" | "invitation", "day": "YYYY-MM-DD", "lang": "fi",
 *    "answers": {question id: value}}
 * No time, no collector or device id, no code, no client id. "unit" is
 * the collecting unit, "owner" the unit whose cell the response counts
 * in, decided when it is stored (the unit, or for a pooled unit its
 * nearest ancestor that does not pool); records written before owners
 * were kept have none, and count in "unit".
 *
 * STORAGE_DB_DEVICES: 'u' | hash("enroll", code) (33 bytes) ->
 *   {"collector": id}: an enrollment code that was used, so that using it
 *   again answers 410 "gone" rather than 401; removed with the collector.
 *
 * Threads: everything runs on the event-loop thread except the functions
 * marked "writer thread". Return convention: 0 or a negative errno-style
 * code; functions that can fail for a reason the client must see fill a
 * struct error.
 */
#ifndef PALAUTE_CORE_INTAKE_H
#define PALAUTE_CORE_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "core/auth.h"
#include "core/collectors.h"
#include "core/idem.h"
#include "core/period.h"
#include "core/survey.h"

struct intake_state;
struct intake_survey;
struct survey;
struct answers;

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
	bool			 tg_code_check;	/* invitation codes end in a
						   check symbol */
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
	struct intake_state	*rd_state;
	struct storage		*rd_store;
	const uint8_t		*rd_hash_key;
	struct storage_txn	*rd_txn;
	uint64_t		 rd_gen_collectors;
	uint64_t		 rd_gen_surveys;
	uint64_t		 rd_gen_units;
};
void	intake_read_init(struct intake_read *rd, struct intake_state *is,
	    struct storage *st, const uint8_t *hash_key);
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

/* What became of an item; the routes map it to an HTTP status. */
enum intake_outcome {
	INTAKE_PENDING,		/* not yet written */
	INTAKE_STORED,		/* stored and counted */
	INTAKE_DUPLICATE,	/* its id was stored before: nothing written */
	INTAKE_REFUSED		/* ii_err says why */
};

/* One response on its way to the store. */
struct intake_item {
	char			*ii_id;		/* the client's id, or NULL */
	uint8_t			 ii_hash[IDEM_HASH_BYTES];
	uint32_t		 ii_day;
	uint32_t		 ii_owner;	/* the unit it counts in */
	struct intake_survey	*ii_survey;	/* a reference */
	struct answers	*ii_answers;
	char			*ii_record;	/* the record's JSON text */
	size_t			 ii_reclen;
	enum intake_outcome	 ii_outcome;
	bool			 ii_folded;	/* writer: flushed */
	/* Why, when refused. */
	struct error		 ii_err;
};

/*
 * Check one response {id, lang, answers, version?} (day given by the
 * caller, already in the window) of tg against the survey and prepare
 * it for the writer. Fails with err filled for the client.
 */
int	intake_item_prepare(struct intake_read *rd,
	    const struct intake_target *tg, const json_t *obj, uint32_t day,
	    struct intake_item *it, struct error *err);
/* Release what an item holds, wiping the record's text. */
void	intake_item_clear(struct intake_item *it);

/*
 * Writer thread: check one prepared item and note it for
 * intake_batch_flush() in txn (a child transaction of its own: a
 * negative return means the caller must abort it). Sets ii_outcome
 * (INTAKE_STORED once the commit holds it), and ii_err when refused.
 * invite is the hash of the code to burn, or NULL; it is burned last,
 * after the item is stored whole, so that whatever else refuses the
 * item (a changed survey, a full store) refuses it the same way whether
 * the code is unused, used or unknown.
 */
int	intake_item_apply(struct intake_state *is, struct storage_txn *txn,
	    const struct intake_target *tg, struct intake_item *it,
	    const uint8_t *invite);

/*
 * One checked response to store outside a request (the --dev demo's
 * history): ir_answers from answers_check() against ir_parsed, the
 * version ir_version of survey ir_survey; ir_owner the unit whose cell it
 * counts in (the unit, or for a pooled unit its nearest unpooled
 * ancestor).
 */
struct intake_response {
	uint32_t		 ir_survey;
	uint32_t		 ir_version;
	const struct survey	*ir_parsed;
	uint32_t		 ir_unit;
	uint32_t		 ir_owner;
	enum collectors_kind	 ir_kind;
	uint32_t		 ir_day;
	const struct answers	*ir_answers;
};

/*
 * Writer thread: store r in txn exactly as a submission is stored (its
 * sealed record, its cell and released state, its comments), with no
 * idempotency record: nobody will send it again.
 */
int	intake_store(struct storage_txn *txn, const struct intake_response *r);

/*
 * Writer thread, around each write transaction's commit (the writer calls
 * these through api_batch_flush(), api_batch_precommit() and
 * api_batch_done()).
 *
 * intake_item_apply() checks an item and burns its code in the item's
 * child transaction, and notes the item there (one with a code is
 * stored whole there instead, before the burn, so that a store without
 * room refuses it before the code is looked at); its record, its cell
 * and its texts are written by intake_batch_flush() in the top-level
 * transaction txn, for every noted item of children that stayed: the
 * records in one run (storage_responses_put), each cell and comment
 * group read once, counted and stepped in the order the items were
 * applied, as one by one would step them, and written once. It must run
 * before anything else in the transaction reads or writes cells,
 * comments or responses (the writer runs it before every job that is
 * not intake's, and at the commit). The items must live until then.
 * A failure leaves txn to be aborted.
 *
 * intake_batch_precommit() flushes and writes the idempotency records of
 * the responses txn holds. intake_batch_done() returns how many response
 * ids the writer holds in memory now.
 */
int	intake_batch_flush(struct intake_state *is, struct storage_txn *txn);
int	intake_batch_precommit(struct intake_state *is,
	    struct storage_txn *txn);
size_t	intake_batch_done(struct intake_state *is, int rc);

/*
 * The daily sweep of idempotency records: intake_sweep_begin() says
 * whether one is due today (and marks it started), intake_sweep_end()
 * that it is over (ran false: it could not start, so it is due again).
 * The sweep itself is idem_sweep() in writer jobs.
 */
bool	intake_sweep_begin(struct intake_state *is, int64_t today);
void	intake_sweep_end(struct intake_state *is, bool ran);

/*
 * Take a token from the bucket of key in table kind, refilled at rate per
 * minute (<= 0: no limit), at now_ns on the monotonic clock (the
 * request's arrival: no clock read here); 0 or the seconds to wait.
 */
enum intake_limit { INTAKE_LIMIT_KIOSK, INTAKE_LIMIT_FORM,
	INTAKE_LIMIT_ENROLL, INTAKE_LIMIT_KIOSK_VIEW, INTAKE_LIMIT_FORM_VIEW,
	INTAKE_LIMIT_COUNT };
int	intake_limit(struct intake_state *is, enum intake_limit kind,
	    uint64_t key, long long rate, uint64_t now_ns);

/* Writer thread: forget the used enrollment codes of a deleted kiosk. */
int	intake_forget_devices(struct storage_txn *txn, uint32_t collector);

/*
 * Whether kiosk collector's call-in day must still be noted today
 * (collectors_seen()), and that it has been: at most one write a day per
 * tablet (event-loop thread).
 */
bool	intake_seen_due(struct intake_state *is, uint32_t collector,
	    int64_t day);
void	intake_seen_mark(struct intake_state *is, uint32_t collector,
	    int64_t day);

/*
 * The unit whose cell a response record counts in: its "owner", or for a
 * record written before owners were kept its "unit". 0 when neither is a
 * valid id (rec may be NULL).
 */
uint32_t intake_record_owner(const json_t *rec);

/* The err of a failed store call, for an item's result. */
void	intake_errno(struct error *err, int rc);

#endif /* PALAUTE_CORE_INTAKE_H */
