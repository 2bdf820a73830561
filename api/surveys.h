/*
 * surveys.h — survey definitions and their versions in storage, and the
 * /api/v1/surveys handlers (declared in api/handlers.h). Definitions are
 * parsed and checked by api/survey.h; this module stores them.
 *
 * In STORAGE_DB_SURVEYS:
 *   id (4 bytes BE)                  the survey record
 *       {"id": 3, "slug": "aulakysely", "version": 2}
 *   id (4 bytes BE) | version (4 BE) that version's canonical definition
 *       (survey_to_json(), slug included)
 *
 * "version" is the current version: the one forms and kiosks serve.
 * A version "has responses" when STORAGE_DB_CELLS holds a cell of it
 * (key survey | version | ..., api/cells.h): cells are written in the
 * transaction of every response and outlive raw responses, so intake has
 * nothing to mark. An update of a survey whose current version has no
 * responses rewrites that version in place; otherwise it adds version + 1
 * and the old version stays as it was, for the responses that carry it.
 * (Intake that validates answers on the loop and stores them on the
 * writer should re-read the version in its apply step: an in-place edit
 * may land between the two while the version has no responses yet.)
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
#ifndef PALAUTE_API_SURVEYS_H
#define PALAUTE_API_SURVEYS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "api/error.h"

struct storage_txn;
struct survey;

#define SURVEYS_KEYLEN	8	/* id | version */

/* The survey record (*out: new reference). */
int	surveys_get(struct storage_txn *txn, uint32_t id, json_t **out);

/* The current version of survey id. */
int	surveys_current_version(struct storage_txn *txn, uint32_t id,
	    uint32_t *version_out);

/*
 * The stored definition of (id, version), version 0 meaning the current
 * one: *def_out a new reference, *version_out (may be NULL) the version.
 */
int	surveys_definition(struct storage_txn *txn, uint32_t id,
	    uint32_t version, json_t **def_out, uint32_t *version_out);

/*
 * The same, parsed: *out a new struct survey (survey_free()). For intake
 * (check answers against the version they are stored with) and results.
 * -EBADMSG if a stored definition no longer parses.
 */
int	surveys_load(struct storage_txn *txn, uint32_t id, uint32_t version,
	    struct survey **out, uint32_t *version_out);

/*
 * Create a survey from a definition in a write txn: checked with
 * survey_parse() (err filled, -EINVAL), slug assigned when absent and
 * checked for uniqueness (APIE_CONFLICT on "slug"). Version 1. Writes no
 * audit entry (the caller does).
 */
int	surveys_create(struct storage_txn *txn, const json_t *def,
	    uint32_t *id_out, struct api_err *err);

/* Whether version of survey id has responses (a cell of it exists). */
int	surveys_has_responses(struct storage_txn *txn, uint32_t id,
	    uint32_t version, bool *out);

/*
 * Whether any version of any survey has responses at unit (the unit the
 * responses came from, pooled or not): one prefix seek per version.
 */
int	surveys_unit_has_responses(struct storage_txn *txn, uint32_t unit,
	    bool *out);

#endif /* PALAUTE_API_SURVEYS_H */
