/*
 * test_frame.c — the request framing checked before evhttp parses it
 * (daemon/frame.h): what passes, what is refused with which code, and
 * that the answer never depends on how the bytes were split into reads.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/frame.h"

#define MAX_HEAD	1024
#define MAX_BODY	100

/* What a connection's bytes came to, one letter per event. */
struct trace {
	char		tr_events[64];	/* H head, B body, R refuse */
	size_t		tr_nevents;
	size_t		tr_body;	/* body bytes handed on */
	size_t		tr_skipped;
	enum error_code	tr_code;
	char		tr_why[160];
};

/*
 * Feed text in reads of at most chunk bytes (0: all at once) and note
 * the events; consecutive ones of a kind count once, as a body handed on
 * in three reads is still one body.
 */
static void
feed(const char *text, size_t len, size_t chunk, struct trace *tr)
{
	struct frame		 fr;
	enum frame_event	 ev;
	size_t			 off = 0, n, used;
	char			 c;

	memset(tr, 0, sizeof(*tr));
	frame_init(&fr, MAX_HEAD, MAX_BODY);
	while (off < len) {
		n = chunk == 0 || len - off < chunk ? len - off : chunk;
		while (n > 0) {
			ev = frame_feed(&fr, text + off, n, &used);
			assert_true(used >= 1 && used <= n);
			c = 0;
			switch (ev) {
			case FRAME_HOLD:
				break;
			case FRAME_HEAD:
				c = 'H';
				break;
			case FRAME_BODY:
				tr->tr_body += used;
				c = 'B';
				break;
			case FRAME_SKIP:
				tr->tr_skipped += used;
				break;
			case FRAME_REFUSE:
				c = 'R';
				tr->tr_code = fr.fr_code;
				snprintf(tr->tr_why, sizeof(tr->tr_why), "%s",
				    fr.fr_why);
				break;
			}
			if (c != 0 && (tr->tr_nevents == 0 ||
			    tr->tr_events[tr->tr_nevents - 1] != c ||
			    c != 'B')) {
				assert_true(tr->tr_nevents + 1 <
				    sizeof(tr->tr_events));
				tr->tr_events[tr->tr_nevents++] = c;
			}
			off += used;
			n -= used;
		}
	}
	frame_clear(&fr);
}

/* The same bytes in one read, byte by byte and in reads of 7. */
static void
feed_all_ways(const char *text, const char *events, enum error_code code)
{
	static const size_t	 chunks[] = { 0, 1, 7 };
	struct trace		 tr;
	size_t			 i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		feed(text, strlen(text), chunks[i], &tr);
		if (strcmp(tr.tr_events, events) != 0)
			fail_msg("chunk %zu: events %s, expected %s (%s) "
			    "for %s", chunks[i], tr.tr_events, events,
			    tr.tr_why, text);
		if (strchr(events, 'R') != NULL)
			assert_int_equal(tr.tr_code, code);
	}
}

static void
test_plain_requests_pass(void **state)
{
	struct trace	tr;

	(void)state;
	feed_all_ways("GET /api/v1/session HTTP/1.1\r\nHost: x\r\n\r\n",
	    "H", ERR_NONE);
	/* LF alone ends a line, as for libevent. */
	feed_all_ways("GET / HTTP/1.0\nHost: x\n\n", "H", ERR_NONE);
	/* Blank lines before a request are passed over (RFC 9112, 2.2). */
	feed("\r\n\r\nGET / HTTP/1.1\r\n\r\n", 22, 0, &tr);
	assert_string_equal(tr.tr_events, "H");
	assert_int_equal(tr.tr_skipped, 4);
	/* Every method the API may get. */
	feed_all_ways("OPTIONS /x HTTP/1.1\r\n\r\n", "H", ERR_NONE);
	feed_all_ways("DELETE /x HTTP/1.1\r\n\r\n", "H", ERR_NONE);
	feed_all_ways("PATCH /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "H",
	    ERR_NONE);
}

static void
test_bodies_and_pipelining(void **state)
{
	struct trace	tr;
	const char	*two = "POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
	    "hello"
	    "POST /f HTTP/1.1\r\ncontent-length:  3 \r\n\r\nabc"
	    "GET / HTTP/1.1\r\n\r\n";

	(void)state;
	feed_all_ways(two, "HBHBH", ERR_NONE);
	feed(two, strlen(two), 1, &tr);
	assert_int_equal(tr.tr_body, 8);
	/* The same length twice is one length. */
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: 2\r\n"
	    "Content-Length: 2\r\n\r\nok", "HB", ERR_NONE);
	/* A body's bytes are not read as a request line. */
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: 4\r\n\r\n\r\n\r\n"
	    "GET / HTTP/1.1\r\n\r\n", "HBH", ERR_NONE);
	/* At the limit, not over it. */
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: 100\r\n\r\n", "H",
	    ERR_NONE);
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: 101\r\n\r\n", "R",
	    ERR_TOO_LARGE);
}

static void
test_smuggling_refused(void **state)
{
	(void)state;
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\nhello!", "R", ERR_BAD_REQUEST);
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\nhello", "R", ERR_BAD_REQUEST);
	feed_all_ways("POST /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n5\r\nhello\r\n0\r\n\r\n", "R", ERR_LENGTH_REQUIRED);
	/* What strtoll would take and a strict reader would not. */
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
	    "R", ERR_BAD_REQUEST);
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nhello",
	    "R", ERR_BAD_REQUEST);
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length:\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("POST /f HTTP/1.1\r\nContent-Length: "
	    "1234567890123456\r\n\r\n", "R", ERR_BAD_REQUEST);
	/* evhttp reads no body after HEAD: it would be the next request. */
	feed_all_ways("HEAD / HTTP/1.1\r\nContent-Length: 18\r\n\r\n"
	    "GET / HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("HEAD / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "H",
	    ERR_NONE);
	/* Folded lines hide a header from one reader and not another. */
	feed_all_ways("POST /f HTTP/1.1\r\nX-A: 1\r\n Content-Length: 5\r\n"
	    "\r\n", "R", ERR_BAD_REQUEST);
}

static void
test_request_line(void **state)
{
	(void)state;
	feed_all_ways("GET  / HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET / HTTP/1.1 \r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET /\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET / HTTP/2.0\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET / http/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET /a\tb HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET /a\x7f HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("BREW / HTTP/1.1\r\n\r\n", "R",
	    ERR_METHOD_NOT_ALLOWED);
	feed_all_ways("get / HTTP/1.1\r\n\r\n", "R", ERR_METHOD_NOT_ALLOWED);
	feed_all_ways("G(T / HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("CONNECT / HTTP/1.1\r\n\r\n", "R",
	    ERR_METHOD_NOT_ALLOWED);
	feed_all_ways("GET * HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET //evil/x HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET /a#b HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET a HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
}

/* A server must accept the absolute form too (RFC 9112, 3.2.2). */
static void
test_absolute_form(void **state)
{
	(void)state;
	feed_all_ways("GET http://palaute.example/healthz HTTP/1.1\r\n\r\n",
	    "H", ERR_NONE);
	feed_all_ways("GET HTTPS://127.0.0.1:8080/f/x?a=1 HTTP/1.1\r\n\r\n",
	    "H", ERR_NONE);
	feed_all_ways("GET http://palaute.example HTTP/1.1\r\n\r\n", "H",
	    ERR_NONE);
	feed_all_ways("GET http://palaute.example?a=1 HTTP/1.1\r\n\r\n",
	    "H", ERR_NONE);
	feed_all_ways("GET http:// HTTP/1.1\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET http:///x HTTP/1.1\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET http://u@h/x HTTP/1.1\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET http://[::1]/x HTTP/1.1\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET http://h//x HTTP/1.1\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET http://h/x#y HTTP/1.1\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET ftp://h/x HTTP/1.1\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
}

static void
test_headers(void **state)
{
	(void)state;
	feed_all_ways("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET / HTTP/1.1\r\nBad name: x\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET / HTTP/1.1\r\n: x\r\n\r\n", "R", ERR_BAD_REQUEST);
	feed_all_ways("GET / HTTP/1.1\r\nX-A: a\x01" "b\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
	feed_all_ways("GET / HTTP/1.1\r\nX-A: tab\tinside\r\n\r\n", "H",
	    ERR_NONE);
	feed_all_ways("POST /f HTTP/1.1\r\nExpect: 100-continue\r\n"
	    "Content-Length: 1\r\n\r\nx", "HB", ERR_NONE);
	feed_all_ways("POST /f HTTP/1.1\r\nExpect: magic\r\n\r\n", "R",
	    ERR_BAD_REQUEST);
}

static void
test_head_limit(void **state)
{
	char	buf[MAX_HEAD + 64];
	int	n;

	(void)state;
	/* Exactly at the limit passes; one byte more is 413. */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nX-Pad: ");
	memset(buf + n, 'a', MAX_HEAD - (size_t)n - 4);
	memcpy(buf + MAX_HEAD - 4, "\r\n\r\n", 5);
	assert_int_equal(strlen(buf), MAX_HEAD);
	feed_all_ways(buf, "H", ERR_NONE);
	memset(buf + n, 'a', MAX_HEAD - (size_t)n - 3);
	memcpy(buf + MAX_HEAD - 3, "\r\n\r\n", 5);
	feed_all_ways(buf, "R", ERR_TOO_LARGE);
	/* A request line with no end is cut at the limit too. */
	memset(buf, 'a', sizeof(buf) - 1);
	memcpy(buf, "GET /", 5);
	buf[sizeof(buf) - 1] = '\0';
	feed_all_ways(buf, "R", ERR_TOO_LARGE);
}

static void
test_refused_stays_refused(void **state)
{
	struct trace	 tr;
	const char	*text = "GET / HTTP/9.9\r\n\r\nGET / HTTP/1.1\r\n\r\n";

	(void)state;
	/* Nothing after a refusal is read as a request: the connection
	 * closes after the error, whatever the client sent behind it. */
	feed(text, strlen(text), 3, &tr);
	assert_string_equal(tr.tr_events, "R");
	assert_true(tr.tr_skipped > 0);
	assert_non_null(strstr(tr.tr_why, "HTTP/1.1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_requests_pass),
		cmocka_unit_test(test_bodies_and_pipelining),
		cmocka_unit_test(test_smuggling_refused),
		cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_absolute_form),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_head_limit),
		cmocka_unit_test(test_refused_stays_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
