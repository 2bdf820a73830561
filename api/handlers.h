/*
 * handlers.h — the route handlers named in the route table (router.c),
 * grouped by the module that implements them. Every handler ends in
 * exactly one reply (api.h), now or from a completion callback.
 */
#ifndef PALAUTE_API_HANDLERS_H
#define PALAUTE_API_HANDLERS_H

struct api_ctx;
struct api_req;

/* health.c */
void	health_live(struct api_ctx *ctx, struct api_req *req);
void	health_ready(struct api_ctx *ctx, struct api_req *req);

/* session.c */
void	session_post(struct api_ctx *ctx, struct api_req *req);
void	session_get(struct api_ctx *ctx, struct api_req *req);
void	session_delete(struct api_ctx *ctx, struct api_req *req);
void	session_password(struct api_ctx *ctx, struct api_req *req);

/* users.c */
void	users_list(struct api_ctx *ctx, struct api_req *req);
void	users_post(struct api_ctx *ctx, struct api_req *req);
void	users_get(struct api_ctx *ctx, struct api_req *req);
void	users_patch(struct api_ctx *ctx, struct api_req *req);
void	users_delete(struct api_ctx *ctx, struct api_req *req);

/* tokens.c */
void	tokens_list(struct api_ctx *ctx, struct api_req *req);
void	tokens_post(struct api_ctx *ctx, struct api_req *req);
void	tokens_delete(struct api_ctx *ctx, struct api_req *req);

/* audit.c */
void	audit_get(struct api_ctx *ctx, struct api_req *req);

/* units.c: the unit tree (GET: managers see their subtrees) */
void	units_list(struct api_ctx *ctx, struct api_req *req);
void	units_show(struct api_ctx *ctx, struct api_req *req);
void	units_post(struct api_ctx *ctx, struct api_req *req);
void	units_patch(struct api_ctx *ctx, struct api_req *req);
void	units_delete(struct api_ctx *ctx, struct api_req *req);

/* surveys.c: survey definitions and versions */
void	surveys_list(struct api_ctx *ctx, struct api_req *req);
void	surveys_show(struct api_ctx *ctx, struct api_req *req);
void	surveys_post(struct api_ctx *ctx, struct api_req *req);
void	surveys_put(struct api_ctx *ctx, struct api_req *req);

/* collectors.c: kiosks, links, invitation rounds */
void	collectors_list(struct api_ctx *ctx, struct api_req *req);
void	collectors_show(struct api_ctx *ctx, struct api_req *req);
void	collectors_post(struct api_ctx *ctx, struct api_req *req);
void	collectors_delete(struct api_ctx *ctx, struct api_req *req);

/* kiosk.c: enrollment, the kiosk's survey, batches of responses */
void	kiosk_enroll(struct api_ctx *ctx, struct api_req *req);
void	kiosk_survey(struct api_ctx *ctx, struct api_req *req);
void	kiosk_responses(struct api_ctx *ctx, struct api_req *req);

/* forms.c: the public web form and its CORS preflight */
void	forms_get(struct api_ctx *ctx, struct api_req *req);
void	forms_post(struct api_ctx *ctx, struct api_req *req);
void	forms_options(struct api_ctx *ctx, struct api_req *req);

/* results.c: results, results.csv and comments (managers: own subtrees) */
void	results_get(struct api_ctx *ctx, struct api_req *req);
void	results_get_csv(struct api_ctx *ctx, struct api_req *req);
void	comments_get(struct api_ctx *ctx, struct api_req *req);

/* metrics.c: Prometheus text format (loopback or admin) */
void	metrics_get(struct api_ctx *ctx, struct api_req *req);

/* openapi.c: the contract, generated from the route table */
void	openapi_get(struct api_ctx *ctx, struct api_req *req);

/* qr.c: QR codes of public URLs as SVG */
void	qr_get(struct api_ctx *ctx, struct api_req *req);

/* static.c: the web clients' files */
void	static_root(struct api_ctx *ctx, struct api_req *req);
void	static_slash(struct api_ctx *ctx, struct api_req *req);
void	static_kiosk(struct api_ctx *ctx, struct api_req *req);
void	static_dashboard(struct api_ctx *ctx, struct api_req *req);
void	static_assets(struct api_ctx *ctx, struct api_req *req);
void	static_form_assets(struct api_ctx *ctx, struct api_req *req);
void	static_form(struct api_ctx *ctx, struct api_req *req);
void	static_chartjs(struct api_ctx *ctx, struct api_req *req);

#endif /* PALAUTE_API_HANDLERS_H */
