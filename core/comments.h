/*
 * comments.h — the comments index: the texts of text questions, released
 * in steps of kc (DESIGN.md section 5), written in the transaction that
 * stores their response. The comments route reads it; nothing reads the
 * response records for comments any more.
 *
 * The rule. Texts gather per (survey, month, version, unit, bucket,
 * question) in a pending entry; when it holds kc of them, they become the
 * next completed step, numbered 0, 1, 2, ... within that group, and the
 * pending entry starts again, empty. Only completed steps are ever read
 * (comments_each() never yields a pending text), so:
 *  - a group shows nothing until kc people have commented in it, and then
 *    exactly kc texts at a time;
 *  - any two reads, whenever taken and over whatever units, ranges and
 *    versions, differ by whole steps: the texts of at least kc people,
 *    never the one that was just written;
 *  - a step, once written, never changes (it is put without overwrite),
 *    so rereading shows the same texts, in a new random order.
 * Each text goes to a random place in the pending entry, so that a step
 * keeps no order of arrival (the store keeps none, DESIGN.md section 4);
 * what the numbering of steps tells, which kc came before which, the
 * released counts tell as well.
 * kc is comments_k() of the survey version: its min_group_comments, never
 * below its step k of numbers (core/release.h), so comments never step
 * finer than the numbers beside them.
 *
 * Key in STORAGE_DB_COMMENTS (26 bytes, all big-endian, so that a survey's
 * entries sort by month first and a month is one prefix):
 *   survey (4) | month (4: year * 12 + month - 1, storage_day_month())
 *   | version (4) | unit (4: the unit whose cell the response counts in)
 *   | bucket (4: day number of the bucket's first day, core/period.h)
 *   | question (2: its index in the version) | step (4: 0, 1, 2, ...,
 *   COMMENTS_PENDING for the pending entry, which so sorts last)
 * Storage seals the values with the data key of (survey, month), as it
 * seals responses, and storage_shred() deletes a month's entries with its
 * responses and its key: retention takes the index with the records.
 *
 * Values:
 *   a completed step, JSON   [{"text": "...", "lang": "fi"}, ...]
 *                            kc items, lang null when none
 *   the pending entry        'P' | N (4) | per text: lang length (1)
 *                            | lang | text length (4) | text (UTF-8)
 *                            N the number the next step will take;
 *                            fewer than kc texts (none right after a
 *                            step)
 * The pending entry is rewritten with every text of its group, so it is
 * kept in bytes that cost a copy to read and write; in JSON, parsing and
 * encoding it again for each response took a fifth of the daemon's time
 * per durable submission (bench/run-intake). Pending entries of stores
 * written before are JSON, {"next": N, "comments": [{"text", "lang"},
 * ...]}: they are read as well, and the next text of their group
 * rewrites them in bytes.
 *
 * Return convention: 0 or a negative errno-style code; -EBADMSG when an
 * entry of the index is not one this module wrote. Texts passed to the
 * callbacks are borrowed for the call.
 */
#ifndef PALAUTE_CORE_COMMENTS_H
#define PALAUTE_CORE_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct storage_txn;
struct survey;

#define COMMENTS_KEYLEN		26
#define COMMENTS_PENDING	UINT32_MAX

/* Where a text goes: its group of steps. */
struct comments_id {
	uint32_t	cm_survey;
	uint32_t	cm_month;	/* storage_day_month() of its day */
	uint32_t	cm_version;
	uint32_t	cm_unit;	/* the unit of its cell, cells.h */
	uint32_t	cm_bucket;	/* first day of its bucket */
	uint16_t	cm_question;	/* index in the version */
};

void	comments_key(const struct comments_id *id, uint32_t step,
	    uint8_t key[COMMENTS_KEYLEN]);
void	comments_key_parse(const uint8_t key[COMMENTS_KEYLEN],
	    struct comments_id *id, uint32_t *step);

/*
 * The step of survey version s's comments:
 * max(min_group_comments, release_k(min_group)). Intake, migration and the
 * comments route all take it from here.
 */
uint32_t comments_k(const struct survey *s);

/*
 * Add one text (not empty; lang may be NULL) to the pending entry of id,
 * and when that then holds kc texts, write them as the group's next
 * completed step, leaving the pending entry empty with the step number
 * after it. In the caller's write transaction (intake's, for the response
 * the text came with). -EINVAL for an empty text or kc 0.
 */
int	comments_add(struct storage_txn *txn, const struct comments_id *id,
	    const char *text, const char *lang, uint32_t kc);

/*
 * The texts of one commit (core/intake.c): each pending entry a commit
 * touches is read once, takes its texts in memory (each at a random
 * place, a step written as soon as kc are there) and is written once by
 * comments_fold_write(). Given the same texts in the same order, the
 * index holds what comments_add() one by one would leave, but for the
 * random places. The texts are copied. Zero-initialise;
 * comments_fold_clear() drops what was not written, wiping the texts.
 */
struct comments_fold_group;
struct comments_fold {
	struct comments_fold_group	*cf_v;
	size_t				 cf_n;
	size_t				 cf_cap;
};
int	comments_fold_add(struct comments_fold *f, struct storage_txn *txn,
	    const struct comments_id *id, const char *text, const char *lang,
	    uint32_t kc);
/* Write every pending entry of f into txn and empty f (written or not). */
int	comments_fold_write(struct comments_fold *f, struct storage_txn *txn);
void	comments_fold_clear(struct comments_fold *f);

/*
 * Call fn(id, text, lang, arg) for every text of every completed step of
 * survey in months month_from..month_to, in key order (within a step, in
 * the order it keeps, which is none). Pending entries are passed over
 * without being
 * opened. comments_select() does the same for the groups pick accepts
 * (pick NULL: all); pick sees only the key, so a group it refuses costs no
 * decryption. A non-zero return of fn stops the walk and is returned.
 */
typedef int	(*comments_fn)(const struct comments_id *id, const char *text,
		    const char *lang, void *arg);
int	comments_each(struct storage_txn *txn, uint32_t survey,
	    uint32_t month_from, uint32_t month_to, comments_fn fn, void *arg);
int	comments_select(struct storage_txn *txn, uint32_t survey,
	    uint32_t month_from, uint32_t month_to,
	    bool (*pick)(const struct comments_id *id, void *arg),
	    comments_fn fn, void *arg);

/*
 * Call fn(id, step, n, arg) for every entry of survey's index, completed
 * steps and pending entries (step COMMENTS_PENDING) alike, with the number
 * of texts n it holds: for verify, which checks that every completed step
 * holds exactly its version's kc. A non-zero return of fn stops the walk.
 */
int	comments_steps(struct storage_txn *txn, uint32_t survey,
	    int (*fn)(const struct comments_id *id, uint32_t step, size_t n,
	    void *arg), void *arg);

/*
 * Build the index from the response records of a store written before it
 * was kept, once (write txn; a META flag marks it done, so later calls do
 * nothing). Per group, the texts of its records go into steps of their
 * version's comments_k() as comments_add() puts them, in the order the
 * records are stored (which is no order of arrival), the rest into its
 * pending entry. A record's
 * group is that of its "owner" unit when it names one, else its "unit".
 * Records that do not open or parse are left out (and counted in a log
 * line). *n_out (may be NULL) gets the number of texts indexed.
 */
int	comments_migrate(struct storage_txn *txn, size_t *n_out);

#endif /* PALAUTE_CORE_COMMENTS_H */
