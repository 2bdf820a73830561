/*
 * audit.h — the hash-chained audit log (DESIGN.md section 4): who changed
 * what, and every login, each entry sealed like any value and chained to
 * the one before it by a BLAKE2b hash, so that editing, removing or
 * reordering an entry shows.
 *
 * Layout. STORAGE_DB_AUDIT holds entry n under the 8-byte big-endian key n
 * (1, 2, ...). An entry is the JSON object
 *   {seq, day, who, action, detail, prev, hash}
 * where day is "YYYY-MM-DD" (no time of day: DESIGN.md section 2), prev is
 * the hex hash of entry seq-1 (64 zeros for the first) and hash is the hex
 * BLAKE2b-256 of "palaute-audit-v1\0" followed by the entry without its
 * hash member, dumped compactly with sorted keys. STORAGE_DB_META key
 * "audit_head" holds {seq, hash} of the last entry, so that appending costs
 * one read and cutting entries off the end shows too.
 *
 * Never put a password, a token, an answer or an address in who or detail.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CORE_AUDIT_H
#define PALAUTE_CORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct storage_txn;

#define AUDIT_KEYLEN	8

/*
 * Append an entry to the chain, in txn: a write transaction, and the one
 * that makes the change the entry records (on the writer thread, in the
 * apply function of that change), so that the entry and the change commit
 * or vanish together. who is the acting user's name ("-" when unknown),
 * action a dotted verb ("user.create"). detail is stolen: its reference is
 * released in every case; NULL records null.
 * -EINVAL for a name or action that is not UTF-8; -EIO when the chain's
 * head is missing while entries exist (the log was tampered with: refuse
 * to hide it by writing over it).
 */
int	audit_append(struct storage_txn *txn, const char *who,
	    const char *action, json_t *detail);

struct audit_check {
	bool		ac_ok;		/* the whole chain verifies */
	uint64_t	ac_broken_at;	/* first seq that does not; 0 if ok */
	uint64_t	ac_count;	/* entries read */
	uint64_t	ac_last;	/* seq of the last entry read */
};

/*
 * Verify the whole chain in txn (a read transaction is enough). With
 * entries non-NULL (a JSON array), copies of the entries with seq > after
 * are appended to it, at most limit of them. A damaged entry is still
 * listed when it can be read; one that no longer opens is not. The result
 * is in *out; the return value is non-zero only when the store itself
 * failed (not for a broken chain).
 */
int	audit_verify(struct storage_txn *txn, uint64_t after, size_t limit,
	    json_t *entries, struct audit_check *out);

#endif /* PALAUTE_CORE_AUDIT_H */
