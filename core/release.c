/*
 * release.c — the released state of a cell, stepped in whole steps of k.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "core/release.h"

uint32_t
release_k(unsigned min_group)
{
	return min_group < RELEASE_K_MIN ? RELEASE_K_MIN : min_group;
}

uint32_t
release_count(uint32_t n, uint32_t k)
{
	k = release_k(k);
	return n - n % k;
}

bool
release_consistent(const struct cell *released, const struct cell *live)
{
	size_t	q, i;

	if (!cell_same_shape(released, live) || released->c_n > live->c_n)
		return false;
	for (q = 0; q < live->c_nquestions; q++)
		if (released->c_answered[q] > live->c_answered[q] ||
		    released->c_answered[q] > released->c_n)
			return false;
	for (i = 0; i < live->c_total_slots; i++)
		if (released->c_slots[i] > live->c_slots[i])
			return false;
	return true;
}

/* Question q of released takes live's counts. */
static void
release_question(struct cell *released, const struct cell *live, size_t q)
{
	released->c_answered[q] = live->c_answered[q];
	memcpy(released->c_slots + released->c_offset[q],
	    live->c_slots + live->c_offset[q],
	    live->c_nslots[q] * sizeof(*live->c_slots));
}

int
release_step(struct cell *released, const struct cell *live, uint32_t k,
    bool *stepped)
{
	size_t	q;

	if (stepped != NULL)
		*stepped = false;
	if (!release_consistent(released, live))
		return -EINVAL;
	k = release_k(k);
	/* Differences, not sums: n + k could pass UINT32_MAX. */
	if (live->c_n - released->c_n < k)
		return 0;
	released->c_n = live->c_n;
	for (q = 0; q < live->c_nquestions; q++)
		if (live->c_answered[q] - released->c_answered[q] >= k)
			release_question(released, live, q);
	if (stepped != NULL)
		*stepped = true;
	return 0;
}

int
release_initial(struct cell *released, const struct cell *live, uint32_t k)
{
	size_t	q;

	if (!cell_same_shape(released, live))
		return -EINVAL;
	released->c_n = 0;
	for (q = 0; q < live->c_nquestions; q++)
		released->c_answered[q] = 0;
	memset(released->c_slots, 0, live->c_total_slots *
	    sizeof(*released->c_slots));
	k = release_k(k);
	if (live->c_n < k)
		return 0;
	/* As one step from nothing: a question with fewer than k answers
	 * shows nothing, though the old rule showed it with its group. */
	released->c_n = live->c_n;
	for (q = 0; q < live->c_nquestions; q++)
		if (live->c_answered[q] >= k)
			release_question(released, live, q);
	return 0;
}
