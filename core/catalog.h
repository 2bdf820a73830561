/*
 * catalog.h — the catalog of surveys: every definition and each of its
 * versions, in storage. Definitions are parsed and checked by
 * core/survey.h; this module stores them. The routes are
 * api/routes/surveys.c.
 *
 * In STORAGE_DB_SURVEYS:
 *   id (4 bytes BE)                  the survey record
 *       {"id": 3, "slug": "aulakysely", "version": 2, "open": true}
 *   id (4 bytes BE) | version (4 BE) that version's canonical definition
 *       (survey_to_json(), slug included)
 *
 * "version" is the current version: the one forms and kiosks serve.
 * "open" is set when the survey's first collector is made: from then on
 * anyone may be answering it. A version "has responses" when
 * STORAGE_DB_CELLS holds a cell of it (key survey | version | ...,
 * core/cells.h): cells are written in the transaction of every response
 * and outlive raw responses, so intake has nothing to mark.
 *
 * An update of a survey that was never open rewrites its version in
 * place; once it is open, a change adds version + 1 and the old version
 * stays as it was, for the responses that carry it, whether anyone
 * answered it or not. Managers, kiosks and the public form see version
 * numbers: were the choice made on whether the version has responses,
 * the next edit would tell them whether anyone at all had answered, a
 * number below k (DESIGN.md section 5). A version with responses is
 * never rewritten in place either way (catalog_update_adds_version()).
 * (Intake that validates answers on the loop and stores them on the
 * writer should re-read the version in its apply step: an in-place edit
 * may land between the two.)
 *
 * Slugs are unique among surveys; a survey created without one gets
 * "survey-<id>", and an update without one keeps the slug it had.
 *
 * Replies (GET, POST, PUT) are flat: {"id", "version" (the one shown),
 * "current_version", "has_responses" (of the version shown), then the
 * canonical definition's members}. A PUT body may be such a reply sent
 * back: those four members are read-only and dropped ("id", if present,
 * must be the survey's own, else 422).
 *
 * Return convention: 0 or a negative errno-style code; -ENOENT when the
 * survey or the version does not exist.
 */
#ifndef PALAUTE_CORE_CATALOG_H
#define PALAUTE_CORE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"

struct storage_txn;
struct survey;

#define CATALOG_KEYLEN	8	/* id | version */

/* The survey record (*out: new reference). */
int	catalog_get(struct storage_txn *txn, uint32_t id, json_t **out);

/* The current version of survey id. */
int	catalog_current_version(struct storage_txn *txn, uint32_t id,
	    uint32_t *version_out);

/*
 * The stored definition of (id, version), version 0 meaning the current
 * one: *def_out a new reference, *version_out (may be NULL) the version.
 */
int	catalog_definition(struct storage_txn *txn, uint32_t id,
	    uint32_t version, json_t **def_out, uint32_t *version_out);

/*
 * The same, parsed: *out a new struct survey (survey_free()). For intake
 * (check answers against the version they are stored with) and results.
 * -EBADMSG if a stored definition no longer parses.
 */
int	catalog_load(struct storage_txn *txn, uint32_t id, uint32_t version,
	    struct survey **out, uint32_t *version_out);

/*
 * Create a survey from a definition in a write txn: checked with
 * survey_parse() (err filled, -EINVAL), slug assigned when absent and
 * checked for uniqueness (ERR_CONFLICT on "slug"). Version 1. Writes no
 * audit entry (the caller does).
 */
int	catalog_create(struct storage_txn *txn, const json_t *def,
	    uint32_t *id_out, struct error *err);

/*
 * Mark survey id open for answers (its first collector is being made), in
 * the collector's transaction. Idempotent.
 */
int	catalog_mark_open(struct storage_txn *txn, uint32_t id);

/*
 * Whether a change to the current definition of the survey whose record
 * is rec must add a version rather than rewrite it: when the survey is
 * open, or has a collector (ncollectors: a store older than the mark), or,
 * as a last guard, its current version has responses. *out on success.
 */
int	catalog_update_adds_version(struct storage_txn *txn,
	    const json_t *rec, size_t ncollectors, bool *out);

/* Whether version of survey id has responses (a cell of it exists). */
int	catalog_has_responses(struct storage_txn *txn, uint32_t id,
	    uint32_t version, bool *out);

/*
 * Whether version of survey id has released responses: a cell of it whose
 * released n is not 0 (core/release.h). What a reply may say: whether a
 * version has any response at all is a number below k, and "yes" here
 * comes only with a step of at least k people. It reads every cell of the
 * survey up to the first released one.
 */
int	catalog_has_released(struct storage_txn *txn, uint32_t id,
	    uint32_t version, bool *out);

/*
 * Whether any version of any survey has responses at unit (the unit the
 * responses came from, pooled or not): one prefix seek per version.
 */
int	catalog_unit_has_responses(struct storage_txn *txn, uint32_t unit,
	    bool *out);

void	catalog_key(uint32_t id, uint32_t version,
	    uint8_t key[CATALOG_KEYLEN]);

/* Refuse a slug another survey has (a handful of surveys: a scan). */
int	catalog_slug_free(struct storage_txn *txn, const char *slug,
	    uint32_t except, struct error *err);

/*
 * The canonical definition of s with its slug first: the slug is set
 * here when the server assigns one.
 */
int	catalog_canonical(struct survey *s, uint32_t id, json_t **out,
	    struct error *err);

int	catalog_insert(struct storage_txn *txn, struct survey *s,
	    uint32_t *id_out, json_t **rec_out, json_t **def_out,
	    struct error *err);

/*
 * The release step of survey id's version (0: the current one): its
 * min_group, never below RELEASE_K_MIN (core/release.h). memo (zeroed by
 * the caller before a walk) remembers the last answer, so that a walk
 * over many cells or rounds of one version parses it once. -ENOENT.
 */
struct catalog_k {
	uint32_t	ck_survey;
	uint32_t	ck_version;
	uint32_t	ck_k;		/* 0: nothing remembered */
};
int	catalog_k(struct storage_txn *txn, uint32_t id, uint32_t version,
	    struct catalog_k *memo, uint32_t *k_out);

#endif /* PALAUTE_CORE_CATALOG_H */
