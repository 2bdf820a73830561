/*
 * collectors.h — how responses reach a survey at a unit (DESIGN.md
 * section 4): kiosks, links and invitation rounds; their records, codes
 * and the indexes intake looks them up by. The routes are
 * api/routes/collectors.c.
 *
 * Storage. Secrets are kept only as keyed hashes, auth_hash(hash_key, purpose,
 * code) of the normalised code (codes_normalize()):
 *
 *   STORAGE_DB_COLLECTORS
 *     id (4 bytes BE)        the record:
 *         {"id", "kind": "kiosk"|"link"|"invitation", "survey", "unit",
 *          "created": "YYYY-MM-DD", "name": "Lobby, East office" (optional),
 *          kiosk:      "idle_reset_seconds": n | null (null: the survey's),
 *                      "enroll_hash": hex, "enroll_expires_at": Unix s,
 *                      "enrolled": false (set by intake on enrollment),
 *                      "last_seen": "YYYY-MM-DD" (the last day the tablet
 *                      called in: collectors_seen())
 *          link, invitation: "slug"    (the form's /f/<slug>)
 *          invitation: "issued": N, "used": n (intake counts up),
 *                      "code_check": true (its codes end in a check
 *                      symbol; absent in rounds issued before)}
 *     'S' | hash("slug", slug)      (33 bytes) -> {"collector": id}
 *     'E' | hash("enroll", code)    (33 bytes) -> {"collector": id,
 *                                                  "expires_at": Unix s}
 *   STORAGE_DB_INVITATIONS
 *     collector (4 BE) | hash("invite", code) (36 bytes) -> {"used": bool}
 *     An invitation code is good only on its own collector's form, and the
 *     entry holds nothing of the response it unlocks. code: the 13
 *     symbols with the check, or the 12 of a round issued before codes
 *     had one.
 *
 * Whether a code was issued and whether it is used is read in exactly one
 * place: collectors_invitation_burn(), in the transaction that stores the
 * response it unlocks. No function here answers the question without
 * spending the code, so no route can: whoever handed out the slips
 * cannot ask which of them have been used.
 *
 * Deleting a collector (revocation) removes the record, its slug and
 * enrollment entries, its invitation codes (used or not: the round is
 * over) and, through collectors_revoke_devices(), its kiosks' device
 * tokens. Responses already stored stay.
 *
 * Scoping: an admin sees every collector; a manager only those at units
 * in their subtrees (403 "forbidden" for any other, existing or not).
 *
 * Return convention: 0 or a negative errno-style code; -ENOENT: no such
 * collector, code or slug.
 */
#ifndef PALAUTE_CORE_COLLECTORS_H
#define PALAUTE_CORE_COLLECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "core/auth.h"
#include "core/codes.h"

struct catalog_k;
struct storage_txn;

enum collectors_kind {
	COLLECTORS_KIOSK,
	COLLECTORS_LINK,
	COLLECTORS_INVITATION
};

#define COLLECTORS_INVITE_MAX	5000	/* codes in one round */
#define COLLECTORS_NAME_MAX	100	/* bytes of a collector's name */
#define COLLECTORS_ENROLL_TTL	(24 * 60 * 60)	/* seconds */
#define COLLECTORS_INDEX_KEYLEN	(1 + AUTH_HASH_BYTES)
#define COLLECTORS_INVITE_KEYLEN (4 + AUTH_HASH_BYTES)

/* Bytes of one formatted code in ci_codes. */
#define COLLECTORS_CODE_STRIDE	CODES_MAX_FORMATTED

/* Hash purposes (auth_hash()). */
#define COLLECTORS_PURPOSE_SLUG		"slug"
#define COLLECTORS_PURPOSE_ENROLL	"enroll"
#define COLLECTORS_PURPOSE_INVITE	"invite"

/* "kiosk"... for a kind; -EINVAL for another name. */
const char	*collectors_kind_name(enum collectors_kind kind);
int		 collectors_kind_parse(const char *s,
		    enum collectors_kind *out);

/* The record of id (*out a new reference). */
int	collectors_get(struct storage_txn *txn, uint32_t id, json_t **out);

/*
 * The collector of a form slug (link or invitation). -ENOENT for an
 * unknown or revoked slug, or one that is not slug-shaped.
 */
int	collectors_by_slug(const uint8_t *hash_key, struct storage_txn *txn,
	    const char *slug, uint32_t *id_out);

/*
 * The keyed hash of an enrollment code as a person typed it: normalised
 * first (case, dashes, spaces). purpose is COLLECTORS_PURPOSE_ENROLL.
 * -EINVAL when the text cannot be such a code (then no lookup can match).
 */
int	collectors_code_hash(const uint8_t *hash_key, const char *purpose,
	    const char *typed, uint8_t hash[AUTH_HASH_BYTES]);

/*
 * The keyed hash of an invitation code as a person typed it, for a round
 * whose codes have a check symbol (checked: the record's "code_check")
 * or not. Checked: 13 symbols whose check holds, -EILSEQ when it does
 * not (a typing error), -EINVAL for another length or a symbol outside
 * the alphabet. Not checked, a round issued before codes had a check: 12
 * symbols, -EINVAL otherwise. The text alone decides; nothing is looked
 * up, so the answer says nothing of any issued code.
 */
int	collectors_invite_hash(const uint8_t *hash_key, bool checked,
	    const char *typed, uint8_t hash[AUTH_HASH_BYTES]);

/*
 * Kiosk enrollment, for intake. lookup: the collector and the expiry
 * (Unix seconds; the caller compares it with auth_now() and answers 410
 * when past) of an enrollment code's hash; -ENOENT when unknown or
 * already used. burn (write txn): delete the code so it works once, and
 * mark the collector "enrolled"; then the caller stores the device token
 * with auth_token_put(txn, hash, AUTH_DEVICE, collector, 0, 0).
 */
int	collectors_enroll_lookup(struct storage_txn *txn,
	    const uint8_t hash[AUTH_HASH_BYTES], uint32_t *collector_out,
	    int64_t *expires_out);
int	collectors_enroll_burn(struct storage_txn *txn,
	    const uint8_t hash[AUTH_HASH_BYTES]);

/*
 * Burn an invitation code, for intake (write txn, in the transaction
 * that stores the response, after everything else that could refuse
 * it): mark the code used and count it in the collector's "used";
 * -EALREADY when it was used before, -ENOENT when it was not issued for
 * this collector. Nothing links the code to the response.
 */
int	collectors_invitation_burn(struct storage_txn *txn,
	    uint32_t collector, const uint8_t hash[AUTH_HASH_BYTES]);

/*
 * The revocation hook for kiosks: delete every device token of the
 * collector (auth_revoke(AUTH_DEVICE)). Called by the delete; intake adds
 * here whatever else it keeps per device (STORAGE_DB_DEVICES).
 */
int	collectors_revoke_devices(struct storage_txn *txn,
	    uint32_t collector);

/* Number of collectors at unit, for the unit delete's 409. */
int	collectors_count_at_unit(struct storage_txn *txn, uint32_t unit,
	    size_t *n_out);

/* Number of collectors of survey, for the survey update's choice. */
int	collectors_count_of_survey(struct storage_txn *txn, uint32_t survey,
	    size_t *n_out);

/*
 * What creating a collector returns once: the enrollment code, or the
 * invitation codes. Plain codes live only here, in memory; wipe with
 * collectors_issue_free().
 */
struct collectors_issue {
	enum collectors_kind	 ci_kind;
	uint32_t		 ci_survey;
	uint32_t		 ci_unit;
	long long		 ci_idle_reset;	/* kiosk; 0: the survey's */
	size_t			 ci_count;	/* invitation codes */
	char			*ci_codes;	/* ci_count (or 1) codes */
	uint8_t			*ci_hashes;	/* AUTH_HASH_BYTES each */
	char			 ci_slug[32];	/* link, invitation */
	uint8_t			 ci_slug_hash[AUTH_HASH_BYTES];
	int64_t			 ci_expires;	/* kiosk code */
	char			 ci_name[COLLECTORS_NAME_MAX + 1]; /* "": none */
};

/*
 * Draw the codes (and slug) of a new collector of kind, hashed with ctx's
 * key, on the calling thread. *out freed with collectors_issue_free().
 */
int	collectors_issue_new(const uint8_t *hash_key,
	    enum collectors_kind kind, uint32_t survey, uint32_t unit,
	    size_t count, long long idle_reset, int64_t now,
	    struct collectors_issue **out);
void	collectors_issue_free(struct collectors_issue *ci);
/* Code i of an issue (formatted, e.g. "ABCD-EFGH-JKMNP"). */
const char *collectors_issue_code(const struct collectors_issue *ci,
	    size_t i);

/*
 * Store a collector for an issue in a write txn: the survey and the unit
 * must exist (-EINVAL, err on "survey" or "unit"). *id_out the new id.
 * Writes no audit entry (the caller does).
 */
/*
 * An invitation round's used codes as managers and admins may see them:
 * in whole steps of its survey's min_group (core/release.h), so that a
 * reading before and after one person answered is the same. rec is the
 * collector's record; memo as catalog_k() says.
 */
int	collectors_used_released(struct storage_txn *txn, const json_t *rec,
	    struct catalog_k *memo, uint32_t *out);

/*
 * Delete collector id with its slug and enrollment indexes, invitation
 * codes and device tokens (write txn). *rec_out gets the deleted record,
 * a new reference. -ENOENT when there is none.
 */
int	collectors_remove(struct storage_txn *txn, const uint8_t *hash_key,
	    uint32_t id, json_t **rec_out);

int	collectors_create(struct storage_txn *txn,
	    const struct collectors_issue *ci, uint32_t *id_out,
	    struct error *err);

/*
 * Check a collector's name at field "name": a string of 1 to
 * COLLECTORS_NAME_MAX bytes that is not blank and holds no control
 * character. ERR_WRONG_TYPE or ERR_INVALID in err.
 */
int	collectors_check_name(const json_t *v, struct error *err);

/* Name collector id (write txn); name "" removes the name. -ENOENT. */
int	collectors_rename(struct storage_txn *txn, uint32_t id,
	    const char *name);

/*
 * A new enrollment code for kiosk id, for a replaced tablet (write txn):
 * the old code stops working, the enrolled tablet's device tokens are
 * revoked, and ci's code (collectors_issue_new() of a kiosk) takes their
 * place. -EINVAL for a collector that is not a kiosk; -ENOENT.
 */
int	collectors_reenroll(struct storage_txn *txn, uint32_t id,
	    const struct collectors_issue *ci);

/*
 * Revoke kiosk id's tablet (write txn): its device tokens go and the
 * kiosk waits for a new enrollment code. -EINVAL for another kind.
 */
int	collectors_unenroll(struct storage_txn *txn, uint32_t id);

/*
 * Note that kiosk id called in on day (YYYY-MM-DD) (write txn); nothing
 * is written when the record says so already. Only a day: the fleet
 * view tells whether a tablet is alive, never when anyone answered.
 */
int	collectors_seen(struct storage_txn *txn, uint32_t id,
	    const char *day);

#endif /* PALAUTE_CORE_COLLECTORS_H */
