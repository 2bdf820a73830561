/*
 * retention.h — enforcing each survey's retention_months (DESIGN.md
 * section 6), shared by the daemon (once a day) and `palautectl purge`.
 *
 * Rule. Responses are sealed with a data key per (survey, month), so a
 * month is the unit that can be destroyed. A survey's month m is purged
 * once today's month t reaches m + retention_months: every response is
 * then gone no later than retention_months after the day it was given,
 * which is what the privacy notice promises ("kept at most N months"); the
 * last days of a month go up to a month early. When versions of a survey
 * differ, the shortest retention any of them announced applies.
 *
 * A pass: for every survey, the months with responses that are due are
 * shredded (storage_shred: the responses, the month's comments index of
 * core/comments.h and the month's data key, in one transaction); then,
 * when the survey's cutoff (the first month kept) has moved, its record
 * keeps the new one ("retention_from") and one audit entry
 * "retention.purge" {survey, before, retention_months} says that nothing
 * before it is kept. Then, if a cutoff moved or anything was shredded, the
 * KEK is rotated (storage_rotate_kek), so that copies and backups of the
 * store taken before the pass can no longer unwrap the destroyed keys;
 * then idempotency records past their window are dropped. Aggregate cells
 * stay. A pass is idempotent: rerunning it, or finishing one that a crash
 * interrupted, is always safe.
 *
 * The audit log and the rotation follow the calendar, not the data: an
 * entry per month that held responses, or a rotation only when something
 * was shredded, told every admin whether anyone at all answered a survey
 * in that month (a number below k, DESIGN.md section 5). The first cutoff
 * of a survey is audited but rotates nothing, as nothing was due before
 * it; only a store older than this rule, whose first pass under it finds
 * a month to shred, rotates then because of its data. The report's counts
 * are for the operator's log and palautectl, who hold the keys.
 *
 * Threads: a pass runs its own transactions and rotation waits for every
 * transaction of the process to end. Never call it with a transaction
 * open in the calling thread, nor on the writer thread (whose batch is a
 * transaction); the daemon runs it on a thread of its own.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CORE_RETENTION_H
#define PALAUTE_CORE_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct storage;

struct retention_report {
	unsigned	rr_surveys;	/* surveys looked at */
	unsigned	rr_months;	/* (survey, month)s shredded */
	size_t		rr_idem;	/* idempotency records dropped */
	bool		rr_rotated;	/* the KEK was rotated */
};

/*
 * The first month index (year * 12 + month - 1, as storage_day_month())
 * that a survey with this retention keeps on day today; every earlier
 * month is due.
 */
uint32_t	retention_first_kept(int64_t today, unsigned months);

/*
 * One pass as of day today (util_today() in the daemon). who names the
 * actor in the audit entries ("palauted", "palautectl"). The report is
 * filled as far as the pass got, also on failure.
 */
int	retention_run(struct storage *st, int64_t today, const char *who,
	    struct retention_report *out);

/*
 * The lock of a state directory, a file RETENTION_LOCK_NAME in it. palauted
 * holds it for as long as it runs: it keeps the KEK in memory, so nothing
 * else may rotate the KEK (palautectl rotate-kek, purge) or replace the
 * store (restore) under it, and a second palauted must not open the store.
 * Those commands take the lock too. -EBUSY when another process holds it;
 * on success *fd_out holds it until closed.
 */
#define RETENTION_LOCK_NAME	"palauted.lock"
int	retention_lock(const char *state_dir, int *fd_out);

/*
 * The KEK lock, a file RETENTION_KEYLOCK_NAME in the state directory: held
 * exclusively around anything that rotates the KEK (a retention pass,
 * rotate-kek), and shared by every other process that opens the store
 * (palautectl's commands beside the daemon), for as long as it has the
 * store open. Opening a store finishes or undoes a rotation it finds half
 * done, which must never happen to one still in progress, and a KEK that
 * changes under an open store leaves it unable to unwrap its keys.
 * Waits for the lock. A missing state directory is no error (*fd_out is
 * then -1: there is no store to protect yet).
 */
#define RETENTION_KEYLOCK_NAME	"kek.lock"
int	retention_keylock(const char *state_dir, bool exclusive, int *fd_out);

#endif /* PALAUTE_CORE_RETENTION_H */
