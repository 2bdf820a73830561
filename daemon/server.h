/*
 * server.h — the HTTP front: evhttp with its limits, turning each request
 * into a struct api_req and each api reply into exactly one HTTP reply.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_SERVER_H
#define PALAUTE_SERVER_H

#include <stddef.h>

struct event_base;
struct config;
struct api_ctx;
struct server;

/* A server on base that hands requests to api; limits from cf. */
int	server_new(struct event_base *base, const struct config *cf,
	    struct api_ctx *api, struct server **out);
void	server_free(struct server *srv);	/* accepts NULL */

/*
 * Listen on "host:port" (port 0 picks a free one). The bound address is
 * written to bound (may be NULL) as "host:port".
 */
int	server_listen(struct server *srv, const char *listen, char *bound,
	    size_t boundlen);
/*
 * Take an already listening socket (systemd socket activation); made
 * non-blocking here. Its address goes to bound as server_listen() does.
 */
int	server_adopt(struct server *srv, int fd, char *bound,
	    size_t boundlen);
/* Connections open now (capped at max_connections, plus those refused). */
size_t	server_connections(const struct server *srv);

/* Apply the limits of a reloaded configuration to new requests. */
void	server_set_limits(struct server *srv, const struct config *cf);

/* Stop accepting connections; requests in flight still get replies. */
void	server_stop_accepting(struct server *srv);
/* Requests handed to the api and not yet replied to. */
size_t	server_inflight(const struct server *srv);

#endif /* PALAUTE_SERVER_H */
