/*
 * frame.c — HTTP/1.1 request framing checked before evhttp parses it
 * (see frame.h): stricter than libevent 2.1 at every step, so that
 * libevent never refuses, with a page of its own, a request passed on.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/frame.h"

/* The first allocation for a line; it grows to fr_max_head at most. */
#define FRAME_LINE_MIN	256

/*
 * The methods evhttp knows and the API may get; evhttp reads no body for
 * HEAD and TRACE. TRACE reaches the API, which answers 405 in JSON.
 * CONNECT is refused here: libevent parses its target as host:port and
 * would refuse ours itself.
 */
static const struct {
	const char	*fm_name;
	bool		 fm_no_body;
} frame_methods[] = {
	{ "GET", false }, { "HEAD", true }, { "POST", false },
	{ "PUT", false }, { "PATCH", false }, { "DELETE", false },
	{ "OPTIONS", false }, { "TRACE", true },
};

static enum frame_event
frame_refuse(struct frame *fr, enum error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum frame_event
frame_refuse(struct frame *fr, enum error_code code, const char *fmt, ...)
{
	va_list	ap;

	fr->fr_state = FRAME_REFUSED;
	fr->fr_code = code;
	va_start(ap, fmt);
	vsnprintf(fr->fr_why, sizeof(fr->fr_why), fmt, ap);
	va_end(ap);
	free(fr->fr_line);
	fr->fr_line = NULL;
	fr->fr_line_len = fr->fr_line_cap = 0;
	return FRAME_REFUSE;
}

/* A token character (RFC 9110, 5.6.2). */
static bool
frame_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

static bool
frame_token(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!frame_tchar((unsigned char)s[i]))
			return false;
	return n > 0;
}

static bool
frame_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

void
frame_init(struct frame *fr, size_t max_head, uint64_t max_body)
{
	memset(fr, 0, sizeof(*fr));
	fr->fr_max_head = max_head;
	fr->fr_max_body = max_body;
	fr->fr_state = FRAME_IN_HEAD;
}

void
frame_clear(struct frame *fr)
{
	free(fr->fr_line);
	fr->fr_line = NULL;
	fr->fr_line_len = fr->fr_line_cap = 0;
}

/* Ready for the next request's header block. */
static void
frame_next(struct frame *fr)
{
	fr->fr_head_len = 0;
	fr->fr_seen_first = false;
	fr->fr_no_body = false;
	fr->fr_has_length = false;
	fr->fr_length = 0;
	fr->fr_has_coding = false;
	/* An idle kept-alive connection holds no line buffer. */
	frame_clear(fr);
}

/*
 * The origin form (/path?query), or the absolute form (http://host/path)
 * that a server must accept too (RFC 9112, 3.2.2); libevent takes the
 * path from either. Narrower than the RFC where libevent would refuse
 * with a page of its own or read something else: no "//" opening a path
 * (libevent reads an authority there), no '#', and in the absolute form
 * a plain host name or IPv4 address with an optional port, no user
 * information and no IPv6 literal.
 */
static bool
frame_target(const char *t, size_t n)
{
	size_t	i, skip;

	if (n > 8 && strncasecmp(t, "https://", 8) == 0)
		skip = 8;
	else if (n > 7 && strncasecmp(t, "http://", 7) == 0)
		skip = 7;
	else
		skip = 0;
	if (skip > 0) {
		for (i = skip; i < n && t[i] != '/' && t[i] != '?'; i++)
			if (!((t[i] >= '0' && t[i] <= '9') ||
			    (t[i] >= 'a' && t[i] <= 'z') ||
			    (t[i] >= 'A' && t[i] <= 'Z') ||
			    t[i] == '.' || t[i] == '-' || t[i] == ':'))
				return false;
		if (i == skip)
			return false;
		if (i == n)
			return true;
		t += i;
		n -= i;
		/* "http://host?q" has an empty path: '/' is meant. */
		if (t[0] == '?')
			return memchr(t, '#', n) == NULL;
	}
	return t[0] == '/' && !(n > 1 && t[1] == '/') &&
	    memchr(t, '#', n) == NULL;
}

/* METHOD SP /path SP HTTP/1.x, each part as libevent will take it. */
static bool
frame_request_line(struct frame *fr, const char *line, size_t n)
{
	const char	*sp1, *sp2, *target, *version;
	size_t		 i, mlen, tlen, vlen;

	for (i = 0; i < n; i++)
		if (((unsigned char)line[i] < 0x20) || line[i] == 0x7f) {
			frame_refuse(fr, ERR_BAD_REQUEST, "the request line "
			    "has a control character");
			return false;
		}
	if ((sp1 = memchr(line, ' ', n)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - line))) ==
	    NULL || memchr(sp2 + 1, ' ', n - (size_t)(sp2 + 1 - line)) !=
	    NULL || sp1 == line || sp2 == sp1 + 1) {
		frame_refuse(fr, ERR_BAD_REQUEST, "the request line must be "
		    "METHOD /path HTTP/1.1, with single spaces");
		return false;
	}
	mlen = (size_t)(sp1 - line);
	target = sp1 + 1;
	tlen = (size_t)(sp2 - target);
	version = sp2 + 1;
	vlen = n - (size_t)(version - line);
	if (!frame_is(version, vlen, "HTTP/1.1") &&
	    !frame_is(version, vlen, "HTTP/1.0")) {
		frame_refuse(fr, ERR_BAD_REQUEST, "only HTTP/1.0 and "
		    "HTTP/1.1 are spoken here");
		return false;
	}
	/* Case matters in a method and a version: "http/1.1" is not one. */
	if (memcmp(version, "HTTP/", 5) != 0) {
		frame_refuse(fr, ERR_BAD_REQUEST, "only HTTP/1.0 and "
		    "HTTP/1.1 are spoken here");
		return false;
	}
	for (i = 0; i < sizeof(frame_methods) / sizeof(frame_methods[0]); i++)
		if (strlen(frame_methods[i].fm_name) == mlen &&
		    memcmp(frame_methods[i].fm_name, line, mlen) == 0)
			break;
	if (i == sizeof(frame_methods) / sizeof(frame_methods[0])) {
		if (frame_token(line, mlen) && mlen <= 32)
			frame_refuse(fr, ERR_METHOD_NOT_ALLOWED, "%.*s is not "
			    "used by the API", (int)mlen, line);
		else
			frame_refuse(fr, ERR_BAD_REQUEST, "the method is not "
			    "a token");
		return false;
	}
	fr->fr_no_body = frame_methods[i].fm_no_body;
	if (!frame_target(target, tlen)) {
		frame_refuse(fr, ERR_BAD_REQUEST, "the request target must be "
		    "a path (/...) or http://host/path, with no fragment");
		return false;
	}
	return true;
}

/* name: value, with the framing headers noted. */
static bool
frame_header(struct frame *fr, const char *line, size_t n)
{
	const char	*colon, *v, *end;
	uint64_t	 len = 0;
	size_t		 i, nlen;

	if (line[0] == ' ' || line[0] == '\t') {
		frame_refuse(fr, ERR_BAD_REQUEST, "folded header lines are "
		    "not accepted");
		return false;
	}
	if ((colon = memchr(line, ':', n)) == NULL ||
	    !frame_token(line, (size_t)(colon - line))) {
		frame_refuse(fr, ERR_BAD_REQUEST, "a header line must be "
		    "name: value, the name a token");
		return false;
	}
	nlen = (size_t)(colon - line);
	v = colon + 1;
	end = line + n;
	for (i = 0; v + i < end; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') ||
		    v[i] == 0x7f) {
			frame_refuse(fr, ERR_BAD_REQUEST, "the header %.*s has "
			    "a control character", (int)nlen, line);
			return false;
		}
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (frame_is(line, nlen, "Content-Length")) {
		/* Digits only: libevent's strtoll would take "+5" and " 5". */
		if (end == v || end - v > 15) {
			frame_refuse(fr, ERR_BAD_REQUEST, "Content-Length must "
			    "be a decimal number");
			return false;
		}
		for (; v < end; v++) {
			if (*v < '0' || *v > '9') {
				frame_refuse(fr, ERR_BAD_REQUEST, "Content-Length "
				    "must be a decimal number");
				return false;
			}
			len = len * 10 + (uint64_t)(*v - '0');
		}
		/* libevent reads the first; a second one that differs makes
		 * the body's end a matter of opinion. */
		if (fr->fr_has_length && len != fr->fr_length) {
			frame_refuse(fr, ERR_BAD_REQUEST, "two different "
			    "Content-Length headers");
			return false;
		}
		fr->fr_has_length = true;
		fr->fr_length = len;
	} else if (frame_is(line, nlen, "Transfer-Encoding"))
		fr->fr_has_coding = true;
	else if (frame_is(line, nlen, "Expect") &&
	    !frame_is(v, (size_t)(end - v), "100-continue")) {
		frame_refuse(fr, ERR_BAD_REQUEST, "the only expectation "
		    "understood is 100-continue");
		return false;
	}
	return true;
}

/* The blank line: the body's length is settled, or the request refused. */
static enum frame_event
frame_head_end(struct frame *fr)
{
	/*
	 * Bodies come with a Content-Length. Refusing chunked ones keeps
	 * libevent's lenient chunk parser (and its HTML refusals) out of
	 * reach; the web clients and the kiosk never send one.
	 */
	if (fr->fr_has_coding && fr->fr_has_length)
		return frame_refuse(fr, ERR_BAD_REQUEST, "Content-Length "
		    "together with Transfer-Encoding is ambiguous");
	/* 411 is the status for exactly this (RFC 9110, 15.5.12). */
	if (fr->fr_has_coding)
		return frame_refuse(fr, ERR_LENGTH_REQUIRED, "Transfer-Encoding "
		    "is not accepted; send the body with a Content-Length");
	/* evhttp reads no body for these: it would be the next request. */
	if (fr->fr_no_body && fr->fr_length > 0)
		return frame_refuse(fr, ERR_BAD_REQUEST, "a HEAD or TRACE "
		    "request has no body");
	if (fr->fr_length > fr->fr_max_body)
		return frame_refuse(fr, ERR_TOO_LARGE, "the body is larger "
		    "than %llu bytes", (unsigned long long)fr->fr_max_body);
	fr->fr_body_left = fr->fr_length;
	frame_next(fr);
	fr->fr_state = fr->fr_body_left > 0 ? FRAME_IN_BODY : FRAME_IN_HEAD;
	return FRAME_HEAD;
}

/* Append n bytes to the line being read; -1 when out of memory. */
static int
frame_append(struct frame *fr, const char *data, size_t n)
{
	char	*p;
	size_t	 cap;

	if (n == 0)
		return 0;	/* fr_line may be NULL yet */
	if (n > fr->fr_line_cap - fr->fr_line_len) {
		cap = fr->fr_line_cap ? fr->fr_line_cap : FRAME_LINE_MIN;
		while (cap < fr->fr_line_len + n)
			cap *= 2;
		/* fr_head_len, checked first, keeps a line below this. */
		if (cap > fr->fr_max_head + 1)
			cap = fr->fr_max_head + 1;
		if (cap < fr->fr_line_len + n ||
		    (p = realloc(fr->fr_line, cap)) == NULL)
			return -1;
		fr->fr_line = p;
		fr->fr_line_cap = cap;
	}
	memcpy(fr->fr_line + fr->fr_line_len, data, n);
	fr->fr_line_len += n;
	return 0;
}

enum frame_event
frame_feed(struct frame *fr, const char *data, size_t len, size_t *used_out)
{
	const char	*nl;
	size_t		 i, n, next;

	switch (fr->fr_state) {
	case FRAME_REFUSED:
		*used_out = len;
		return FRAME_SKIP;
	case FRAME_IN_BODY:
		n = (uint64_t)len < fr->fr_body_left ? len :
		    (size_t)fr->fr_body_left;
		fr->fr_body_left -= n;
		if (fr->fr_body_left == 0)
			fr->fr_state = FRAME_IN_HEAD;
		*used_out = n;
		return FRAME_BODY;
	case FRAME_IN_HEAD:
		break;
	}
	/* Empty lines before a request line are passed over (RFC 9112). */
	if (!fr->fr_seen_first && fr->fr_line_len == 0) {
		for (i = 0; i < len && (data[i] == '\r' || data[i] == '\n');
		    i++)
			;
		if (i > 0) {
			*used_out = i;
			return FRAME_SKIP;
		}
	}
	/* A line at a time: what is up to its LF, within the head's limit. */
	for (i = 0; i < len; i = next) {
		nl = memchr(data + i, '\n', len - i);
		n = nl != NULL ? (size_t)(nl - (data + i)) : len - i;
		next = i + n + (nl != NULL);
		if (next - i > fr->fr_max_head - fr->fr_head_len) {
			*used_out = i + (fr->fr_max_head - fr->fr_head_len) + 1;
			return frame_refuse(fr, ERR_TOO_LARGE, "the request "
			    "line and headers are larger than %zu bytes",
			    fr->fr_max_head);
		}
		fr->fr_head_len += next - i;
		if (frame_append(fr, data + i, n) != 0) {
			*used_out = next;
			return frame_refuse(fr, ERR_INTERNAL, "out of memory");
		}
		if (nl == NULL)
			break;
		/* A line: LF or CRLF ends it, as for libevent. */
		n = fr->fr_line_len;
		if (n > 0 && fr->fr_line[n - 1] == '\r')
			n--;
		fr->fr_line_len = 0;
		if (!fr->fr_seen_first) {
			if (n == 0 || !frame_request_line(fr, fr->fr_line, n)) {
				*used_out = next;
				if (fr->fr_state != FRAME_REFUSED)
					return frame_refuse(fr,
					    ERR_BAD_REQUEST, "no request line");
				return FRAME_REFUSE;
			}
			fr->fr_seen_first = true;
		} else if (n == 0) {
			*used_out = next;
			return frame_head_end(fr);
		} else if (!frame_header(fr, fr->fr_line, n)) {
			*used_out = next;
			return FRAME_REFUSE;
		}
	}
	*used_out = len;
	return FRAME_HOLD;
}
