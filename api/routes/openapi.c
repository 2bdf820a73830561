/*
 * openapi.c — the API's OpenAPI 3 document: the static parts here, every
 * path and operation derived from the route table at request time.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/routes/openapi.h"
#include "api/routes/routes.h"

#define OPENAPI_MAX_NAME	24

/* A path parameter's name, by the literal segment before it. */
static const struct {
	const char	*after;
	const char	*name;
} openapi_names[] = {
	{ "forms", "slug" },
	{ "f", "slug" },
};

static const char *const openapi_access[] = {
	[API_ACC_ANY] = "anyone",
	[API_ACC_USER] = "manager or admin",
	[API_ACC_ADMIN] = "admin",
	[API_ACC_DEVICE] = "enrolled kiosk",
	[API_ACC_METRICS] = "loopback or admin",
};

/* The static part: what no route table entry can say. */
static json_t *
http_openapi_static(void)
{
	json_t	*error, *components;

	error = json_pack("{s:s, s:[s], s:{s:{s:s, s:[s, s, s], s:{"
	    "s:{s:s, s:s}, s:{s:s}, s:{s:s, s:b, s:s}}}}}",
	    "type", "object", "required", "error", "properties", "error",
	    "type", "object", "required", "code", "message", "field",
	    "properties",
	    "code", "type", "string", "description",
	    "stable and machine-readable, e.g. unknown_field; a password "
	    "the policy refuses has its rule's: password_too_short, "
	    "password_too_long, password_blank, password_contains_username, "
	    "password_common (422); storage_full (507) when the disk or the "
	    "store's map is full, nothing was saved and sending it again "
	    "later will do",
	    "message", "type", "string",
	    "field", "type", "string", "nullable", 1, "description",
	    "the member or parameter at fault (a JSON path, or the path "
	    "parameter's name), null when none is");
	components = json_pack("{s:{s:{s:s, s:s, s:s}}, s:{s:o},"
	    " s:{s:{s:s, s:{s:{s:{s:s}}}}}}",
	    "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
	    "description", "A session token (POST /api/v1/session), an API "
	    "token, or an enrolled kiosk's device token.",
	    "schemas", "Error", error,
	    "responses", "Error", "description", "An error", "content",
	    "application/json", "schema", "$ref",
	    "#/components/schemas/Error");
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{}}",
	    "openapi", "3.0.3",
	    "info", "title", "Palaute API", "version", "1", "description",
	    "Anonymous feedback for social services (DESIGN.md section 7). "
	    "JSON in and out, UTF-8; results about fewer than k people are "
	    "never released. Generated from the route table.",
	    "components", components,
	    "paths");
}

/*
 * The 200 reply of GET /api/v1/surveys/{id}/results (DESIGN.md sections 5
 * and 7). Every number in it is computed from released state only: it
 * advances in steps of at least k responses, so every group carries its
 * n and statistics, and up to k-1 recent responses per unit and period
 * may not be counted yet. Nothing is suppressed.
 */
static const char http_openapi_results_json[] =
	"{"
	  "\"description\": \"Released results: per group its released n and "
	    "the statistics of every question, from released state only. "
	    "Numbers advance in steps of at least k responses, so up to k-1 of "
	    "the most recent responses per unit and period may not be counted "
	    "yet; one unreleased response looks exactly like none.\","
	  "\"content\": {"
	    "\"application/json\": {"
	      "\"schema\": {"
	        "\"type\": \"object\","
	        "\"required\": [\"survey\", \"unit\", \"from\", \"to\", "
	          "\"by\", \"period\", \"k\", \"k_comments\", \"versions\", "
	          "\"groups\"],"
	        "\"properties\": {"
	          "\"survey\": {\"type\": \"integer\"},"
	          "\"unit\": {"
	            "\"type\": \"integer\","
	            "\"description\": \"whose subtree\""
	          "},"
	          "\"from\": {"
	            "\"type\": \"string\","
	            "\"format\": \"date\""
	          "},"
	          "\"to\": {"
	            "\"type\": \"string\","
	            "\"format\": \"date\""
	          "},"
	          "\"by\": {"
	            "\"type\": \"string\","
	            "\"enum\": [\"none\", \"period\", \"unit\"]"
	          "},"
	          "\"period\": {"
	            "\"type\": \"string\","
	            "\"enum\": [\"week\", \"month\", \"quarter\", \"year\"],"
	            "\"description\": \"the survey's bucket\""
	          "},"
	          "\"group_period\": {"
	            "\"type\": \"string\","
	            "\"enum\": [\"week\", \"month\", \"quarter\", \"year\"],"
	            "\"description\": \"by=period: the length of each group\""
	          "},"
	          "\"k\": {"
	            "\"type\": \"integer\","
	            "\"minimum\": 3,"
	            "\"description\": \"the release step (min_group): every "
	              "released number moves by the responses of at least k "
	              "people\""
	          "},"
	          "\"k_comments\": {"
	            "\"type\": \"integer\","
	            "\"minimum\": 1,"
	            "\"description\": \"comments are released in steps of "
	              "this many (min_group_comments)\""
	          "},"
	          "\"versions\": {"
	            "\"type\": \"array\","
	            "\"items\": {\"type\": \"integer\"},"
	            "\"description\": \"the survey versions counted\""
	          "},"
	          "\"groups\": {"
	            "\"type\": \"array\","
	            "\"items\": {"
	              "\"type\": \"object\","
	              "\"required\": [\"unit\", \"from\", \"to\", \"n\", "
	                "\"questions\"],"
	              "\"properties\": {"
	                "\"unit\": {\"type\": \"integer\"},"
	                "\"own\": {"
	                  "\"type\": \"boolean\","
	                  "\"description\": \"by=unit: the unit's own cell "
	                    "rather than its subtree\""
	                "},"
	                "\"pool\": {"
	                  "\"type\": \"boolean\","
	                  "\"description\": \"by=unit: a unit below that "
	                    "pools into its parent now; its group holds what "
	                    "it released before\""
	                "},"
	                "\"from\": {"
	                  "\"type\": \"string\","
	                  "\"format\": \"date\""
	                "},"
	                "\"to\": {"
	                  "\"type\": \"string\","
	                  "\"format\": \"date\""
	                "},"
	                "\"n\": {"
	                  "\"type\": \"integer\","
	                  "\"minimum\": 0,"
	                  "\"description\": \"released responses; 0 when "
	                    "none is released yet\""
	                "},"
	                "\"questions\": {"
	                  "\"type\": \"object\","
	                  "\"description\": \"by question id\","
	                  "\"additionalProperties\": {"
	                    "\"type\": \"object\","
	                    "\"required\": [\"type\"],"
	                    "\"description\": \"the statistics of the "
	                      "question's type; those that need answers are "
	                      "null when answered is 0\","
	                    "\"properties\": {"
	                      "\"type\": {"
	                        "\"type\": \"string\","
	                        "\"enum\": [\"smiley\", \"scale\", \"nps\", "
	                          "\"choice\", \"multi\", \"yesno\", \"text\"]"
	                      "},"
	                      "\"answered\": {"
	                        "\"type\": \"integer\","
	                        "\"minimum\": 0"
	                      "},"
	                      "\"counts\": {"
	                        "\"type\": \"array\","
	                        "\"items\": {"
	                          "\"type\": \"integer\","
	                          "\"minimum\": 0"
	                        "},"
	                        "\"description\": \"per value (smiley, "
	                          "scale, nps), option (choice, multi) or no, "
	                          "yes (yesno)\""
	                      "},"
	                      "\"mean\": {"
	                        "\"type\": \"number\","
	                        "\"nullable\": true"
	                      "},"
	                      "\"median\": {"
	                        "\"type\": \"number\","
	                        "\"nullable\": true"
	                      "},"
	                      "\"csat\": {"
	                        "\"type\": \"integer\","
	                        "\"nullable\": true,"
	                        "\"description\": \"smiley: % of the top two "
	                          "faces\""
	                      "},"
	                      "\"nps\": {"
	                        "\"type\": \"integer\","
	                        "\"nullable\": true"
	                      "},"
	                      "\"respondents\": {"
	                        "\"type\": \"integer\","
	                        "\"minimum\": 0,"
	                        "\"description\": \"multi\""
	                      "},"
	                      "\"comments\": {"
	                        "\"type\": \"integer\","
	                        "\"minimum\": 0,"
	                        "\"description\": \"text: released answers; "
	                          "the comments route releases the texts in "
	                          "steps of k_comments\""
	                      "}"
	                    "}"
	                  "}"
	                "}"
	              "}"
	            "}"
	          "}"
	        "}"
	      "}"
	    "}"
	  "}"
	"}";

/*
 * The 200 reply of GET /api/v1/surveys/{id}/comments (core/comments.h):
 * the texts of completed steps only, each step k_comments texts of one
 * unit, bucket, month and question; pending texts are never in it, not
 * even as a count.
 */
static const char http_openapi_comments_json[] =
	"{"
	  "\"description\": \"Released comments of the unit's subtree over the "
	    "range: whole steps of k_comments texts per unit, period, month "
	    "and question, in a fresh random order on every read, without "
	    "day or unit. Texts of a step not yet complete are not shown, "
	    "not even counted.\","
	  "\"content\": {"
	    "\"application/json\": {"
	      "\"schema\": {"
	        "\"type\": \"object\","
	        "\"required\": [\"survey\", \"unit\", \"from\", \"to\", "
	          "\"question\", \"k_comments\", \"count\", \"truncated\", "
	          "\"comments\"],"
	        "\"properties\": {"
	          "\"survey\": {\"type\": \"integer\"},"
	          "\"unit\": {"
	            "\"type\": \"integer\","
	            "\"description\": \"whose subtree\""
	          "},"
	          "\"from\": {"
	            "\"type\": \"string\","
	            "\"format\": \"date\""
	          "},"
	          "\"to\": {"
	            "\"type\": \"string\","
	            "\"format\": \"date\""
	          "},"
	          "\"question\": {"
	            "\"type\": \"string\","
	            "\"description\": \"the text question's id\""
	          "},"
	          "\"k_comments\": {"
	            "\"type\": \"integer\","
	            "\"description\": \"the step: the largest "
	              "min_group_comments (never below k) of the versions "
	              "read\""
	          "},"
	          "\"count\": {"
	            "\"type\": \"integer\","
	            "\"minimum\": 0,"
	            "\"description\": \"released texts found\""
	          "},"
	          "\"truncated\": {"
	            "\"type\": \"boolean\","
	            "\"description\": \"more than 10000 were found: comments "
	              "is a uniform sample of them\""
	          "},"
	          "\"comments\": {"
	            "\"type\": \"array\","
	            "\"items\": {"
	              "\"type\": \"object\","
	              "\"required\": [\"text\"],"
	              "\"properties\": {"
	                "\"text\": {\"type\": \"string\"},"
	                "\"lang\": {\"type\": \"string\"}"
	              "}"
	            "}"
	          "}"
	        "}"
	      "}"
	    "}"
	  "}"
	"}";

/* Give a route's operation its 200 reply, from the JSON text reply. */
static int
http_openapi_reply(json_t *op, const char *text)
{
	json_t	*reply;

	if ((reply = json_loads(text, 0, NULL)) == NULL)
		return -ENOMEM;
	return json_object_set_new(json_object_get(op, "responses"), "200",
	    reply) == 0 ? 0 : -ENOMEM;
}

static const char *
http_openapi_param_name(const char *prev, size_t prevlen)
{
	size_t	i;

	for (i = 0; i < sizeof(openapi_names) / sizeof(openapi_names[0]); i++)
		if (strlen(openapi_names[i].after) == prevlen &&
		    memcmp(openapi_names[i].after, prev, prevlen) == 0)
			return openapi_names[i].name;
	return "id";
}

/* The path, and the parameter names (names[i], up to max) of pattern. */
static int
http_openapi_convert(const char *pattern, char *buf, size_t len,
    char names[][OPENAPI_MAX_NAME], size_t max, size_t *nnames)
{
	const char	*p = pattern, *seg = pattern, *prev = "", *base;
	size_t		 off = 0, n = 0, prevlen = 0, i, same;
	int		 w;

	if (len == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '}') {
			base = http_openapi_param_name(prev, prevlen);
			for (i = 0, same = 0; i < n; i++)
				if (strncmp(names[i], base, strlen(base)) == 0)
					same++;
			if (n >= max)
				return -ENAMETOOLONG;
			if (same == 0)
				w = snprintf(names[n], OPENAPI_MAX_NAME, "%s",
				    base);
			else
				w = snprintf(names[n], OPENAPI_MAX_NAME,
				    "%s%zu", base, same + 1);
			if (w < 0 || w >= OPENAPI_MAX_NAME)
				return -ENAMETOOLONG;
			w = snprintf(buf + off, len - off, "{%s}", names[n++]);
			p += 2;
		} else if (p[0] == '*' && p[1] == '\0') {
			if (n >= max)
				return -ENAMETOOLONG;
			snprintf(names[n++], OPENAPI_MAX_NAME, "path");
			w = snprintf(buf + off, len - off, "{path}");
			p++;
		} else {
			if (*p == '/') {
				/* Remember the literal segment just ended. */
				prev = seg;
				prevlen = (size_t)(p - seg);
				seg = p + 1;
			}
			w = snprintf(buf + off, len - off, "%c", *p);
			p++;
		}
		if (w < 0 || (size_t)w >= len - off)
			return -ENAMETOOLONG;
		off += (size_t)w;
	}
	*nnames = n;
	return 0;
}

int
http_openapi_path(const char *pattern, char *buf, size_t len)
{
	char	names[API_MAX_PARAMS + 1][OPENAPI_MAX_NAME];
	size_t	n;

	return http_openapi_convert(pattern, buf, len, names,
	    API_MAX_PARAMS + 1,
	    &n);
}

static json_t *
http_openapi_operation(const struct api_route *rt,
    char names[][OPENAPI_MAX_NAME],
    size_t nnames)
{
	json_t	*op, *params = NULL, *sec;
	size_t	 i;

	op = json_pack("{s:s, s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}",
	    "summary", rt->rt_summary != NULL ? rt->rt_summary : "",
	    "x-palaute-access", (unsigned)rt->rt_access <
	    sizeof(openapi_access) / sizeof(openapi_access[0]) ?
	    openapi_access[rt->rt_access] : "?",
	    "x-palaute-body-limit", rt->rt_body == API_BODY_BATCH ? "batch" :
	    "small",
	    "responses",
		"2XX", "description", "Success",
		"4XX", "$ref", "#/components/responses/Error",
		"5XX", "$ref", "#/components/responses/Error");
	if (op == NULL)
		return NULL;
	switch (rt->rt_access) {
	case API_ACC_ANY:
		sec = json_array();
		break;
	case API_ACC_METRICS:
		/* Loopback needs no token: an empty requirement allows it. */
		sec = json_pack("[{}, {s:[]}]", "bearer");
		break;
	default:
		sec = json_pack("[{s:[]}]", "bearer");
		break;
	}
	if (json_object_set_new(op, "security", sec) != 0)
		goto fail;
	if (nnames > 0) {
		if ((params = json_array()) == NULL)
			goto fail;
		for (i = 0; i < nnames; i++)
			if (json_array_append_new(params, json_pack(
			    "{s:s, s:s, s:b, s:{s:s}}", "name", names[i],
			    "in", "path", "required", 1, "schema", "type",
			    "string")) != 0)
				goto fail;
		if (json_object_set_new(op, "parameters", params) != 0) {
			params = NULL;
			goto fail;
		}
		params = NULL;
	}
	if (rt->rt_method == API_GET &&
	    strcmp(rt->rt_pattern, "/api/v1/surveys/{}/results") == 0 &&
	    http_openapi_reply(op, http_openapi_results_json) != 0)
		goto fail;
	if (rt->rt_method == API_GET &&
	    strcmp(rt->rt_pattern, "/api/v1/surveys/{}/comments") == 0 &&
	    http_openapi_reply(op, http_openapi_comments_json) != 0)
		goto fail;
	if ((rt->rt_method == API_POST || rt->rt_method == API_PUT ||
	    rt->rt_method == API_PATCH) && json_object_set_new(op,
	    "requestBody", json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 0,
	    "content", "application/json", "schema", "type", "object")) != 0)
		goto fail;
	return op;
fail:
	json_decref(params);
	json_decref(op);
	return NULL;
}

json_t *
http_openapi_build(void)
{
	char		 path[256], method[16];
	char		 names[API_MAX_PARAMS + 1][OPENAPI_MAX_NAME];
	const char	*m;
	json_t		*doc, *paths, *item, *op;
	size_t		 i, j, nnames;

	if ((doc = http_openapi_static()) == NULL)
		return NULL;
	paths = json_object_get(doc, "paths");
	for (i = 0; i < http_nroutes; i++) {
		if (http_openapi_convert(http_routes[i].rt_pattern, path,
		    sizeof(path), names, API_MAX_PARAMS + 1, &nnames) != 0)
			goto fail;
		m = api_method_name(http_routes[i].rt_method);
		for (j = 0; m[j] != '\0' && j + 1 < sizeof(method); j++)
			method[j] = (char)(m[j] >= 'A' && m[j] <= 'Z' ?
			    m[j] - 'A' + 'a' : m[j]);
		method[j] = '\0';
		if ((item = json_object_get(paths, path)) == NULL) {
			if ((item = json_object()) == NULL ||
			    json_object_set_new(paths, path, item) != 0)
				goto fail;
		}
		if ((op = http_openapi_operation(&http_routes[i], names,
		    nnames)) ==
		    NULL || json_object_set_new(item, method, op) != 0)
			goto fail;
	}
	return doc;
fail:
	json_decref(doc);
	return NULL;
}

void
http_openapi_get(struct api_ctx *ctx, struct api_req *req)
{
	json_t	*doc;

	if ((doc = http_openapi_build()) == NULL) {
		api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	api_reply_json(req, 200, doc);
}
