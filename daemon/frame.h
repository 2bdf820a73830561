/*
 * frame.h — the framing of HTTP/1.1 requests, checked on the bytes as
 * they arrive, before evhttp parses them: the request line, the header
 * block and the body's length. A request that passes here is one that
 * libevent 2.1's parser takes without a word (it is stricter than
 * libevent everywhere); one that does not gets the daemon's JSON error
 * (daemon/server.c) instead of libevent's HTML page. No I/O, no libevent.
 *
 * Return convention: as each function says.
 */
#ifndef PALAUTE_FRAME_H
#define PALAUTE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* What the bytes frame_feed() used are. */
enum frame_event {
	FRAME_HOLD,	/* part of a header block not yet complete: keep */
	FRAME_HEAD,	/* the end of a header block that passed: hand the
			 * block (and what was kept of it) on */
	FRAME_BODY,	/* body bytes within the Content-Length: hand on */
	FRAME_SKIP,	/* blank lines before a request, or anything after
			 * a refusal: drop */
	FRAME_REFUSE	/* the request is refused (fr_code, fr_why): drop
			 * what was kept; every later byte is FRAME_SKIP */
};

enum frame_state { FRAME_IN_HEAD, FRAME_IN_BODY, FRAME_REFUSED };

struct frame {
	/* Limits, as frame_init() got them. */
	size_t		 fr_max_head;	/* request line and headers, bytes */
	uint64_t	 fr_max_body;	/* the largest Content-Length */

	enum frame_state fr_state;
	size_t		 fr_head_len;	/* bytes of this header block so far */
	uint64_t	 fr_body_left;
	char		*fr_line;	/* the line being read (malloc()ed) */
	size_t		 fr_line_len;
	size_t		 fr_line_cap;
	bool		 fr_seen_first;	/* the request line is in */
	bool		 fr_no_body;	/* HEAD, TRACE: evhttp reads none */
	bool		 fr_has_length;
	uint64_t	 fr_length;
	bool		 fr_has_coding;	/* Transfer-Encoding */

	/* Why the request was refused, once fr_state is FRAME_REFUSED. */
	enum error_code	 fr_code;	/* bad_request, method_not_allowed,
					 * length_required, too_large */
	char		 fr_why[160];
};

/* A framer for one connection. frame_clear() frees what it holds. */
void	frame_init(struct frame *fr, size_t max_head, uint64_t max_body);
void	frame_clear(struct frame *fr);

/*
 * Look at up to len bytes of the connection's input from where the last
 * call stopped: *used_out (1 to len, when len > 0) of them are of the
 * returned kind; call again with the rest. Never fails otherwise; out of
 * memory refuses the request.
 */
enum frame_event frame_feed(struct frame *fr, const char *data, size_t len,
	    size_t *used_out);

#endif /* PALAUTE_FRAME_H */
