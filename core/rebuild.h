/*
 * rebuild.h — `palautectl rebuild`: recompute every aggregate cell from
 * the sealed response records and write the ones that differ.
 *
 * The rule for what retention removed. Cells outlive responses: retention
 * shreds whole (survey, month)s of responses and keeps their cells
 * (DESIGN.md section 6), and those cells are then the only record of the
 * month. So a cell is rewritten only when every month its bucket touches
 * is still kept by the survey's retention (retention_first_kept() with
 * the shortest retention_months of its versions, core/retention.h), and
 * only when the records still hold responses for it. Everything else is
 * kept as it is:
 *   - a cell whose bucket reaches into a month that is purged or due
 *     (a quarter or year straddling the retention edge included);
 *   - a cell that no record counts in any more;
 *   - the cells of a version whose definition no longer loads.
 * Nothing is ever deleted. Pooling needs no rebuild: cells are kept per
 * collecting unit and pooled when read.
 *
 * Consistency. The whole rebuild runs while it holds the store's write
 * transaction (LMDB's single writer, across processes): worker threads
 * read the responses in read transactions begun after it, which see
 * exactly its starting point, so a response that palauted stores
 * meanwhile waits and is counted once, by palauted, after the rebuild.
 * palauted's intake therefore pauses for the rebuild's duration.
 *
 * Return convention: 0 or a negative errno-style code; the report is
 * filled as far as the run got.
 */
#ifndef PALAUTE_CORE_REBUILD_H
#define PALAUTE_CORE_REBUILD_H

#include <stdbool.h>
#include <stdint.h>

struct storage;

struct rebuild_report {
	unsigned	rr_surveys;
	uint64_t	rr_responses;	/* records counted */
	uint64_t	rr_bad;		/* records fitting no version */
	uint64_t	rr_unreadable;	/* records that do not open */
	uint64_t	rr_written;	/* cells created or replaced */
	uint64_t	rr_same;	/* cells already right */
	uint64_t	rr_kept_retention; /* kept: a month purged or due */
	uint64_t	rr_kept_orphan;	/* kept: no record counts in them */
};

/*
 * Rebuild every survey's cells in st as of day today (util_today()),
 * reading with `threads` threads (0: one per CPU, at most 16). note, when
 * not NULL, gets a line per problem (never an answer or a comment). With
 * dry_run nothing is written: the report says what would be.
 */
int	rebuild_run(struct storage *st, int64_t today, unsigned threads,
	    bool dry_run, void (*note)(const char *line, void *arg),
	    void *arg, struct rebuild_report *out);

#endif /* PALAUTE_CORE_REBUILD_H */
