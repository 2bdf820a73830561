/*
 * cells.h — where aggregate cells live in the store. A cell is kept per
 * (survey, version, unit, bucket) for the unit the response came from;
 * pooling (DESIGN.md section 5) is applied when cells are read, so a change
 * of pooling needs no rewrite of the cells.
 *
 * Key in STORAGE_DB_CELLS (16 bytes, all big-endian, so a survey's cells
 * sort by version, unit, then time):
 *   survey (4) | version (4) | unit (4) | bucket (4: day number of the
 *   bucket's first day, core/period.h)
 * Value: cell_encode_pair() bytes (core/cell.h), the live cell and its
 * released one, sealed by storage like every value.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CORE_CELLS_H
#define PALAUTE_CORE_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "core/cell.h"

struct storage_txn;
struct survey;
struct answers;

#define CELLS_KEYLEN	16

struct cells_id {
	uint32_t	ci_survey;
	uint32_t	ci_version;
	uint32_t	ci_unit;
	uint32_t	ci_bucket;	/* day number of the bucket's first day */
};

void	cells_key(const struct cells_id *id, uint8_t key[CELLS_KEYLEN]);
void	cells_key_parse(const uint8_t key[CELLS_KEYLEN], struct cells_id *id);

/*
 * Count one validated response (answers a to survey version s) into the
 * in-memory cell c: what cells_add() does in the store, and what verify
 * recomputes from the records. -EINVAL if c is not of s's shape.
 */
int	cells_count(struct cell *c, const struct survey *s,
	    const struct answers *a);

/*
 * Count one validated response into its cell (read, add, step the
 * released state by the survey version's min_group as core/release.h
 * says, write): a fold of one response. s is the survey version the
 * answers were checked against.
 */
int	cells_add(struct storage_txn *txn, const struct cells_id *id,
	    const struct survey *s, const struct answers *a);

/*
 * The cells of one commit (core/intake.c): each cell a commit touches is
 * read once, counts its responses in memory, stepping its released state
 * after each as cells_add() does, and is written once by
 * cells_fold_write(). Given the same responses in the same order, the
 * cells written are those cells_add() one by one would write; what a
 * commit saves is a read, an open, a seal and a write per response.
 * Zero-initialise; cells_fold_clear() drops what was not written.
 */
struct cells_fold_cell;
struct cells_fold {
	struct cells_fold_cell	*cf_v;
	size_t			 cf_n;
	size_t			 cf_cap;
};
int	cells_fold_add(struct cells_fold *f, struct storage_txn *txn,
	    const struct cells_id *id, const struct survey *s,
	    const struct answers *a);
/* Write every cell of f into txn and empty f (written or not). */
int	cells_fold_write(struct cells_fold *f, struct storage_txn *txn);
void	cells_fold_clear(struct cells_fold *f);

/* The cell of id (*out: caller frees with cell_free), or -ENOENT. */
int	cells_get(struct storage_txn *txn, const struct cells_id *id,
	    struct cell **out);

/*
 * The cell of id with its released state (*released_out: NULL for a cell
 * written before cells kept one); the caller frees both. -ENOENT.
 */
int	cells_get_pair(struct storage_txn *txn, const struct cells_id *id,
	    struct cell **live_out, struct cell **released_out);

/*
 * Replace the cell of id with live and its released state (NULL: nothing
 * released), or with live == NULL delete it; for rebuild and tests.
 */
int	cells_put(struct storage_txn *txn, const struct cells_id *id,
	    const struct cell *live, const struct cell *released);

/*
 * Call fn for every cell of survey (every version, unit and bucket), in
 * key order, with its live cell c and its released one (NULL for a cell
 * written before cells kept one); both borrowed for the call. A non-zero
 * return of fn stops the walk and is returned.
 */
int	cells_each(struct storage_txn *txn, uint32_t survey,
	    int (*fn)(const struct cells_id *id, const struct cell *c,
	    const struct cell *released, void *arg), void *arg);

/*
 * Give every cell written before cells kept released state its released
 * one, once: release_initial() with its survey version's min_group
 * (write txn), then mark the store so that later calls do nothing.
 * *n_out (may be NULL) gets how many cells it changed.
 */
int	cells_migrate(struct storage_txn *txn, size_t *n_out);

#endif /* PALAUTE_CORE_CELLS_H */
