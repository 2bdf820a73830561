/*
 * routes.c — the route table of DESIGN.md section 7: every URL resource,
 * who may call it, its body limit and what openapi.json says of it. The
 * daemon hands it to api_init(); the handlers are in this folder, one
 * file per resource.
 */
#include <config.h>

#include <stddef.h>

#include "api/api.h"
#include "api/routes/routes.h"

const struct api_route http_routes[] = {
	{ API_GET, "/healthz", http_health_live, API_ACC_ANY, API_BODY_SMALL,
	    "Liveness: the process answers." },
	{ API_GET, "/readyz", http_health_ready, API_ACC_ANY, API_BODY_SMALL,
	    "Readiness: the store is open and writable (503 unavailable "
	    "when it is not, 507 storage_full while its disk is full)." },
	{ API_GET, "/metrics", http_metrics_get, API_ACC_METRICS,
	    API_BODY_SMALL,
	    "Prometheus metrics: requests by route and status, latencies, "
	    "commits, map use, connections; nothing about respondents, "
	    "and no count of responses finer than 100." },
	{ API_GET, "/api/v1/openapi.json", http_openapi_get, API_ACC_ANY,
	    API_BODY_SMALL, "This document: the API contract, generated "
	    "from the route table." },
	{ API_GET, "/api/v1/units", http_units_list, API_ACC_USER,
	    API_BODY_SMALL,
	    "List units: all for an admin, a manager's subtrees for a "
	    "manager." },
	{ API_POST, "/api/v1/units", http_units_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a unit {name: {fi, sv?, en?}, parent, "
	    "pool}." },
	{ API_GET, "/api/v1/units/{}", http_units_show, API_ACC_USER,
	    API_BODY_SMALL, "One unit; 403 for a manager outside their "
	    "subtrees." },
	{ API_PATCH, "/api/v1/units/{}", http_units_patch, API_ACC_ADMIN,
	    API_BODY_SMALL, "Rename, move (no cycles) or (un)pool a unit." },
	{ API_DELETE, "/api/v1/units/{}", http_units_delete, API_ACC_ADMIN,
	    API_BODY_SMALL, "Delete a unit without children, collectors or "
	    "responses (else 409); managers given it lose it." },
	{ API_GET, "/api/v1/surveys", http_surveys_list, API_ACC_USER,
	    API_BODY_SMALL, "List surveys with their current versions." },
	{ API_POST, "/api/v1/surveys", http_surveys_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a survey from a definition (version 1)." },
	{ API_GET, "/api/v1/surveys/{}", http_surveys_show, API_ACC_USER,
	    API_BODY_SMALL, "A survey's current definition, or ?version=N." },
	{ API_PUT, "/api/v1/surveys/{}", http_surveys_put, API_ACC_ADMIN,
	    API_BODY_SMALL, "Replace a definition: in place until the "
	    "survey's first collector, then as a new version." },
	{ API_GET, "/api/v1/surveys/{}/results", http_results_get, API_ACC_USER,
	    API_BODY_SMALL, "Results of a unit's subtree (?unit=&from=&to="
	    "&by=none|period|unit&period=&version=): per group its released "
	    "n and statistics, which advance in steps of at least k "
	    "responses." },
	{ API_GET, "/api/v1/surveys/{}/results.csv", http_results_get_csv,
	    API_ACC_USER, API_BODY_SMALL, "The same results as CSV (UTF-8 "
	    "with BOM), one row per group and statistic; &sep=semicolon "
	    "for spreadsheets set to Finnish or Swedish." },
	{ API_GET, "/api/v1/surveys/{}/results.xlsx", http_results_get_xlsx,
	    API_ACC_USER, API_BODY_SMALL, "The same results as a workbook "
	    "(&lang=fi|sv|en): unit names, question texts and labels, a "
	    "cover sheet with k and the release note, a sheet per question; "
	    "503 in a build without libxlsxwriter." },
	{ API_GET, "/api/v1/surveys/{}/comments", http_comments_get,
	    API_ACC_USER, API_BODY_SMALL, "Released comments of a unit's "
	    "subtree (?unit=&from=&to=&question=&version=): whole steps of "
	    "k_comments texts, shuffled, without dates or units." },
	{ API_GET, "/api/v1/collectors", http_collectors_list, API_ACC_USER,
	    API_BODY_SMALL, "List collectors (?survey=, ?unit=); a manager "
	    "sees those at their units." },
	{ API_POST, "/api/v1/collectors", http_collectors_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a kiosk (enrollment code), link (slug) "
	    "or invitation round (codes and their personal links "
	    "/f/<slug>#code=CODE as code_urls; ?format=csv)." },
	{ API_GET, "/api/v1/collectors/{}", http_collectors_show, API_ACC_USER,
	    API_BODY_SMALL, "One collector; 403 for a manager outside their "
	    "units." },
	{ API_DELETE, "/api/v1/collectors/{}", http_collectors_delete,
	    API_ACC_ADMIN, API_BODY_SMALL, "Revoke a collector: its slug, "
	    "codes and device tokens stop working." },
	{ API_PATCH, "/api/v1/collectors/{}", http_collectors_patch,
	    API_ACC_ADMIN, API_BODY_SMALL, "Name a collector: {name} (null "
	    "removes it), e.g. \"Lobby, East office\"." },
	{ API_POST, "/api/v1/collectors/{}/enrollment",
	    http_collectors_reenroll, API_ACC_ADMIN, API_BODY_SMALL, "A new "
	    "enrollment code for a kiosk's replaced tablet -> 201; the old "
	    "tablet's token and any unused code stop working." },
	{ API_DELETE, "/api/v1/collectors/{}/device", http_collectors_unenroll,
	    API_ACC_ADMIN, API_BODY_SMALL, "Revoke a kiosk's tablet (lost or "
	    "stolen): its token stops working; the kiosk waits for a new "
	    "code." },
	/* Accounts, auth and audit (session.c, users.c, tokens.c, audit.c). */
	{ API_POST, "/api/v1/session", http_session_post, API_ACC_ANY,
	    API_BODY_SMALL, "Log in: {username, password} -> 201 {token, "
	    "expires_at, user}." },
	{ API_GET, "/api/v1/session", http_session_get, API_ACC_USER,
	    API_BODY_SMALL, "The caller: {user, kind}." },
	{ API_DELETE, "/api/v1/session", http_session_delete, API_ACC_USER,
	    API_BODY_SMALL, "Log out: end the caller's session." },
	{ API_POST, "/api/v1/session/password", http_session_password,
	    API_ACC_USER, API_BODY_SMALL, "Change one's own password: "
	    "{password, new_password} -> 204; one's other sessions end." },
	{ API_GET, "/api/v1/users", http_users_list, API_ACC_ADMIN,
	    API_BODY_SMALL,
	    "List the users." },
	{ API_POST, "/api/v1/users", http_users_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create a user: {username, password?, role, "
	    "units?} -> 201; without a password the reply carries a "
	    "one-time set-password link (72 h)." },
	{ API_GET, "/api/v1/users/{}", http_users_get, API_ACC_ADMIN,
	    API_BODY_SMALL, "One user." },
	{ API_PATCH, "/api/v1/users/{}", http_users_patch, API_ACC_ADMIN,
	    API_BODY_SMALL, "Change a user: {password?, units?} (units for "
	    "managers); a new password ends their other sessions." },
	{ API_POST, "/api/v1/users/{}/password-link", http_users_password_link,
	    API_ACC_ADMIN, API_BODY_SMALL, "A one-time set-password link "
	    "for a user (72 h; an earlier one stops working) -> 201 {url, "
	    "expires_at}." },
	{ API_POST, "/api/v1/password", http_users_password_set, API_ACC_ANY,
	    API_BODY_SMALL, "Set a password with a link's token: {token, "
	    "password} -> 204; the link works once, and the user's sessions "
	    "end." },
	{ API_DELETE, "/api/v1/users/{}", http_users_delete, API_ACC_ADMIN,
	    API_BODY_SMALL, "Delete a user and revoke their sessions and "
	    "tokens." },
	{ API_GET, "/api/v1/tokens", http_tokens_list, API_ACC_ADMIN,
	    API_BODY_SMALL, "List the API tokens (never the tokens)." },
	{ API_POST, "/api/v1/tokens", http_tokens_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "Create an API token: {name, user?} -> 201, the "
	    "token shown once." },
	{ API_DELETE, "/api/v1/tokens/{}", http_tokens_delete, API_ACC_ADMIN,
	    API_BODY_SMALL, "Revoke an API token." },
	{ API_GET, "/api/v1/audit", http_audit_get, API_ACC_ADMIN,
	    API_BODY_SMALL,
	    "The audit chain with its verification: {entries, verified, "
	    "broken_at}." },
	/* Intake: kiosks (kiosk.c) and web forms (forms.c). */
	{ API_POST, "/api/v1/kiosk/enroll", http_kiosk_enroll, API_ACC_ANY,
	    API_BODY_SMALL, "Enroll a kiosk: {code} -> 201 {device_token, "
	    "survey, privacy, unit, idle_reset_seconds}; a used or expired "
	    "code is 410, an unknown one 401." },
	{ API_GET, "/api/v1/kiosk/survey", http_kiosk_survey, API_ACC_DEVICE,
	    API_BODY_SMALL, "The kiosk's survey: {survey, privacy, unit, "
	    "idle_reset_seconds}." },
	{ API_POST, "/api/v1/kiosk/responses", http_kiosk_responses,
	    API_ACC_DEVICE, API_BODY_BATCH, "A batch from the offline queue: "
	    "{responses: [{id, day, lang, answers, version?}]} (at most 500) "
	    "-> 200 {results: [{id, status, error?}], stored, duplicates, "
	    "rejected}." },
	{ API_GET, "/api/v1/forms/{}", http_forms_get, API_ACC_ANY,
	    API_BODY_SMALL,
	    "A form: {survey, privacy, unit, invitation_required, "
	    "invitation_check}." },
	{ API_OPTIONS, "/api/v1/forms/{}", http_forms_options, API_ACC_ANY,
	    API_BODY_SMALL, "CORS preflight, for the configured origins." },
	{ API_POST, "/api/v1/forms/{}/responses", http_forms_post, API_ACC_ANY,
	    API_BODY_SMALL, "Submit a response: {id, lang, answers, "
	    "invitation?, version?} -> 201 {id, duplicate}; 200 for a retried "
	    "id; 409 for a used invitation code (learnt only by a "
	    "submission that would have spent it)." },
	{ API_OPTIONS, "/api/v1/forms/{}/responses", http_forms_options,
	    API_ACC_ANY, API_BODY_SMALL, "CORS preflight, for the configured "
	    "origins." },
	/* QR codes of public URLs, for posters and kiosk set-up (qr.c). */
	{ API_GET, "/api/v1/qr.svg", http_qr_get, API_ACC_ADMIN, API_BODY_SMALL,
	    "A QR code (SVG) of ?text=, one of this service's /kiosk/ or "
	    "/f/<slug> URLs, without a fragment." },
	{ API_POST, "/api/v1/qr.svg", http_qr_post, API_ACC_ADMIN,
	    API_BODY_SMALL, "A QR code (SVG) of {text}, one of this "
	    "service's /kiosk/ or /f/<slug> URLs, a personal invitation "
	    "link /f/<slug>#code=CODE too: the code stays out of any query." },
	/* The web clients and Chart.js (static.c). */
	{ API_GET, "/", http_static_root, API_ACC_ANY, API_BODY_SMALL,
	    "Redirect to the dashboard." },
	{ API_GET, "/kiosk", http_static_slash, API_ACC_ANY, API_BODY_SMALL,
	    "Redirect to /kiosk/, keeping the query." },
	{ API_GET, "/kiosk/*", http_static_kiosk, API_ACC_ANY, API_BODY_SMALL,
	    "The lobby kiosk's files." },
	{ API_GET, "/dashboard", http_static_slash, API_ACC_ANY, API_BODY_SMALL,
	    "Redirect to /dashboard/." },
	{ API_GET, "/dashboard/*", http_static_dashboard, API_ACC_ANY,
	    API_BODY_SMALL, "The managers' dashboard's files." },
	{ API_GET, "/assets/*", http_static_assets, API_ACC_ANY, API_BODY_SMALL,
	    "Files shared by the web clients." },
	{ API_GET, "/f/assets/*", http_static_form_assets, API_ACC_ANY,
	    API_BODY_SMALL, "The web form's scripts and styles." },
	{ API_GET, "/f/{}", http_static_form, API_ACC_ANY, API_BODY_SMALL,
	    "The web form of a link or invitation collector." },
	{ API_GET, "/vendor/chart.js/*", http_static_chartjs, API_ACC_ANY,
	    API_BODY_SMALL, "Chart.js from Debian's libjs-chart.js." },
};
const size_t http_nroutes = sizeof(http_routes) / sizeof(http_routes[0]);
