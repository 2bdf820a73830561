/*
 * cell.h — the aggregate cell of DESIGN.md section 4: for one (survey,
 * version, unit, bucket), the number of responses n and, per question, the
 * respondents who answered it and its histogram (slots as core/qtype.h lays
 * them out). Updated by the writer in the response's transaction, summed by
 * the read path, stored as the compact bytes of cell_encode_pair(): the
 * live cell beside its released one (core/release.h).
 *
 * The cell's identity (survey, version, unit, bucket) is the storage key,
 * not part of the value: the seal binds the value to its key, so a value
 * copied under another key fails to open instead of counting twice.
 *
 * Return convention: 0 or a negative errno-style code; cell_new() and
 * cell_decode() hand the caller a cell it frees with cell_free().
 */
#ifndef PALAUTE_CORE_CELL_H
#define PALAUTE_CORE_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/qtype.h"

/*
 * Far above any real survey; bounds what a corrupt buffer can make
 * cell_decode() allocate (512 * 64 slots * 4 bytes = 128 KiB at most).
 */
#define CELL_MAX_QUESTIONS	512

/*
 * Invariants, kept by every function here and checked on decode:
 * c_slots[c_offset[q] + i] <= c_answered[q] <= c_n, for every q and slot i.
 * (Each respondent answers a question at most once and hits each slot at
 * most once.) So a check that n does not overflow covers every counter.
 */
struct cell {
	uint32_t	 c_n;		/* responses */
	size_t		 c_nquestions;
	uint32_t	*c_answered;	/* [q]: respondents who answered q */
	uint8_t		*c_nslots;	/* [q]: 1..QTYPE_MAX_SLOTS */
	size_t		*c_offset;	/* [q]: q's first slot in c_slots */
	uint32_t	*c_slots;	/* every histogram, back to back */
	size_t		 c_total_slots;
};

/*
 * One response's answer to one question, as the validator produced it.
 * ca_answered false: the question was skipped (ca_count must be 0).
 * ca_answered true: ca_slots lists the ca_count distinct slots it hits:
 * exactly one for single-answer types, any number for multi (zero for an
 * answered empty set). The cell knows shapes, not types: the validator
 * has already checked the answer against its question.
 */
struct cell_answer {
	bool		 ca_answered;
	const uint8_t	*ca_slots;
	size_t		 ca_count;
};

/*
 * A zeroed cell for nquestions questions (0..CELL_MAX_QUESTIONS) with
 * slots_per_question[q] slots each (1..QTYPE_MAX_SLOTS). NULL if a size is
 * out of range or memory is short.
 */
struct cell	*cell_new(size_t nquestions,
		    const unsigned *slots_per_question);
/* A zeroed cell of c's shape, or NULL when memory is short. */
struct cell	*cell_new_like(const struct cell *c);
void		 cell_free(struct cell *c);

/* True if c has these questions with these slot counts. */
bool		 cell_has_shape(const struct cell *c, size_t nquestions,
		    const unsigned *slots_per_question);
bool		 cell_same_shape(const struct cell *a, const struct cell *b);

/* Question q's histogram, c->c_nslots[q] counts; borrowed from c. */
const uint32_t	*cell_hist(const struct cell *c, size_t q);

/*
 * Count one response: n += 1, and for each answered question answered += 1
 * and every slot hit += 1. answers has one entry per question (nanswers ==
 * c_nquestions). All or nothing: -EINVAL (wrong count, slot out of range,
 * a slot listed twice, slots on a skipped question) or -EOVERFLOW (n at
 * UINT32_MAX) leave c unchanged.
 */
int		 cell_add(struct cell *c, const struct cell_answer *answers,
		    size_t nanswers);

/*
 * dst += src, counter by counter. -EINVAL if the shapes differ, -EOVERFLOW
 * if n would pass UINT32_MAX; dst is unchanged on failure.
 */
int		 cell_merge(struct cell *dst, const struct cell *src);

/*
 * The cell as bytes, format version 1, the same on every host:
 *   u8 version (1)
 *   varint n, varint nquestions
 *   per question: u8 nslots, varint answered, nslots x varint count
 * where varint is unsigned LEB128 of a uint32 (1..5 bytes, little end
 * first, shortest form only). A cell of small counts takes about one byte
 * per counter. *buf_out is malloc()ed and owned by the caller; -ENOMEM.
 */
int		 cell_encode(const struct cell *c, uint8_t **buf_out,
		    size_t *len_out);

/*
 * A cell's record in the store, format version 2: u8 version (2), then
 * the body of version 1 (all but its version byte) twice: the live cell,
 * then the released one (core/release.h), of the same shape. -EINVAL if
 * the shapes differ.
 */
int		 cell_encode_pair(const struct cell *live,
		    const struct cell *released, uint8_t **buf_out,
		    size_t *len_out);

/*
 * Parse bytes from disk into a new cell (free with cell_free()). Every
 * length and count is checked before it is used: -EBADMSG for a truncated,
 * trailing-garbage, overlong, unknown-version or invariant-breaking buffer,
 * -ENOMEM. The caller then checks cell_has_shape() against the survey
 * version. *cell_out is written only on success.
 */
int		 cell_decode(const uint8_t *buf, size_t len,
		    struct cell **cell_out);
/*
 * The same for a record of either version: cell_decode() gives its live
 * cell; cell_decode_pair() the live one and the released one too (NULL
 * for a version 1 record, written before cells kept released state;
 * released_out may be NULL).
 */
int		 cell_decode_pair(const uint8_t *buf, size_t len,
		    struct cell **live_out, struct cell **released_out);
/* Whether a record's bytes carry a released cell (version 2), unparsed. */
bool		 cell_has_released(const uint8_t *buf, size_t len);

#endif /* PALAUTE_CORE_CELL_H */
