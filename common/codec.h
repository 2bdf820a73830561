/*
 * codec.h — JSON getters for every layer: members checked against what
 * the contract allows, typed getters that name the field in errors with
 * one wording, ids as uint32, and compact output. Parsing a request's
 * body is the api layer's (api_body_object()).
 * Return convention: 0 or a negative errno-style code, with err filled.
 */
#ifndef PALAUTE_COMMON_CODEC_H
#define PALAUTE_COMMON_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"

#define CODEC_MAX_DEPTH	32	/* our documents nest 5 deep at most */

/* Nesting depth of JSON text, counted outside strings; for the bound. */
size_t	codec_depth(const char *text, size_t len);

/*
 * The object of JSON text, read in one pass for the texts clients send:
 * an object at the top, nested at most CODEC_MAX_DEPTH deep, strings of
 * valid UTF-8 with the escapes \" \\ \/ \b \f \n \r \t, integers
 * of up to 18 digits (no -0), true, false, null, no key twice. What it
 * gives is what json_loadb() with JSON_REJECT_DUPLICATES gives of the
 * same text (the fuzz targets answers and survey hold it to that), for
 * a quarter of the instructions: jansson reads a byte at a time through
 * a callback.
 * Anything else, a \u escape, a real number, a mistake, is -EAGAIN and
 * left to jansson, whose verdict and message stay the only ones a
 * client sees. -ENOMEM when out of memory.
 */
int	codec_load(const char *text, size_t len, json_t **out);

/*
 * The path of member key below base ("" or NULL: the top level) into buf
 * of ERROR_FIELD_MAX bytes, cut with "..." when longer: a member name
 * that long is the client's own doing, and the prefix still says where.
 * codec_path_index() names the i-th element of an array at base.
 */
void	codec_path(char buf[ERROR_FIELD_MAX], const char *base,
	    const char *key);
void	codec_path_index(char buf[ERROR_FIELD_MAX], const char *base,
	    size_t i);

/* Reject any member of obj not listed in allowed (NULL-terminated). */
int	codec_only(const json_t *obj, const char *const allowed[],
	    const char *path, struct error *err);

/*
 * The member key of obj (at path, for errors), checked to be of type:
 * JSON_TRUE stands for either boolean, and JSON_INTEGER excludes reals,
 * so 1.0 is not an integer. *out is NULL when the member is absent and
 * optional; a missing required member is ERR_MISSING_FIELD, a wrong type
 * ERR_WRONG_TYPE. Borrowed from obj.
 */
int	codec_get(const json_t *obj, const char *path, const char *key,
	    json_type type, bool required, const json_t **out,
	    struct error *err);

/*
 * Typed getters at the top level. A missing member is an error only when
 * required; then *out is left untouched, so callers preset defaults.
 */
int	codec_str(const json_t *obj, const char *key, bool required,
	    size_t maxlen, const char **out, struct error *err);
int	codec_int(const json_t *obj, const char *key, bool required,
	    long long min, long long max, long long *out, struct error *err);
int	codec_bool(const json_t *obj, const char *key, bool required,
	    bool *out, struct error *err);

/*
 * An id stored in a record we wrote: the integer if it is one in
 * 1..UINT32_MAX, else 0 (no id is 0). v may be NULL.
 */
uint32_t codec_u32(const json_t *v);

/*
 * The same below path, for nested members: absent and optional, *out gets
 * def. codec_enum_at() wants a string of names[] (NULL-terminated) and
 * gives its index.
 */
int	codec_int_at(const json_t *obj, const char *path, const char *key,
	    bool required, long long min, long long max, long long def,
	    long long *out, struct error *err);
int	codec_bool_at(const json_t *obj, const char *path, const char *key,
	    bool required, bool def, bool *out, struct error *err);
int	codec_enum_at(const json_t *obj, const char *path, const char *key,
	    bool required, const char *const names[], int def, int *out,
	    struct error *err);

/* Compact UTF-8 text of json (malloc()ed), or NULL. */
char	*codec_dump(const json_t *json, size_t *len_out);

/*
 * JSON text written directly, for the paths taken once per response,
 * where building a json_t only to dump it cost more than the rest of
 * the work (jansson's dump formats a loop-check key with snprintf for
 * every object and array). What is written is what codec_dump() gives
 * of the same value, byte for byte: compact, members in the order
 * written, strings escaped as jansson escapes them (", \, and control
 * characters; nothing else), so a reader cannot tell the two apart.
 * Strings must be valid UTF-8, as every string of a checked value is.
 *
 * Start from a zeroed struct codec_buf. A failed append (out of memory)
 * sticks: the ones after it do nothing, and codec_buf_take() returns
 * NULL. The buffer may hold answers: it is wiped when it grows, and
 * codec_buf_wipe() wipes and frees what was not taken.
 */
struct codec_buf {
	char	*cb_p;
	size_t	 cb_len;
	size_t	 cb_cap;
	bool	 cb_failed;
};
#define CODEC_BUF_LIT(b, lit)	codec_buf_raw((b), (lit), sizeof(lit) - 1)
void	codec_buf_raw(struct codec_buf *b, const char *s, size_t n);
void	codec_buf_str(struct codec_buf *b, const char *s, size_t n);
/* A NUL-terminated string; NULL fails b, as json_pack() fails on one. */
void	codec_buf_cstr(struct codec_buf *b, const char *s);
void	codec_buf_int(struct codec_buf *b, long long v);
/* The text, NUL-terminated (malloc()ed; *len_out without the NUL). */
char	*codec_buf_take(struct codec_buf *b, size_t *len_out);
void	codec_buf_wipe(struct codec_buf *b);

#endif /* PALAUTE_COMMON_CODEC_H */
