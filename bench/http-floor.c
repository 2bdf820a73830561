/*
 * http-floor.c — what HTTP alone costs a request on this machine, two
 * ways: evhttp, as palauted serves, and a bare bufferevent responder that
 * does no more than find where a request ends. bench/run-intake runs
 * wrk with the benchmark's bodies against each and prints their CPU per
 * request beside palauted's no-work route, so that a reader sees how much
 * of a durable submission's CPU is evhttp's, and how much an HTTP layer
 * of our own could take off at most.
 *
 *   http-floor -m evhttp|bare [-p PORT]
 *
 * Listens on 127.0.0.1:PORT (0, the default: any free port, printed as
 * "listening on http://127.0.0.1:PORT/") and answers every request 204
 * with the headers palauted sends on every reply (Cache-Control,
 * X-Content-Type-Options, Referrer-Policy, and Date). The bare responder
 * checks nothing that an HTTP server must (it reads Content-Length and
 * skips the body): its figure is a floor for a real layer, which would
 * add the framing checks of daemon/frame.c (about 3 000 instructions a
 * request by callgrind) and its own limits. Not a server: it runs until
 * it is killed.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "common/util.h"

#define FLOOR_MAX_HEAD	8192

/* The reply's Date, formatted again when the second changes. */
static char	floor_date[40];
static time_t	floor_date_at = -1;

static const char *
floor_now(void)
{
	time_t		now = time(NULL);
	struct tm	tm;

	if (now != floor_date_at && gmtime_r(&now, &tm) != NULL) {
		strftime(floor_date, sizeof(floor_date),
		    "%a, %d %b %Y %H:%M:%S GMT", &tm);
		floor_date_at = now;
	}
	return floor_date;
}

static void
floor_evhttp_cb(struct evhttp_request *req, void *arg)
{
	struct evkeyvalq	*hdrs = evhttp_request_get_output_headers(req);
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);

	(void)arg;
	evbuffer_drain(in, evbuffer_get_length(in));
	evhttp_add_header(hdrs, "Cache-Control", "no-store");
	evhttp_add_header(hdrs, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(hdrs, "Referrer-Policy", "no-referrer");
	evhttp_send_reply(req, 204, NULL, NULL);
}

/* The Content-Length of the head at h (len bytes), 0 when none. */
static size_t
floor_clen(const char *h, size_t len)
{
	static const char	 name[] = "\r\ncontent-length:";
	size_t			 i;

	for (i = 0; i + sizeof(name) - 1 <= len; i++)
		if (strncasecmp(h + i, name, sizeof(name) - 1) == 0)
			return (size_t)strtoul(h + i + sizeof(name) - 1, NULL,
			    10);
	return 0;
}

static void
floor_bare_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer		*out = bufferevent_get_output(bev);
	struct evbuffer_ptr	 end;
	const char		*head;
	size_t			 hlen, clen;

	(void)arg;
	for (;;) {
		end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		if (end.pos < 0) {
			if (evbuffer_get_length(in) > FLOOR_MAX_HEAD)
				bufferevent_free(bev);
			return;
		}
		hlen = (size_t)end.pos + 4;
		if ((head = (const char *)evbuffer_pullup(in,
		    (ev_ssize_t)hlen)) == NULL) {
			bufferevent_free(bev);
			return;
		}
		clen = floor_clen(head, hlen);
		if (evbuffer_get_length(in) < hlen + clen)
			return;
		evbuffer_drain(in, hlen + clen);
		evbuffer_add_printf(out, "HTTP/1.1 204 No Content\r\n"
		    "Cache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n"
		    "Referrer-Policy: no-referrer\r\n"
		    "Date: %s\r\n\r\n", floor_now());
	}
}

static void
floor_bare_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	(void)arg;
	bufferevent_free(bev);
}

static void
floor_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bufferevent	*bev;

	(void)l;
	(void)sa;
	(void)salen;
	if ((bev = bufferevent_socket_new(arg, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, floor_bare_read, NULL, floor_bare_event, NULL);
	bufferevent_enable(bev, EV_READ);
}

static void
floor_usage(void)
{
	fprintf(stderr, "usage: http-floor -m evhttp|bare [-p PORT]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct event_base		*base;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct evconnlistener		*lst;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof(sin);
	const char			*mode = NULL;
	long long			 port = 0;
	evutil_socket_t			 fd;
	int				 ch;

	while ((ch = getopt(argc, argv, "m:p:")) != -1) {
		switch (ch) {
		case 'm':
			mode = optarg;
			break;
		case 'p':
			if (util_parse_ll(optarg, 0, 65535, &port) != 0)
				floor_usage();
			break;
		default:
			floor_usage();
		}
	}
	if (mode == NULL || optind != argc ||
	    (strcmp(mode, "evhttp") != 0 && strcmp(mode, "bare") != 0))
		floor_usage();
	if ((base = event_base_new()) == NULL) {
		fprintf(stderr, "http-floor: event_base_new failed\n");
		return 1;
	}
	if (strcmp(mode, "evhttp") == 0) {
		if ((http = evhttp_new(base)) == NULL ||
		    (bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
		    (ev_uint16_t)port)) == NULL) {
			fprintf(stderr, "http-floor: cannot listen\n");
			return 1;
		}
		evhttp_set_gencb(http, floor_evhttp_cb, NULL);
		fd = evhttp_bound_socket_get_fd(bound);
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((lst = evconnlistener_new_bind(base, floor_accept, base,
		    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, SOMAXCONN,
		    (struct sockaddr *)&sin, sizeof(sin))) == NULL) {
			fprintf(stderr, "http-floor: cannot listen: %s\n",
			    strerror(errno));
			return 1;
		}
		fd = evconnlistener_get_fd(lst);
	}
	if (getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
		fprintf(stderr, "http-floor: getsockname: %s\n",
		    strerror(errno));
		return 1;
	}
	printf("listening on http://127.0.0.1:%u/\n", ntohs(sin.sin_port));
	fflush(stdout);
	event_base_dispatch(base);
	return 0;
}
