/*
 * test_openapi.c — openapi.json describes exactly the route table: every
 * route once, with its summary and access, and nothing else.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/api.h"
#include "api/routes/openapi.h"
#include "api/routes/routes.h"

static void
lower(const char *s, char *out, size_t len)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[i] = '\0';
}

static void
test_paths(void **state)
{
	char	buf[128];

	assert_int_equal(http_openapi_path("/healthz", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/healthz");
	assert_int_equal(http_openapi_path("/api/v1/units/{}", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "/api/v1/units/{id}");
	assert_int_equal(http_openapi_path("/api/v1/forms/{}/responses", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/api/v1/forms/{slug}/responses");
	assert_int_equal(http_openapi_path("/f/{}", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/f/{slug}");
	assert_int_equal(http_openapi_path("/kiosk/*", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/kiosk/{path}");
	assert_int_equal(http_openapi_path("/a/{}/b/{}", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/a/{id}/b/{id2}");
	assert_int_equal(http_openapi_path("/api/v1/units/{}", buf, 10),
	    -ENAMETOOLONG);
}

static void
test_document_is_the_route_table(void **state)
{
	json_t		*doc, *paths, *item, *op, *params;
	const char	*path, *method;
	char		 p[256], m[16];
	size_t		 i, j, nops = 0, nbraces;

	assert_non_null(doc = http_openapi_build());
	assert_string_equal(json_string_value(json_object_get(doc,
	    "openapi")), "3.0.3");
	assert_non_null(json_object_get(json_object_get(json_object_get(doc,
	    "components"), "schemas"), "Error"));
	assert_non_null(paths = json_object_get(doc, "paths"));

	/* Every route is there, with its own summary. */
	for (i = 0; i < http_nroutes; i++) {
		assert_int_equal(http_openapi_path(http_routes[i].rt_pattern, p,
		    sizeof(p)), 0);
		lower(api_method_name(http_routes[i].rt_method), m, sizeof(m));
		item = json_object_get(paths, p);
		assert_non_null(item);
		op = json_object_get(item, m);
		if (op == NULL)
			fail_msg("%s %s is not in openapi.json", m, p);
		assert_string_equal(json_string_value(json_object_get(op,
		    "summary")), http_routes[i].rt_summary);
		assert_true(strlen(http_routes[i].rt_summary) > 0);
		assert_non_null(json_object_get(op, "x-palaute-access"));
		/* The security requirement follows the access. */
		assert_int_equal(json_array_size(json_object_get(op,
		    "security")), http_routes[i].rt_access == API_ACC_ANY ? 0 :
		    http_routes[i].rt_access == API_ACC_METRICS ? 2 : 1);
		/* Each {name} of the path is a declared parameter. */
		for (nbraces = 0, j = 0; p[j] != '\0'; j++)
			nbraces += p[j] == '{';
		params = json_object_get(op, "parameters");
		assert_int_equal(json_array_size(params), nbraces);
		/* No route twice: the same method and pattern again. */
		for (j = 0; j < i; j++)
			assert_false(http_routes[j].rt_method ==
			    http_routes[i].rt_method &&
			    strcmp(http_routes[j].rt_pattern,
			    http_routes[i].rt_pattern) == 0);
	}
	/* And nothing else: as many operations as routes. */
	json_object_foreach(paths, path, item) {
		json_object_foreach(item, method, op)
			nops++;
	}
	assert_int_equal(nops, http_nroutes);
	json_decref(doc);
}

/* The results reply: k, k_comments, every group with n and questions. */
static void
test_results_reply(void **state)
{
	json_t		*doc, *op, *schema, *group, *req;
	char		*text;
	size_t		 i;
	bool		 has_n = false;

	assert_non_null(doc = http_openapi_build());
	op = json_object_get(json_object_get(json_object_get(doc, "paths"),
	    "/api/v1/surveys/{id}/results"), "get");
	assert_non_null(op);
	schema = json_object_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(op, "responses"), "200"),
	    "content"), "application/json"), "schema");
	assert_non_null(schema);
	assert_non_null(json_object_get(json_object_get(schema, "properties"),
	    "k"));
	assert_non_null(json_object_get(json_object_get(schema, "properties"),
	    "k_comments"));
	group = json_object_get(json_object_get(json_object_get(schema,
	    "properties"), "groups"), "items");
	assert_non_null(group);
	req = json_object_get(group, "required");
	for (i = 0; i < json_array_size(req); i++)
		has_n = has_n || strcmp(json_string_value(json_array_get(req,
		    i)), "n") == 0;
	assert_true(has_n);
	/* Nothing of the old rule: no suppressed group, hint or releasable. */
	assert_non_null(text = json_dumps(op, 0));
	assert_null(strstr(text, "suppress"));
	assert_null(strstr(text, "hint"));
	assert_null(strstr(text, "releasable"));
	free(text);
	json_decref(doc);
}

/* The comments reply: whole steps, their count; no n, nothing withheld. */
static void
test_comments_reply(void **state)
{
	json_t		*doc, *op, *props;
	char		*text;

	assert_non_null(doc = http_openapi_build());
	op = json_object_get(json_object_get(json_object_get(doc, "paths"),
	    "/api/v1/surveys/{id}/comments"), "get");
	assert_non_null(op);
	props = json_object_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(json_object_get(op, "responses"),
	    "200"), "content"), "application/json"), "schema"), "properties");
	assert_non_null(props);
	assert_non_null(json_object_get(props, "k_comments"));
	assert_non_null(json_object_get(props, "count"));
	assert_non_null(json_object_get(json_object_get(json_object_get(
	    json_object_get(props, "comments"), "items"), "properties"),
	    "text"));
	assert_null(json_object_get(props, "n"));
	assert_null(json_object_get(props, "day"));
	assert_non_null(text = json_dumps(op, 0));
	assert_null(strstr(text, "suppress"));
	assert_null(strstr(text, "reason"));
	free(text);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_document_is_the_route_table),
		cmocka_unit_test(test_results_reply),
		cmocka_unit_test(test_comments_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
