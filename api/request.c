/*
 * request.c — what a handler reads of a request: the JSON body, parsed
 * strictly, the query's parameters and the path's id.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api/api.h"
#include "api/router.h"
#include "common/codec.h"

static bool
api_is_json_type(const char *ctype)
{
	size_t	n = strlen("application/json");

	if (ctype == NULL || strncasecmp(ctype, "application/json", n) != 0)
		return false;
	/* Parameters may follow ("; charset=utf-8"); nothing else may. */
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

int
api_body_object(const struct api_req *req, json_t **out, struct error *err)
{
	json_error_t	 jerr;
	json_t		*root = NULL;
	int		 ret = -EINVAL;

	if (!api_is_json_type(req->rq_ctype)) {
		error_set(err, ERR_UNSUPPORTED_MEDIA, NULL,
		    "the body must be application/json");
		goto done;
	}
	if (req->rq_body == NULL || req->rq_body_len == 0) {
		error_set(err, ERR_MALFORMED_JSON, NULL,
		    "the body is empty; a JSON object is expected");
		goto done;
	}
	/*
	 * The quick reader takes the plain bodies clients send; the rest,
	 * mistakes included, go the way they always went, so that every
	 * refusal is jansson's, word for word.
	 */
	if ((ret = codec_load(req->rq_body, req->rq_body_len, out)) == 0)
		goto done;
	ret = -EINVAL;
	if (codec_depth(req->rq_body, req->rq_body_len) > CODEC_MAX_DEPTH) {
		error_set(err, ERR_MALFORMED_JSON, NULL,
		    "JSON nested deeper than %d levels", CODEC_MAX_DEPTH);
		goto done;
	}
	root = json_loadb(req->rq_body, req->rq_body_len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		error_set(err, ERR_MALFORMED_JSON, NULL,
		    "malformed JSON at line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		goto done;
	}
	if (!json_is_object(root)) {
		error_set(err, ERR_WRONG_TYPE, NULL,
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

/*
 * Whether s is an id as the API writes one: decimal digits without a
 * sign, a leading zero, spaces or a fraction, from 1 to UINT32_MAX. One
 * spelling per object, so "01", "+1" and "1.0" name nothing.
 */
static bool
api_id_canonical(const char *s, uint32_t *id_out)
{
	uint64_t	v = 0;
	size_t		i;

	if (s == NULL || s[0] < '1' || s[0] > '9')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i == 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*id_out = (uint32_t)v;
	return true;
}

int
api_path_id(struct api_req *req, const char *what, uint32_t *id_out)
{
	uint32_t	id;

	if (req->rq_nparams < 1 || !api_id_canonical(req->rq_params[0], &id)) {
		api_reply_errorf(req, ERR_BAD_REQUEST, "id",
		    "the %s id must be a positive whole number, written "
		    "without a sign, leading zeros or spaces", what);
		return -EINVAL;
	}
	*id_out = id;
	return 0;
}

int
api_query_get(const struct api_req *req, const char *name, char **value_out)
{
	struct router_qparam	 qp;
	const char		*cur = req->rq_query;
	size_t			 nlen = strlen(name);

	while (router_query_next(&cur, &qp))
		if (qp.qp_nlen == nlen && memcmp(qp.qp_name, name, nlen) == 0)
			return router_decode(qp.qp_value != NULL ? qp.qp_value :
			    "", qp.qp_vlen, true, value_out);
	return -ENOENT;
}
