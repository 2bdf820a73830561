/*
 * release.h — release in steps of k (DESIGN.md section 5), written once.
 * Pure: the writer hands in a cell's live aggregate and its released one,
 * in the transaction that counts a response, and the released one steps.
 *
 * Return convention: 0 or a negative errno-style code; bool only for
 * predicates. Nothing here allocates.
 *
 * The rule. Every cell (survey, version, owner unit, bucket) keeps its
 * live aggregate (everything stored) and its released one (what anyone
 * may see). The released cell moves only when the live one holds at
 * least k responses more: then its n becomes live's n, and each question
 * whose live answered count is at least k more than its released one
 * takes live's count and histogram; a question with fewer new answers
 * keeps its last step.
 *
 * The guarantee. Between any two moments, every released counter of a
 * cell either stays or grows by the counts of at least k people:
 *  - n moves only at a cell step, by at least k;
 *  - a question's answered count moves only at a question step, by at
 *    least k, and its histogram only with it, so the histogram's change is
 *    the answers of those (at least k) respondents;
 *  - a question steps only at a cell step, taking live's counts of that
 *    moment, so its answered count never exceeds the released n (a count
 *    above n would tell of responses not yet released).
 * A sum of released cells (any units, buckets, versions) inherits it: the
 * difference of two released sums, taken at any two times or over any two
 * groupings, is a sum of per-cell differences of whole steps. Reads that
 * use released state only can therefore single out nobody, whenever taken.
 *
 * Invariants kept (and checked by release_consistent()): released has
 * live's shape; each released counter is at most its live counter; a
 * released answered count is at most the released n.
 */
#ifndef PALAUTE_CORE_RELEASE_H
#define PALAUTE_CORE_RELEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cell.h"

/* DESIGN §4: min_group is never below 3; enforced again where it matters. */
#define RELEASE_K_MIN	3

/* The step of a survey version: its min_group, never below RELEASE_K_MIN. */
uint32_t	release_k(unsigned min_group);

/*
 * A count of people as anyone may see it, in whole steps of k: the
 * largest multiple of k not above n. For counters that move one by one
 * (an invitation round's used codes), it is what stepping leaves.
 */
uint32_t	release_count(uint32_t n, uint32_t k);

/*
 * After live changed: step released toward live as the rule says.
 * *stepped (may be NULL) tells whether released changed. -EINVAL when the
 * shapes differ or released is not consistent with live (it is then left
 * as it was).
 */
int		release_step(struct cell *released, const struct cell *live,
		    uint32_t k, bool *stepped);

/*
 * The released cell of a store written before cells kept one: one step
 * from nothing, so live's n when it holds at least k responses (else
 * nothing), and of the questions those with at least k answers. -EINVAL
 * when the shapes differ.
 */
int		release_initial(struct cell *released,
		    const struct cell *live, uint32_t k);

/* The invariants above: what verify checks of every stored cell. */
bool		release_consistent(const struct cell *released,
		    const struct cell *live);

#endif /* PALAUTE_CORE_RELEASE_H */
