/*
 * session.h — logins: POST, GET, DELETE /api/v1/session, and one's own
 * password: POST /api/v1/session/password (session.c).
 * Passwords are checked on a worker thread; an unknown user is checked
 * against a dummy hash of the same cost, so that the answer and its time
 * are those of a wrong password. Failed logins are throttled per account
 * and per client (core/throttle.h); every login, good or bad, is audited.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_ROUTES_SESSION_H
#define PALAUTE_ROUTES_SESSION_H

struct api_ctx;

/*
 * Make the dummy hash on a worker now rather than during the first login
 * of an unknown user (which would then take longer than any other).
 * Call once ac_offload is set.
 */
void	http_session_warmup(struct api_ctx *ctx);

/* The per-client throttle allows this many times the account limit:
 * an office behind one address has many users. */
#define SESSION_PEER_FACTOR	4

#endif /* PALAUTE_ROUTES_SESSION_H */
