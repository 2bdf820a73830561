/*
 * codec.c — strict JSON request parsing and typed member access.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/codec.h"

size_t
codec_depth(const char *text, size_t len)
{
	size_t	i, depth = 0, max = 0;
	bool	in_str = false, esc = false;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '{': case '[':
			if (++depth > max)
				max = depth;
			break;
		case '}': case ']':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return max;
}

static bool
codec_is_json_type(const char *ctype)
{
	size_t	n = strlen("application/json");

	if (ctype == NULL || strncasecmp(ctype, "application/json", n) != 0)
		return false;
	/* Parameters may follow ("; charset=utf-8"); nothing else may. */
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

int
codec_parse_object(const struct api_req *req, json_t **out,
    struct api_err *err)
{
	json_error_t	 jerr;
	json_t		*root = NULL;
	int		 ret = -EINVAL;

	if (!codec_is_json_type(req->rq_ctype)) {
		api_err_set(err, APIE_UNSUPPORTED_MEDIA, NULL,
		    "the body must be application/json");
		goto done;
	}
	if (req->rq_body == NULL || req->rq_body_len == 0) {
		api_err_set(err, APIE_MALFORMED_JSON, NULL,
		    "the body is empty; a JSON object is expected");
		goto done;
	}
	if (codec_depth(req->rq_body, req->rq_body_len) > CODEC_MAX_DEPTH) {
		api_err_set(err, APIE_MALFORMED_JSON, NULL,
		    "JSON nested deeper than %d levels", CODEC_MAX_DEPTH);
		goto done;
	}
	root = json_loadb(req->rq_body, req->rq_body_len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		api_err_set(err, APIE_MALFORMED_JSON, NULL,
		    "malformed JSON at line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		goto done;
	}
	if (!json_is_object(root)) {
		api_err_set(err, APIE_WRONG_TYPE, NULL,
		    "the body must be a JSON object");
		goto done;
	}
	*out = root;
	root = NULL;
	ret = 0;
done:
	json_decref(root);
	return ret;
}

static void
codec_field(char *buf, size_t len, const char *path, const char *key)
{
	if (path == NULL || *path == '\0')
		snprintf(buf, len, "%s", key);
	else
		snprintf(buf, len, "%s.%s", path, key);
}

int
codec_only(const json_t *obj, const char *const allowed[], const char *path,
    struct api_err *err)
{
	const char	*key;
	json_t		*val;
	char		 field[128];
	size_t		 i;

	json_object_foreach((json_t *)obj, key, val) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL) {
			codec_field(field, sizeof(field), path, key);
			return api_err_set(err, APIE_UNKNOWN_FIELD, field,
			    "unknown field '%s'", field);
		}
	}
	return 0;
}

/* The member, or NULL with err set when it is required but missing. */
static json_t *
codec_member(const json_t *obj, const char *key, bool required, char *field,
    size_t flen, struct api_err *err, int *rc)
{
	json_t	*v = json_object_get(obj, key);

	codec_field(field, flen, "", key);
	*rc = 0;
	if (v == NULL && required)
		*rc = api_err_set(err, APIE_MISSING_FIELD, field,
		    "'%s' is required", field);
	return v;
}

int
codec_str(const json_t *obj, const char *key, bool required, size_t maxlen,
    const char **out, struct api_err *err)
{
	char	 field[128];
	json_t	*v;
	int	 rc;

	if ((v = codec_member(obj, key, required, field, sizeof(field), err,
	    &rc)) == NULL)
		return rc;
	if (!json_is_string(v))
		return api_err_set(err, APIE_WRONG_TYPE, field,
		    "'%s' must be a string", field);
	if (json_string_length(v) > maxlen)
		return api_err_set(err, APIE_INVALID, field,
		    "'%s' is longer than %zu bytes", field, maxlen);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return api_err_set(err, APIE_INVALID, field,
		    "'%s' contains a NUL character", field);
	*out = json_string_value(v);
	return 0;
}

int
codec_int(const json_t *obj, const char *key, bool required, long long min,
    long long max, long long *out, struct api_err *err)
{
	char		 field[128];
	json_t		*v;
	json_int_t	 n;
	int		 rc;

	if ((v = codec_member(obj, key, required, field, sizeof(field), err,
	    &rc)) == NULL)
		return rc;
	if (!json_is_integer(v))
		return api_err_set(err, APIE_WRONG_TYPE, field,
		    "'%s' must be a whole number", field);
	n = json_integer_value(v);
	if (n < min || n > max)
		return api_err_set(err, APIE_INVALID, field,
		    "'%s' must be between %lld and %lld", field, min, max);
	*out = n;
	return 0;
}

int
codec_bool(const json_t *obj, const char *key, bool required, bool *out,
    struct api_err *err)
{
	char	 field[128];
	json_t	*v;
	int	 rc;

	if ((v = codec_member(obj, key, required, field, sizeof(field), err,
	    &rc)) == NULL)
		return rc;
	if (!json_is_boolean(v))
		return api_err_set(err, APIE_WRONG_TYPE, field,
		    "'%s' must be true or false", field);
	*out = json_is_true(v);
	return 0;
}

char *
codec_dump(const json_t *json, size_t *len_out)
{
	char	*s;

	s = json_dumps(json, JSON_COMPACT);
	if (s != NULL && len_out != NULL)
		*len_out = strlen(s);
	return s;
}
