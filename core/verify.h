/*
 * verify.h — `palautectl verify`: every value of the store opens, every
 * response record parses and still fits its survey version, every
 * aggregate cell equals what its responses add up to, and every completed
 * step of the comments index holds exactly its version's comments_k()
 * texts, every pending entry fewer (core/comments.h).
 *
 * Cells outlive raw responses (retention shreds months of responses and
 * keeps the cells), so after a purge a cell may count more than the
 * responses left; with allow_purged such a cell (every counter >= the
 * recomputed one) passes.
 *
 * Return convention: 0 when the walk finished (the report says whether
 * the store is sound), or a negative errno-style code when it could not.
 */
#ifndef PALAUTE_CORE_VERIFY_H
#define PALAUTE_CORE_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/storage.h"

struct verify_report {
	uint64_t	vr_records[STORAGE_DB_COUNT];	/* values opened */
	uint64_t	vr_unreadable;	/* values that failed to open */
	uint64_t	vr_responses;	/* response records checked */
	uint64_t	vr_bad_responses; /* records that do not fit */
	uint64_t	vr_cells;	/* stored cells compared */
	uint64_t	vr_bad_cells;	/* differ from their responses */
	uint64_t	vr_missing_cells; /* responses without their cell */
	uint64_t	vr_comments;	/* entries of the comments index */
	uint64_t	vr_bad_comments; /* steps not of their version's kc */
};

/* Whether the report found nothing wrong. */
bool	verify_ok(const struct verify_report *r);

/*
 * Walk st in one read transaction. note, when not NULL, is called with a
 * line about each problem (no answer or comment is ever in it).
 */
int	verify_store(struct storage *st, bool allow_purged,
	    void (*note)(const char *line, void *arg), void *arg,
	    struct verify_report *out);

#endif /* PALAUTE_CORE_VERIFY_H */
