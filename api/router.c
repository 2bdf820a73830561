/*
 * router.c — the route table of DESIGN.md section 7 and the matcher.
 * A pattern is a path whose segments are literal or "{}" (one segment,
 * captured and decoded) or a final "*" (the rest, captured undecoded).
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "api/router.h"

const struct api_route api_routes[] = {
	{ API_GET, "/healthz", health_live, API_ACC_ANY, API_BODY_SMALL,
	    "Liveness: the process answers." },
	{ API_GET, "/readyz", health_ready, API_ACC_ANY, API_BODY_SMALL,
	    "Readiness: the store is open and writable." },
	{ API_GET, "/metrics", metrics_get, API_ACC_METRICS, API_BODY_SMALL,
	    "Prometheus metrics: requests by route and status, latencies, "
	    "commits, map use, connections; nothing about respondents." },
	{ API_GET, "/api/v1/openapi.json", openapi_get, API_ACC_ANY,
	    API_BODY_SMALL, "This document: the API contract, generated "
	    "from the route table." },
	{ API_GET, "/api/v1/units", units_list, API_ACC_USER, API_BODY_SMALL,
	    "List units: all for an admin, a manager's subtrees for a "
	    "manager." },
	{ API_POST, "/api/v1/units", units_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a unit {name: {fi, sv?, en?}, parent, "
	    "pool}." },
	{ API_GET, "/api/v1/units/{}", units_show, API_ACC_USER,
	    API_BODY_SMALL, "One unit; 403 for a manager outside their "
	    "subtrees." },
	{ API_PATCH, "/api/v1/units/{}", units_patch, API_ACC_ADMIN,
	    API_BODY_SMALL, "Rename, move (no cycles) or (un)pool a unit." },
	{ API_DELETE, "/api/v1/units/{}", units_delete, API_ACC_ADMIN,
	    API_BODY_SMALL, "Delete a unit without children, collectors or "
	    "responses (else 409); managers given it lose it." },
	{ API_GET, "/api/v1/surveys", surveys_list, API_ACC_USER,
	    API_BODY_SMALL, "List surveys with their current versions." },
	{ API_POST, "/api/v1/surveys", surveys_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a survey from a definition (version 1)." },
	{ API_GET, "/api/v1/surveys/{}", surveys_show, API_ACC_USER,
	    API_BODY_SMALL, "A survey's current definition, or ?version=N." },
	{ API_PUT, "/api/v1/surveys/{}", surveys_put, API_ACC_ADMIN,
	    API_BODY_SMALL, "Replace a definition: in place while the "
	    "version has no responses, else as a new version." },
	{ API_GET, "/api/v1/surveys/{}/results", results_get, API_ACC_USER,
	    API_BODY_SMALL, "Results of a unit's subtree (?unit=&from=&to="
	    "&by=none|period|unit&period=&version=): per group n and "
	    "statistics, or suppressed with a hint (small-group rule)." },
	{ API_GET, "/api/v1/surveys/{}/results.csv", results_get_csv,
	    API_ACC_USER, API_BODY_SMALL, "The same results as CSV (UTF-8 "
	    "with BOM), one row per group and statistic; &sep=semicolon "
	    "for spreadsheets set to Finnish or Swedish." },
	{ API_GET, "/api/v1/surveys/{}/comments", comments_get, API_ACC_USER,
	    API_BODY_SMALL, "Comments of one group (?unit=&from=&to="
	    "&question=&version=), shuffled, without dates; only for groups "
	    "of at least min_group_comments responses." },
	{ API_GET, "/api/v1/collectors", collectors_list, API_ACC_USER,
	    API_BODY_SMALL, "List collectors (?survey=, ?unit=); a manager "
	    "sees those at their units." },
	{ API_POST, "/api/v1/collectors", collectors_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a kiosk (enrollment code), link (slug) "
	    "or invitation round (codes; ?format=csv)." },
	{ API_GET, "/api/v1/collectors/{}", collectors_show, API_ACC_USER,
	    API_BODY_SMALL, "One collector; 403 for a manager outside their "
	    "units." },
	{ API_DELETE, "/api/v1/collectors/{}", collectors_delete,
	    API_ACC_ADMIN, API_BODY_SMALL, "Revoke a collector: its slug, "
	    "codes and device tokens stop working." },
	/* Accounts, auth and audit (session.c, users.c, tokens.c, audit.c). */
	{ API_POST, "/api/v1/session", session_post, API_ACC_ANY,
	    API_BODY_SMALL, "Log in: {username, password} -> 201 {token, "
	    "expires_at, user}." },
	{ API_GET, "/api/v1/session", session_get, API_ACC_USER,
	    API_BODY_SMALL, "The caller: {user, kind}." },
	{ API_DELETE, "/api/v1/session", session_delete, API_ACC_USER,
	    API_BODY_SMALL, "Log out: end the caller's session." },
	{ API_POST, "/api/v1/session/password", session_password,
	    API_ACC_USER, API_BODY_SMALL, "Change one's own password: "
	    "{password, new_password} -> 204; one's other sessions end." },
	{ API_GET, "/api/v1/users", users_list, API_ACC_ADMIN, API_BODY_SMALL,
	    "List the users." },
	{ API_POST, "/api/v1/users", users_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a user: {username, password, role, "
	    "units?} -> 201." },
	{ API_GET, "/api/v1/users/{}", users_get, API_ACC_ADMIN,
	    API_BODY_SMALL, "One user." },
	{ API_PATCH, "/api/v1/users/{}", users_patch, API_ACC_ADMIN,
	    API_BODY_SMALL, "Change a user: {password?, units?} (units for "
	    "managers); a new password ends their other sessions." },
	{ API_DELETE, "/api/v1/users/{}", users_delete, API_ACC_ADMIN,
	    API_BODY_SMALL, "Delete a user and revoke their sessions and "
	    "tokens." },
	{ API_GET, "/api/v1/tokens", tokens_list, API_ACC_ADMIN,
	    API_BODY_SMALL, "List the API tokens (never the tokens)." },
	{ API_POST, "/api/v1/tokens", tokens_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create an API token: {name, user?} -> 201, the "
	    "token shown once." },
	{ API_DELETE, "/api/v1/tokens/{}", tokens_delete, API_ACC_ADMIN,
	    API_BODY_SMALL, "Revoke an API token." },
	{ API_GET, "/api/v1/audit", audit_get, API_ACC_ADMIN, API_BODY_SMALL,
	    "The audit chain with its verification: {entries, verified, "
	    "broken_at}." },
	/* Intake: kiosks (kiosk.c) and web forms (forms.c). */
	{ API_POST, "/api/v1/kiosk/enroll", kiosk_enroll, API_ACC_ANY,
	    API_BODY_SMALL, "Enroll a kiosk: {code} -> 201 {device_token, "
	    "survey, privacy, unit, idle_reset_seconds}; a used or expired "
	    "code is 410, an unknown one 401." },
	{ API_GET, "/api/v1/kiosk/survey", kiosk_survey, API_ACC_DEVICE,
	    API_BODY_SMALL, "The kiosk's survey: {survey, privacy, unit, "
	    "idle_reset_seconds}." },
	{ API_POST, "/api/v1/kiosk/responses", kiosk_responses,
	    API_ACC_DEVICE, API_BODY_BATCH, "A batch from the offline queue: "
	    "{responses: [{id, day, lang, answers, version?}]} (at most 500) "
	    "-> 200 {results: [{id, status, error?}], stored, duplicates, "
	    "rejected}." },
	{ API_GET, "/api/v1/forms/{}", forms_get, API_ACC_ANY, API_BODY_SMALL,
	    "A form: {survey, privacy, unit, invitation_required}." },
	{ API_OPTIONS, "/api/v1/forms/{}", forms_options, API_ACC_ANY,
	    API_BODY_SMALL, "CORS preflight, for the configured origins." },
	{ API_POST, "/api/v1/forms/{}/responses", forms_post, API_ACC_ANY,
	    API_BODY_SMALL, "Submit a response: {id, lang, answers, "
	    "invitation?, version?} -> 201 {id, duplicate}; 200 for a retried "
	    "id; 409 for a used invitation code." },
	{ API_OPTIONS, "/api/v1/forms/{}/responses", forms_options,
	    API_ACC_ANY, API_BODY_SMALL, "CORS preflight, for the configured "
	    "origins." },
	/* QR codes of public URLs, for posters and kiosk set-up (qr.c). */
	{ API_GET, "/api/v1/qr.svg", qr_get, API_ACC_ADMIN, API_BODY_SMALL,
	    "A QR code (SVG) of ?text=, one of this service's /kiosk/ or "
	    "/f/<slug> URLs." },
	/* The web clients and Chart.js (static.c). */
	{ API_GET, "/", static_root, API_ACC_ANY, API_BODY_SMALL,
	    "Redirect to the dashboard." },
	{ API_GET, "/kiosk", static_slash, API_ACC_ANY, API_BODY_SMALL,
	    "Redirect to /kiosk/, keeping the query." },
	{ API_GET, "/kiosk/*", static_kiosk, API_ACC_ANY, API_BODY_SMALL,
	    "The lobby kiosk's files." },
	{ API_GET, "/dashboard", static_slash, API_ACC_ANY, API_BODY_SMALL,
	    "Redirect to /dashboard/." },
	{ API_GET, "/dashboard/*", static_dashboard, API_ACC_ANY,
	    API_BODY_SMALL, "The managers' dashboard's files." },
	{ API_GET, "/assets/*", static_assets, API_ACC_ANY, API_BODY_SMALL,
	    "Files shared by the web clients." },
	{ API_GET, "/f/assets/*", static_form_assets, API_ACC_ANY,
	    API_BODY_SMALL, "The web form's scripts and styles." },
	{ API_GET, "/f/{}", static_form, API_ACC_ANY, API_BODY_SMALL,
	    "The web form of a link or invitation collector." },
	{ API_GET, "/vendor/chart.js/*", static_chartjs, API_ACC_ANY,
	    API_BODY_SMALL, "Chart.js from Debian's libjs-chart.js." },
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

static int
router_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
router_decode(const char *s, size_t len, bool plus_space, char **out)
{
	char	*d;
	size_t	 i, j = 0;
	int	 hi, lo;

	if ((d = malloc(len + 1)) == NULL)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len) {
				free(d);
				return -EINVAL;
			}
			hi = router_hexval((unsigned char)s[i + 1]);
			lo = router_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				/* A bad escape, or a NUL smuggled into C. */
				free(d);
				return -EINVAL;
			}
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus_space && s[i] == '+')
			d[j++] = ' ';
		else
			d[j++] = s[i];
	}
	d[j] = '\0';
	*out = d;
	return 0;
}

/*
 * Match path against pattern. With params != NULL, captures are decoded
 * into it. Returns 1 on a match, 0 on none, <0 on a bad encoding.
 */
static int
router_try(const char *pattern, const char *path, char **params,
    size_t *nparams)
{
	const char	*p = pattern, *s = path;
	size_t		 n = 0, seg;
	int		 rc;

	for (;;) {
		if (*p == '\0' || *s == '\0')
			break;
		if (p[0] == '*' && p[1] == '\0') {
			/* The rest of the path, left encoded: a file name. */
			if (params != NULL) {
				if ((params[n] = strdup(s)) == NULL)
					return -ENOMEM;
				*nparams = ++n;
			}
			return 1;
		}
		if (p[0] == '{' && p[1] == '}') {
			seg = strcspn(s, "/");
			if (seg == 0 || n == API_MAX_PARAMS)
				return 0;
			if (params != NULL) {
				rc = router_decode(s, seg, false, &params[n]);
				if (rc != 0)
					return rc;
				*nparams = n + 1;
			}
			n++;
			p += 2;
			s += seg;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (p[0] == '*' && p[1] == '\0' && *s == '\0') {
		if (params != NULL) {
			if ((params[n] = strdup("")) == NULL)
				return -ENOMEM;
			*nparams = n + 1;
		}
		return 1;
	}
	return *p == '\0' && *s == '\0';
}

int
router_match(struct api_req *req, struct api_err *err)
{
	const struct api_route	*rt;
	bool			 path_known = false;
	size_t			 i;
	int			 rc;

	for (i = 0; i < api_nroutes; i++) {
		rt = &api_routes[i];
		if ((rc = router_try(rt->rt_pattern, req->rq_path, NULL,
		    NULL)) <= 0)
			continue;
		path_known = true;
		if (rt->rt_method != req->rq_method &&
		    !(rt->rt_method == API_GET && req->rq_method == API_HEAD))
			continue;
		rc = router_try(rt->rt_pattern, req->rq_path, req->rq_params,
		    &req->rq_nparams);
		if (rc < 0)
			return api_err_set(err, APIE_BAD_REQUEST, NULL,
			    "the path is not validly encoded");
		req->rq_route = rt;
		return 0;
	}
	if (path_known)
		return api_err_set(err, APIE_METHOD_NOT_ALLOWED, NULL,
		    "%s is not allowed here", api_method_name(req->rq_method));
	return api_err_set(err, APIE_NOT_FOUND, NULL, "no such resource");
}

void
router_allow(const char *path, char *buf, size_t len)
{
	size_t	i, off = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; i < api_nroutes; i++) {
		if (router_try(api_routes[i].rt_pattern, path, NULL, NULL) <= 0)
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
		    api_method_name(api_routes[i].rt_method));
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}
