/*
 * codec.h — JSON in and out for the handlers: bodies parsed strictly
 * (content type, size, nesting depth, duplicate keys), members checked
 * against what the contract allows, typed getters that name the field.
 * Return convention: 0 or a negative errno-style code, with err filled.
 */
#ifndef PALAUTE_API_CODEC_H
#define PALAUTE_API_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/error.h"

struct api_req;

#define CODEC_MAX_DEPTH	32	/* our documents nest 5 deep at most */

/*
 * Parse req's body into a new JSON object (*out, caller decrefs). 415 when
 * the content type is not application/json, 400 when empty, not JSON,
 * nested deeper than CODEC_MAX_DEPTH, has duplicate keys, or is not an
 * object.
 */
int	codec_parse_object(const struct api_req *req, json_t **out,
	    struct api_err *err);

/* Nesting depth of JSON text, counted outside strings; for the bound. */
size_t	codec_depth(const char *text, size_t len);

/* Reject any member of obj not listed in allowed (NULL-terminated). */
int	codec_only(const json_t *obj, const char *const allowed[],
	    const char *path, struct api_err *err);

/*
 * Typed getters. A missing member is an error only when required; then
 * *out is left untouched, so callers preset defaults. path prefixes the
 * field name in errors ("" for the top level).
 */
int	codec_str(const json_t *obj, const char *key, bool required,
	    size_t maxlen, const char **out, struct api_err *err);
int	codec_int(const json_t *obj, const char *key, bool required,
	    long long min, long long max, long long *out, struct api_err *err);
int	codec_bool(const json_t *obj, const char *key, bool required,
	    bool *out, struct api_err *err);

/* Compact UTF-8 text of json (malloc()ed), or NULL. */
char	*codec_dump(const json_t *json, size_t *len_out);

#endif /* PALAUTE_API_CODEC_H */
