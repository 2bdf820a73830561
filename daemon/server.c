/*
 * server.c — evhttp set-up, limits, and the bridge to the api layer. The
 * client's address is reduced here to "is it loopback" and an in-memory
 * keyed hash for throttling; the address itself goes no further.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>

#include "api/api.h"
#include "api/metrics.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/config.h"
#include "daemon/frame.h"
#include "daemon/server.h"

#define SERVER_MAX_SOCKETS	8
/* Hash buckets of open connections, found by their bufferevent. */
#define SERVER_CONN_BUCKETS	1024
/* The path of the stand-in request for a refusal: a prefix and a secret. */
#define SERVER_REFUSAL_PREFIX	"/.refused/"
#define SERVER_REFUSAL_LEN	(sizeof(SERVER_REFUSAL_PREFIX) - 1 + 32)

/*
 * The framing check of one connection, a callback on its input buffer
 * (see server_frame_cb); it goes with the server_conn.
 */
struct server_frame {
	struct frame		 sf_frame;
	struct evbuffer		*sf_hold;	/* the header block coming in */
	struct evbuffer		*sf_new;	/* scratch: bytes just read */
	struct evbuffer		*sf_checked;	/* scratch: bytes passed */
	struct evbuffer_cb_entry *sf_cb;
	bool			 sf_busy;	/* inside the callback */
	char			 sf_refusal[SERVER_REFUSAL_LEN + 1];
};

/* One open connection (see server_conn_new). */
struct server_conn {
	struct server_conn	*sc_next;	/* hash chain */
	struct server		*sc_srv;
	struct bufferevent	*sc_bev;	/* evhttp's, with a ref of ours */
	struct evhttp_connection *sc_evcon;	/* once a request came in */
	struct event		*sc_timer;	/* deadline, or refusal */
	struct server_frame	*sc_frame;	/* the framing check */
	uint64_t		 sc_deadline_ns; /* monotonic, for the request */
	bool			 sc_refused;	/* one over max_connections */
};

struct server {
	struct event_base		*srv_base;
	struct evhttp			*srv_http;
	struct api_ctx			*srv_api;
	struct evhttp_bound_socket	*srv_socks[SERVER_MAX_SOCKETS];
	size_t				 srv_nsocks;
	size_t				 srv_inflight;
	struct server_conn		*srv_conns[SERVER_CONN_BUCKETS];
	size_t				 srv_nconns;
	size_t				 srv_max_conns;
	struct timeval			 srv_deadline;
	size_t				 srv_max_head;
	uint64_t			 srv_max_body;
	/* The stand-in request's path (see server_frame_cb). */
	char				 srv_refusal[SERVER_REFUSAL_LEN + 1];
	/* Keys the in-memory hash of peer addresses; never persisted. */
	unsigned char			 srv_peer_key[crypto_shorthash_KEYBYTES];
	/* Handed to the API by server_request(); NULL once answered. */
	struct server_pending		*srv_answering;
	/* The Date header of replies, and the second it was made for. */
	char				 srv_date[sizeof("Sun, 06 Nov 1994 "
					    "08:49:37 GMT")];
	time_t				 srv_date_at;
};

/*
 * What ties an api request to its evhttp request until the reply. libevent
 * 2.1 keeps an incoming request alive until it is answered, even when the
 * client hangs up first (the request is detached from the dead connection
 * and freed by the reply), so a deferred reply never writes to freed memory.
 */
struct server_pending {
	struct server		*sp_srv;
	struct evhttp_request	*sp_evreq;
};

static const struct {
	enum evhttp_cmd_type	cmd;
	enum api_method		method;
} server_methods[] = {
	{ EVHTTP_REQ_GET, API_GET },
	{ EVHTTP_REQ_HEAD, API_HEAD },
	{ EVHTTP_REQ_POST, API_POST },
	{ EVHTTP_REQ_PUT, API_PUT },
	{ EVHTTP_REQ_PATCH, API_PATCH },
	{ EVHTTP_REQ_DELETE, API_DELETE },
	{ EVHTTP_REQ_OPTIONS, API_OPTIONS },
};

static void	server_frame_free(struct server_frame *);

static uint64_t
server_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Connections. libevent 2.1 has no cap on them, and its timeouts restart
 * with every byte, so a client that trickles a byte a second would hold a
 * connection (and a file descriptor) forever. evhttp's bevcb hook makes
 * each connection's bufferevent here, so every connection is seen as it
 * opens; a reference of ours keeps the bufferevent valid until we let go
 * of it. Each gets a timer: the whole request must arrive within
 * request_deadline of the connection's start (or of the previous reply),
 * however slowly it trickles, or the socket is shut down, which evhttp
 * sees as the peer going away and cleans up after as usual.
 *
 * A connection leaves the count when evhttp frees it (its close callback,
 * set once its first request is in) or when the timer shuts it down.
 * Until its first request is in, libevent 2.1 tells nobody when evhttp
 * frees a connection (a client that connects and leaves), so the timer
 * ticks every second meanwhile and looks: bufferevent_free() clears the
 * callbacks of a bufferevent that our reference still keeps.
 */
static struct server_conn **
server_conn_slot(struct server *srv, const struct bufferevent *bev)
{
	struct server_conn	**scp;
	uintptr_t		  h = (uintptr_t)bev;

	h ^= h >> 12;
	scp = &srv->srv_conns[(h >> 4) % SERVER_CONN_BUCKETS];
	while (*scp != NULL && (*scp)->sc_bev != bev)
		scp = &(*scp)->sc_next;
	return scp;
}

static struct server_conn *
server_conn_of(struct server *srv, struct evhttp_request *evreq)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;

	if ((evcon = evhttp_request_get_connection(evreq)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return NULL;
	return *server_conn_slot(srv, bev);
}

/* Stop counting the connection and drop our reference to it. */
static void
server_conn_forget(struct server_conn *sc)
{
	struct server_conn	**scp;
	struct server		 *srv = sc->sc_srv;

	scp = server_conn_slot(srv, sc->sc_bev);
	if (*scp == sc)
		*scp = sc->sc_next;
	srv->srv_nconns--;
	metrics_gauge_set(METRICS_OPEN_CONNECTIONS, (int64_t)srv->srv_nconns);
	event_free(sc->sc_timer);
	evbuffer_remove_cb_entry(bufferevent_get_input(sc->sc_bev),
	    sc->sc_frame->sf_cb);
	server_frame_free(sc->sc_frame);
	/* evhttp's own reference, if it still has one, keeps it alive. */
	bufferevent_decref(sc->sc_bev);
	free(sc);
}

/* Arm the timer for the deadline, or the next look, whichever is first. */
static void
server_conn_arm(struct server_conn *sc)
{
	struct timeval	tv;
	uint64_t	now = server_now_ns(), left;

	left = sc->sc_deadline_ns > now ? sc->sc_deadline_ns - now : 0;
	if (sc->sc_evcon == NULL && left > 1000000000ULL)
		left = 1000000000ULL;
	tv.tv_sec = (time_t)(left / 1000000000ULL);
	tv.tv_usec = (suseconds_t)(left % 1000000000ULL / 1000);
	evtimer_add(sc->sc_timer, &tv);
}

/* A new deadline for the request to come, from now. */
static void
server_conn_restart(struct server_conn *sc)
{
	sc->sc_deadline_ns = server_now_ns() +
	    (uint64_t)sc->sc_srv->srv_deadline.tv_sec * 1000000000ULL;
	server_conn_arm(sc);
}

/* evhttp is freeing the connection. */
static void
server_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	server_conn_forget(arg);
}

/*
 * The deadline passed, or (sc_refused) the connection is one too many:
 * answer 503 to the latter, then shut the socket down either way.
 */
static void
server_conn_close(evutil_socket_t unused, short what, void *arg)
{
#define SERVER_BUSY_BODY "{\"error\":{\"code\":\"unavailable\"," \
	    "\"message\":\"too many connections; retry\",\"field\":null}}"
	static const char	 busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: application/json\r\nRetry-After: 1\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Connection: close\r\nContent-Length: 85\r\n\r\n"
	    SERVER_BUSY_BODY;
	struct server_conn	*sc = arg;
	bufferevent_data_cb	 rcb, wcb;
	bufferevent_event_cb	 ecb;
	void			*cbarg;
	char			 sink[4096];
	evutil_socket_t		 fd;
	int			 i;

	_Static_assert(sizeof(SERVER_BUSY_BODY) - 1 == 85,
	    "Content-Length of the 503 body");
	if (!sc->sc_refused) {
		bufferevent_getcb(sc->sc_bev, &rcb, &wcb, &ecb, &cbarg);
		if (rcb == NULL && wcb == NULL && ecb == NULL) {
			/* evhttp let go of it: the client left. */
			server_conn_forget(sc);
			return;
		}
		if (server_now_ns() < sc->sc_deadline_ns) {
			server_conn_arm(sc);
			return;
		}
	}
	fd = bufferevent_getfd(sc->sc_bev);
	if (sc->sc_refused) {
		metrics_inc(METRICS_CONN_REFUSED);
		/*
		 * Read what the client sent first: closing a socket with
		 * unread data resets it, and the reset can overtake the 503.
		 */
		for (i = 0; fd != -1 && i < 16 && recv(fd, sink, sizeof(sink),
		    MSG_DONTWAIT) > 0; i++)
			;
		if (fd != -1)
			(void)send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT |
			    MSG_NOSIGNAL);
	} else {
		metrics_inc(METRICS_CONN_DEADLINE);
		log_debug("closed a connection whose request did not arrive "
		    "within %lld s", (long long)sc->sc_srv->srv_deadline.tv_sec);
	}
	if (fd != -1)
		shutdown(fd, SHUT_RDWR);
	/* Its close callback, if set, must not find it again. */
	if (sc->sc_evcon != NULL)
		evhttp_connection_set_closecb(sc->sc_evcon, NULL, NULL);
	server_conn_forget(sc);
}

/*
 * Refusals in JSON. libevent 2.1 answers a request it cannot parse (a bad
 * request line, a header line without a colon, a bad Content-Length, a
 * header block or a body over its limits, an unknown method, an Expect
 * it does not know) with an HTML page of its own, and has no hook to
 * change it (evhttp_set_errorcb is 2.2's). So the daemon checks first,
 * with daemon/frame.c, which is stricter than libevent at every step.
 *
 * The check sits on the connection's input buffer as an evbuffer
 * callback: bufferevent_socket runs it as soon as a read has added
 * bytes, before evhttp's read callback looks at them. It takes the new
 * bytes out, keeps a header block back until it is whole and has
 * passed, then puts it back for evhttp, followed by the body as it comes
 * within its Content-Length. So evhttp only ever sees whole, well-formed
 * requests. (A filter bufferevent would do the same on input, but in
 * 2.1 it reports a reply written once it is only queued on the socket's
 * bufferevent, and evhttp then shuts a closing connection down before
 * the reply has left.)
 *
 * A refused request is replaced, at its place in the stream, by a
 * request of our own: GET of a path with a secret drawn at start, and
 * Connection: close. evhttp parses it like any other, after the replies
 * to the requests before it, and server_request() answers it with the
 * refusal in the JSON envelope of DESIGN.md section 7; evhttp then closes
 * the connection. Everything after the refused request is dropped.
 *
 * What libevent may still answer on its own: nothing that came through
 * the check. A connection whose check could not be set up (out of memory
 * in server_conn_new) is served without it and gets libevent's pages,
 * and so does a reply that libevent fails to allocate.
 */
static void
server_frame_run(struct server_frame *sf, struct evbuffer *src,
    struct evbuffer *dst)
{
	struct evbuffer_iovec	 v;
	size_t			 used;

	while (evbuffer_peek(src, -1, NULL, &v, 1) > 0 && v.iov_len > 0) {
		switch (frame_feed(&sf->sf_frame, v.iov_base, v.iov_len,
		    &used)) {
		case FRAME_HOLD:
			evbuffer_remove_buffer(src, sf->sf_hold, used);
			break;
		case FRAME_HEAD:
			evbuffer_remove_buffer(src, sf->sf_hold, used);
			evbuffer_add_buffer(dst, sf->sf_hold);
			break;
		case FRAME_BODY:
			evbuffer_remove_buffer(src, dst, used);
			break;
		case FRAME_SKIP:
			evbuffer_drain(src, used);
			break;
		case FRAME_REFUSE:
			evbuffer_drain(src, evbuffer_get_length(src));
			evbuffer_drain(sf->sf_hold,
			    evbuffer_get_length(sf->sf_hold));
			evbuffer_add_printf(dst, "GET %s HTTP/1.1\r\n"
			    "Host: palaute\r\nConnection: close\r\n\r\n",
			    sf->sf_refusal);
			break;
		}
	}
}

/* Bytes were added to or taken from the connection's input. */
static void
server_frame_cb(struct evbuffer *in, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct server_frame	*sf = arg;
	size_t			 checked;

	/* Our own moves below call back here too. */
	if (sf->sf_busy || info->n_added == 0)
		return;
	sf->sf_busy = true;
	/* What is there before the new bytes passed already: evhttp's. */
	checked = evbuffer_get_length(in) - info->n_added;
	evbuffer_remove_buffer(in, sf->sf_checked, checked);
	evbuffer_add_buffer(sf->sf_new, in);
	evbuffer_add_buffer(in, sf->sf_checked);
	server_frame_run(sf, sf->sf_new, in);
	sf->sf_busy = false;
}

static void
server_frame_free(struct server_frame *sf)
{
	if (sf == NULL)
		return;
	frame_clear(&sf->sf_frame);
	if (sf->sf_hold != NULL)
		evbuffer_free(sf->sf_hold);
	if (sf->sf_new != NULL)
		evbuffer_free(sf->sf_new);
	if (sf->sf_checked != NULL)
		evbuffer_free(sf->sf_checked);
	free(sf);
}

/* The check on bev's input; NULL on failure. */
static struct server_frame *
server_frame_new(struct server *srv, struct bufferevent *bev)
{
	struct server_frame	*sf = NULL;

	if ((sf = calloc(1, sizeof(*sf))) == NULL ||
	    (sf->sf_hold = evbuffer_new()) == NULL ||
	    (sf->sf_new = evbuffer_new()) == NULL ||
	    (sf->sf_checked = evbuffer_new()) == NULL ||
	    (sf->sf_cb = evbuffer_add_cb(bufferevent_get_input(bev),
	    server_frame_cb, sf)) == NULL) {
		server_frame_free(sf);
		return NULL;
	}
	frame_init(&sf->sf_frame, srv->srv_max_head, srv->srv_max_body);
	memcpy(sf->sf_refusal, srv->srv_refusal, sizeof(sf->sf_refusal));
	return sf;
}

/* evhttp's hook for a new connection's bufferevent (no fd set yet). */
static struct bufferevent *
server_conn_new(struct event_base *base, void *arg)
{
	struct server		*srv = arg;
	struct server_conn	*sc = NULL, **scp;
	struct bufferevent	*bev = NULL;

	if ((sc = calloc(1, sizeof(*sc))) == NULL ||
	    (sc->sc_timer = evtimer_new(base, server_conn_close, sc)) ==
	    NULL ||
	    (bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (sc->sc_frame = server_frame_new(srv, bev)) == NULL)
		goto fail;
	/* Ours: valid until we let go, whenever evhttp frees it. */
	bufferevent_incref(bev);
	sc->sc_srv = srv;
	sc->sc_bev = bev;
	scp = server_conn_slot(srv, bev);
	sc->sc_next = *scp;
	*scp = sc;
	srv->srv_nconns++;
	metrics_gauge_set(METRICS_OPEN_CONNECTIONS, (int64_t)srv->srv_nconns);
	if (srv->srv_nconns > srv->srv_max_conns) {
		/* After evhttp has set the socket: in this loop iteration. */
		sc->sc_refused = true;
		event_active(sc->sc_timer, EV_TIMEOUT, 1);
	} else
		server_conn_restart(sc);
	return bev;
fail:
	/* evhttp then makes a plain bufferevent: served, but not capped
	 * and not checked. */
	if (bev != NULL)
		bufferevent_free(bev);
	if (sc != NULL && sc->sc_timer != NULL)
		event_free(sc->sc_timer);
	free(sc);
	return NULL;
}

size_t
server_connections(const struct server *srv)
{
	return srv->srv_nconns;
}

/*
 * The Date header, made once a second rather than by evhttp for every
 * reply (gmtime and a printf each time). evhttp leaves it out of replies
 * to HTTP/1.0 requests; RFC 9110 section 6.6.1 wants it in all of them.
 */
static const char *
server_date(struct server *srv)
{
	static const char	days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	months[][4] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	struct tm		tm;
	time_t			now = time(NULL);

	if (now != srv->srv_date_at && gmtime_r(&now, &tm) != NULL &&
	    tm.tm_wday >= 0 && tm.tm_wday < 7 && tm.tm_mon >= 0 &&
	    tm.tm_mon < 12 && tm.tm_year >= 0 && tm.tm_year + 1900 <= 9999) {
		/* The remainders only tell the compiler the widths. */
		snprintf(srv->srv_date, sizeof(srv->srv_date),
		    "%.3s, %02u %.3s %04u %02u:%02u:%02u GMT",
		    days[tm.tm_wday], (unsigned)tm.tm_mday % 100,
		    months[tm.tm_mon], (unsigned)(tm.tm_year + 1900) % 10000,
		    (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
		    (unsigned)tm.tm_sec % 100);
		srv->srv_date_at = now;
	}
	return srv->srv_date;
}

/*
 * Write a reply that evhttp has just queued, now. Left to evhttp, it
 * waits for the socket to be writable: an epoll_ctl to ask, a turn of
 * the loop, and one to stop asking. Written here, the write callback
 * evhttp waits for runs at once, and the asking and the stopping meet
 * in libevent's change list, where they cancel. What the socket does
 * not take, or an error, is left to the bufferevent as before. Not for
 * a reply made inside evhttp's read callback, which evhttp's own frames
 * still use: it waits for the socket.
 */
static void
server_conn_flush(struct server_conn *sc)
{
	struct evbuffer	*out = bufferevent_get_output(sc->sc_bev);
	evutil_socket_t	 fd = bufferevent_getfd(sc->sc_bev);

	if (fd == -1 || evbuffer_write(out, fd) <= 0 ||
	    evbuffer_get_length(out) != 0)
		return;
	bufferevent_trigger(sc->sc_bev, EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS);
}

static void
server_reply(struct api_req *req, struct api_resp *resp)
{
	struct server_pending	*sp = req->rq_reply_arg;
	struct server_conn	*sc;
	struct evkeyvalq	*hdrs;
	struct evbuffer		*buf = NULL;
	const char		*date;
	char			 clen[24];
	size_t			 i;
	bool			 later;

	/* Answered outside evhttp's callbacks: by a commit or a pool job. */
	if (!(later = sp->sp_srv->srv_answering != sp))
		sp->sp_srv->srv_answering = NULL;
	sp->sp_srv->srv_inflight--;
	metrics_count_request(req->rq_route, req->rq_method, resp->rs_status,
	    server_now_ns() - req->rq_start_ns);
	/* The next request on this connection has a deadline of its own. */
	if ((sc = server_conn_of(sp->sp_srv, sp->sp_evreq)) != NULL)
		server_conn_restart(sc);
	hdrs = evhttp_request_get_output_headers(sp->sp_evreq);
	if (resp->rs_ctype != NULL)
		evhttp_add_header(hdrs, "Content-Type", resp->rs_ctype);
	/*
	 * Answers and results must not linger in shared caches; only the
	 * static files (api/routes/static.c) set a policy of their own.
	 */
	for (i = 0; i < resp->rs_nheaders; i++)
		if (resp->rs_headers[i].h_name != NULL &&
		    strcasecmp(resp->rs_headers[i].h_name, "Cache-Control") == 0)
			break;
	if (i == resp->rs_nheaders)
		evhttp_add_header(hdrs, "Cache-Control", "no-store");
	evhttp_add_header(hdrs, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(hdrs, "Referrer-Policy", "no-referrer");
	if (*(date = server_date(sp->sp_srv)) != '\0')
		evhttp_add_header(hdrs, "Date", date);
	for (i = 0; i < resp->rs_nheaders; i++)
		if (resp->rs_headers[i].h_name != NULL &&
		    resp->rs_headers[i].h_value != NULL)
			evhttp_add_header(hdrs, resp->rs_headers[i].h_name,
			    resp->rs_headers[i].h_value);
	if ((buf = evbuffer_new()) == NULL) {
		evhttp_send_error(sp->sp_evreq, 500, NULL);
		goto done;
	}
	if (req->rq_method == API_HEAD) {
		/*
		 * Headers only, with the length the GET would have. evhttp
		 * adds no Content-Length to a HEAD reply but sends whatever
		 * body it is given, which a kept-alive client would read as
		 * the start of its next reply.
		 */
		if (resp->rs_status != 204 && resp->rs_status != 304) {
			snprintf(clen, sizeof(clen), "%zu", resp->rs_len);
			evhttp_add_header(hdrs, "Content-Length", clen);
		}
	} else if (resp->rs_len > 0)
		evbuffer_add(buf, resp->rs_body, resp->rs_len);
	evhttp_send_reply(sp->sp_evreq, resp->rs_status, NULL, buf);
	if (later && sc != NULL)
		server_conn_flush(sc);
done:
	evbuffer_free(buf);
	free(sp);
	api_req_free(req);
}

/*
 * The request headers the API reads, the first of each name as
 * evhttp_find_header() would give it, in one walk of the list: four
 * lookups walked it four times, comparing a byte at a time.
 */
static int
server_headers(struct evkeyvalq *hdrs, struct api_req *req)
{
	struct evkeyval	 *h;
	const char	 *ctype = NULL, *auth = NULL, *origin = NULL;
	const char	 *inm = NULL;

	TAILQ_FOREACH(h, hdrs, next) {
		switch (h->key[0]) {
		case 'C': case 'c':
			if (ctype == NULL &&
			    strcasecmp(h->key, "Content-Type") == 0)
				ctype = h->value;
			break;
		case 'A': case 'a':
			if (auth == NULL &&
			    strcasecmp(h->key, "Authorization") == 0)
				auth = h->value;
			break;
		case 'O': case 'o':
			if (origin == NULL && strcasecmp(h->key, "Origin") == 0)
				origin = h->value;
			break;
		case 'I': case 'i':
			if (inm == NULL &&
			    strcasecmp(h->key, "If-None-Match") == 0)
				inm = h->value;
			break;
		default:
			break;
		}
	}
	if ((ctype != NULL && (req->rq_ctype = strdup(ctype)) == NULL) ||
	    (auth != NULL && (req->rq_auth = strdup(auth)) == NULL) ||
	    (origin != NULL && (req->rq_origin = strdup(origin)) == NULL) ||
	    (inm != NULL && (req->rq_if_none_match = strdup(inm)) == NULL))
		return -ENOMEM;
	return 0;
}

/* Loopback or not, and a keyed hash; the address string is not kept. */
static void
server_peer(struct server *srv, struct evhttp_request *evreq,
    struct api_req *req)
{
	struct evhttp_connection	*conn;
	char				*addr = NULL;
	ev_uint16_t			 port = 0;

	conn = evhttp_request_get_connection(evreq);
	if (conn == NULL)
		return;
	evhttp_connection_get_peer(conn, &addr, &port);
	if (addr == NULL)
		return;
	req->rq_loopback = strncmp(addr, "127.", 4) == 0 ||
	    strcmp(addr, "::1") == 0 || strncmp(addr, "::ffff:127.", 11) == 0;
	crypto_shorthash((unsigned char *)&req->rq_peer_tag,
	    (const unsigned char *)addr, strlen(addr), srv->srv_peer_key);
}

static int
server_fill(struct server *srv, struct evhttp_request *evreq,
    struct api_req *req)
{
	const struct evhttp_uri	*uri;
	struct evkeyvalq	*hdrs;
	struct evbuffer		*in;
	const char		*path, *query;
	size_t			 i, len;

	for (i = 0; i < sizeof(server_methods) / sizeof(server_methods[0]);
	    i++)
		if (server_methods[i].cmd == evhttp_request_get_command(evreq))
			break;
	/* Methods the API never uses (TRACE, CONNECT) fall to 405 below. */
	req->rq_method = i < sizeof(server_methods) / sizeof(server_methods[0])
	    ? server_methods[i].method : API_METHOD_COUNT;
	uri = evhttp_request_get_evhttp_uri(evreq);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if ((req->rq_path = strdup(path != NULL && *path ? path : "/")) == NULL)
		return -ENOMEM;
	if (query != NULL && (req->rq_query = strdup(query)) == NULL)
		return -ENOMEM;
	hdrs = evhttp_request_get_input_headers(evreq);
	if (server_headers(hdrs, req) != 0)
		return -ENOMEM;
	in = evhttp_request_get_input_buffer(evreq);
	len = evbuffer_get_length(in);
	if ((req->rq_body = malloc(len + 1)) == NULL)
		return -ENOMEM;
	if (len > 0 && evbuffer_remove(in, req->rq_body, len) != (int)len)
		return -EIO;
	req->rq_body[len] = '\0';
	req->rq_body_len = len;
	server_peer(srv, evreq, req);
	req->rq_start_ns = server_now_ns();
	return 0;
}

/*
 * The client sent more, or the socket reported something (the client
 * has finished sending, an error, the idle timeout), while its request
 * waits: stop reading, where evhttp would have stopped it. What came is
 * in the input, past the framing check, for evhttp to read after the
 * reply; evhttp's own callbacks, set again for the reply, see the rest.
 */
static void
server_conn_waited(struct bufferevent *bev, void *unused)
{
	bufferevent_disable(bev, EV_READ);
}

static void
server_conn_waited_event(struct bufferevent *bev, short what, void *unused)
{
	bufferevent_disable(bev, EV_READ);
}

/*
 * The request will be answered later, by a commit or a pool job. evhttp
 * stops reading the connection meanwhile, which takes its socket out of
 * epoll, to be put back for the reply: two epoll_ctl calls, each dearer
 * than one that only changes a socket's events. A client waiting for its
 * reply sends nothing, so the connection reads on until it does, and
 * then stops as before.
 */
static void
server_conn_wait(struct server_conn *sc)
{
	bufferevent_data_cb	 rcb, wcb;
	bufferevent_event_cb	 ecb;
	void			*arg;

	bufferevent_getcb(sc->sc_bev, &rcb, &wcb, &ecb, &arg);
	bufferevent_setcb(sc->sc_bev, server_conn_waited, wcb,
	    server_conn_waited_event, arg);
	bufferevent_enable(sc->sc_bev, EV_READ);
}

static void
server_request(struct evhttp_request *evreq, void *arg)
{
	struct server		*srv = arg;
	struct server_pending	*sp = NULL;
	struct server_conn	*sc;
	struct api_req		*req = NULL;

	/* The request is in: no deadline while it is being answered. */
	if ((sc = server_conn_of(srv, evreq)) != NULL) {
		event_del(sc->sc_timer);
		sc->sc_refused = false;
		if (sc->sc_evcon == NULL) {
			sc->sc_evcon = evhttp_request_get_connection(evreq);
			evhttp_connection_set_closecb(sc->sc_evcon,
			    server_conn_closed, sc);
		}
	}
	if ((req = api_req_new()) == NULL ||
	    (sp = calloc(1, sizeof(*sp))) == NULL ||
	    server_fill(srv, evreq, req) != 0) {
		free(sp);
		api_req_free(req);
		evhttp_send_error(evreq, 500, NULL);
		return;
	}
	sp->sp_srv = srv;
	sp->sp_evreq = evreq;
	req->rq_reply = server_reply;
	req->rq_reply_arg = sp;
	srv->srv_inflight++;
	/* The stand-in for a request the framing check refused. */
	if (sc != NULL && sc->sc_frame != NULL &&
	    sc->sc_frame->sf_frame.fr_state == FRAME_REFUSED &&
	    strcmp(req->rq_path, srv->srv_refusal) == 0) {
		api_reply_errorf(req, sc->sc_frame->sf_frame.fr_code, NULL,
		    "%s", sc->sc_frame->sf_frame.fr_why);
		return;
	}
	if (req->rq_method == API_METHOD_COUNT) {
		api_reply_errorf(req, ERR_METHOD_NOT_ALLOWED, NULL,
		    "this method is not used by the API");
		return;
	}
	srv->srv_answering = sp;
	api_handle(srv->srv_api, req);
	/* Not answered yet: a commit or a pool job answers it later. */
	if (srv->srv_answering != NULL && sc != NULL)
		server_conn_wait(sc);
	srv->srv_answering = NULL;
}

void
server_set_limits(struct server *srv, const struct config *cf)
{
	/*
	 * The largest body any route takes (a kiosk batch): a larger
	 * Content-Length is refused before the body is read, and each
	 * route's smaller limit is checked in api_handle(), both in JSON.
	 */
	evhttp_set_max_body_size(srv->srv_http,
	    (ev_ssize_t)cf->cf_max_body_batch);
	/* Headers are small; a large header block is an attack. */
	evhttp_set_max_headers_size(srv->srv_http,
	    (ev_ssize_t)cf->cf_max_headers);
	/*
	 * Both are checked first by each connection's framing check, which
	 * counts a header block with its line ends (libevent does not) and
	 * refuses in JSON; evhttp's are the same numbers, so they never bite.
	 */
	srv->srv_max_body = cf->cf_max_body_batch;
	srv->srv_max_head = (size_t)cf->cf_max_headers;
	/*
	 * Idle timeout: dead kiosks on flaky Wi-Fi go away. libevent 2.1 has
	 * one for both directions, so the longer of the two keys applies.
	 */
	evhttp_set_timeout(srv->srv_http, (int)(cf->cf_read_timeout >
	    cf->cf_write_timeout ? cf->cf_read_timeout : cf->cf_write_timeout));
	/* The idle timeout restarts with every byte; this one does not. */
	srv->srv_deadline.tv_sec = (time_t)cf->cf_request_deadline;
	srv->srv_deadline.tv_usec = 0;
	/* Connections past the cap get a 503 and are closed. */
	srv->srv_max_conns = (size_t)cf->cf_max_connections;
	metrics_gauge_set(METRICS_MAX_CONNECTIONS, cf->cf_max_connections);
}

int
server_new(struct event_base *base, const struct config *cf,
    struct api_ctx *api, struct server **out)
{
	struct server	*srv = NULL;
	unsigned char	 secret[16];
	int		 ret = -1;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	srv->srv_base = base;
	srv->srv_api = api;
	randombytes_buf(srv->srv_peer_key, sizeof(srv->srv_peer_key));
	/* A client cannot send the stand-in for a refusal: it cannot guess
	 * the path. */
	randombytes_buf(secret, sizeof(secret));
	memcpy(srv->srv_refusal, SERVER_REFUSAL_PREFIX,
	    sizeof(SERVER_REFUSAL_PREFIX) - 1);
	sodium_bin2hex(srv->srv_refusal + sizeof(SERVER_REFUSAL_PREFIX) - 1,
	    sizeof(srv->srv_refusal) - (sizeof(SERVER_REFUSAL_PREFIX) - 1),
	    secret, sizeof(secret));
	if ((srv->srv_http = evhttp_new(base)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	/* Every method reaches our callback, which answers 405 in JSON. */
	evhttp_set_allowed_methods(srv->srv_http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(srv->srv_http, server_request, srv);
	evhttp_set_bevcb(srv->srv_http, server_conn_new, srv);
	server_set_limits(srv, cf);
	*out = srv;
	srv = NULL;
	ret = 0;
done:
	server_free(srv);
	return ret;
}

void
server_free(struct server *srv)
{
	struct server_conn	*sc;
	size_t			 i;

	if (srv == NULL)
		return;
	if (srv->srv_http != NULL)
		evhttp_free(srv->srv_http);
	/* Connections that never had a request in: evhttp_free() is done. */
	for (i = 0; i < SERVER_CONN_BUCKETS; i++)
		while ((sc = srv->srv_conns[i]) != NULL)
			server_conn_forget(sc);
	sodium_memzero(srv->srv_peer_key, sizeof(srv->srv_peer_key));
	free(srv);
}

static int	server_sockname(int, char *, size_t);

static int
server_split(const char *listen, char *host, size_t hostlen, uint16_t *port)
{
	const char	*colon;
	long long	 p;
	size_t		 n;

	if ((colon = strrchr(listen, ':')) == NULL)
		return -EINVAL;
	n = (size_t)(colon - listen);
	/* "[::1]:8080" */
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n == 0 || n >= hostlen)
		return -EINVAL;
	memcpy(host, listen, n);
	host[n] = '\0';
	if (util_parse_ll(colon + 1, 0, 65535, &p) != 0)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

static int
server_add(struct server *srv, struct evhttp_bound_socket *bs)
{
	if (srv->srv_nsocks == SERVER_MAX_SOCKETS)
		return -ENOSPC;
	srv->srv_socks[srv->srv_nsocks++] = bs;
	return 0;
}

/*
 * evhttp listens with a queue of 128. Connections that arrive while the
 * loop is busy wait there; past it the kernel drops their SYNs, and such
 * a client tries again only after a second or more, so a burst (clients
 * reconnecting at once after a deadline cut them) made others wait that
 * long. Linux takes a new backlog on a listening socket and caps it at
 * net.core.somaxconn. The socket unit sets its own (Backlog=).
 */
static int
server_backlog(int fd)
{
	return listen(fd, SOMAXCONN) == -1 ? -errno : 0;
}

int
server_listen(struct server *srv, const char *listen, char *bound,
    size_t boundlen)
{
	struct evhttp_bound_socket	*bs;
	char				 host[256];
	uint16_t			 port;
	int				 rc;

	if (server_split(listen, host, sizeof(host), &port) != 0) {
		log_warnx("listen: '%s' is not host:port", listen);
		return -EINVAL;
	}
	bs = evhttp_bind_socket_with_handle(srv->srv_http, host, port);
	if (bs == NULL) {
		log_warn("listen on %s", listen);
		return -EADDRNOTAVAIL;
	}
	if (server_backlog(evhttp_bound_socket_get_fd(bs)) != 0)
		log_warn("listen on %s: backlog", listen);
	if ((rc = server_add(srv, bs)) != 0)
		return rc;
	if (bound == NULL)
		return 0;
	return server_sockname(evhttp_bound_socket_get_fd(bs), bound, boundlen);
}

/* "host:port" of a listening socket, for the log. */
static int
server_sockname(int fd, char *bound, size_t boundlen)
{
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof(ss);
	char				 addr[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		return -errno;
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return util_snprintf(bound, boundlen, "fd%d", fd);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		return util_snprintf(bound, boundlen, "[%s]:%u", addr,
		    ntohs(s6->sin6_port));
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr,
	    sizeof(addr));
	return util_snprintf(bound, boundlen, "%s:%u", addr,
	    ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

int
server_adopt(struct server *srv, int fd, char *bound, size_t boundlen)
{
	struct evhttp_bound_socket	*bs;
	int				 fl, rc;

	/* systemd passes blocking sockets; accept() must never block. */
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -errno;
	if ((bs = evhttp_accept_socket_with_handle(srv->srv_http, fd)) == NULL)
		return -EINVAL;
	if ((rc = server_add(srv, bs)) != 0)
		return rc;
	if (bound == NULL)
		return 0;
	return server_sockname(fd, bound, boundlen);
}

void
server_stop_accepting(struct server *srv)
{
	size_t	i;

	for (i = 0; i < srv->srv_nsocks; i++)
		evhttp_del_accept_socket(srv->srv_http, srv->srv_socks[i]);
	srv->srv_nsocks = 0;
}

size_t
server_inflight(const struct server *srv)
{
	return srv->srv_inflight;
}
