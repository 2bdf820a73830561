/*
 * routes.h — the route table and the handlers it names (routes.c),
 * grouped by the module that implements them. Every handler ends in
 * exactly one reply (api.h), now or from a completion callback.
 */
#ifndef PALAUTE_ROUTES_ROUTES_H
#define PALAUTE_ROUTES_ROUTES_H

#include <stddef.h>

struct api_ctx;
struct api_req;
struct api_route;

/* The route table (routes.c) that the daemon hands to api_init(). */
extern const struct api_route	http_routes[];
extern const size_t		http_nroutes;

/* health.c */
void	http_health_live(struct api_ctx *ctx, struct api_req *req);
void	http_health_ready(struct api_ctx *ctx, struct api_req *req);

/* session.c */
void	http_session_post(struct api_ctx *ctx, struct api_req *req);
void	http_session_get(struct api_ctx *ctx, struct api_req *req);
void	http_session_delete(struct api_ctx *ctx, struct api_req *req);
void	http_session_password(struct api_ctx *ctx, struct api_req *req);

/* users.c */
void	http_users_list(struct api_ctx *ctx, struct api_req *req);
void	http_users_post(struct api_ctx *ctx, struct api_req *req);
void	http_users_get(struct api_ctx *ctx, struct api_req *req);
void	http_users_patch(struct api_ctx *ctx, struct api_req *req);
void	http_users_password_link(struct api_ctx *ctx, struct api_req *req);
void	http_users_password_set(struct api_ctx *ctx, struct api_req *req);
void	http_users_delete(struct api_ctx *ctx, struct api_req *req);

/* tokens.c */
void	http_tokens_list(struct api_ctx *ctx, struct api_req *req);
void	http_tokens_post(struct api_ctx *ctx, struct api_req *req);
void	http_tokens_delete(struct api_ctx *ctx, struct api_req *req);

/* audit.c */
void	http_audit_get(struct api_ctx *ctx, struct api_req *req);

/* units.c: the unit tree (GET: managers see their subtrees) */
void	http_units_list(struct api_ctx *ctx, struct api_req *req);
void	http_units_show(struct api_ctx *ctx, struct api_req *req);
void	http_units_post(struct api_ctx *ctx, struct api_req *req);
void	http_units_patch(struct api_ctx *ctx, struct api_req *req);
void	http_units_delete(struct api_ctx *ctx, struct api_req *req);

/* surveys.c: survey definitions and versions */
void	http_surveys_list(struct api_ctx *ctx, struct api_req *req);
void	http_surveys_show(struct api_ctx *ctx, struct api_req *req);
void	http_surveys_post(struct api_ctx *ctx, struct api_req *req);
void	http_surveys_put(struct api_ctx *ctx, struct api_req *req);

/* collectors.c: kiosks, links, invitation rounds */
void	http_collectors_list(struct api_ctx *ctx, struct api_req *req);
void	http_collectors_show(struct api_ctx *ctx, struct api_req *req);
void	http_collectors_post(struct api_ctx *ctx, struct api_req *req);
void	http_collectors_delete(struct api_ctx *ctx, struct api_req *req);
void	http_collectors_patch(struct api_ctx *ctx, struct api_req *req);
void	http_collectors_reenroll(struct api_ctx *ctx, struct api_req *req);
void	http_collectors_unenroll(struct api_ctx *ctx, struct api_req *req);

/* kiosk.c: enrollment, the kiosk's survey, batches of responses */
void	http_kiosk_enroll(struct api_ctx *ctx, struct api_req *req);
void	http_kiosk_survey(struct api_ctx *ctx, struct api_req *req);
void	http_kiosk_responses(struct api_ctx *ctx, struct api_req *req);

/* forms.c: the public web form and its CORS preflight */
void	http_forms_get(struct api_ctx *ctx, struct api_req *req);
void	http_forms_post(struct api_ctx *ctx, struct api_req *req);
void	http_forms_options(struct api_ctx *ctx, struct api_req *req);

/* results.c, comments.c: what managers read (their own subtrees) */
void	http_results_get(struct api_ctx *ctx, struct api_req *req);
void	http_results_get_csv(struct api_ctx *ctx, struct api_req *req);
void	http_results_get_xlsx(struct api_ctx *ctx, struct api_req *req);
void	http_comments_get(struct api_ctx *ctx, struct api_req *req);

/* metrics.c: Prometheus text format (loopback or admin) */
void	http_metrics_get(struct api_ctx *ctx, struct api_req *req);

/* openapi.c: the contract, generated from the route table */
void	http_openapi_get(struct api_ctx *ctx, struct api_req *req);

/* qr.c: QR codes of public URLs as SVG */
void	http_qr_get(struct api_ctx *ctx, struct api_req *req);
void	http_qr_post(struct api_ctx *ctx, struct api_req *req);

/* static.c: the web clients' files */
void	http_static_root(struct api_ctx *ctx, struct api_req *req);
void	http_static_slash(struct api_ctx *ctx, struct api_req *req);
void	http_static_kiosk(struct api_ctx *ctx, struct api_req *req);
void	http_static_dashboard(struct api_ctx *ctx, struct api_req *req);
void	http_static_assets(struct api_ctx *ctx, struct api_req *req);
void	http_static_form_assets(struct api_ctx *ctx, struct api_req *req);
void	http_static_form(struct api_ctx *ctx, struct api_req *req);
void	http_static_chartjs(struct api_ctx *ctx, struct api_req *req);

#endif /* PALAUTE_ROUTES_ROUTES_H */
