/*
 * frame.c — fuzz target: the request framing checked before evhttp
 * parses it (daemon/frame.h), on the raw bytes of a connection.
 *
 * Properties: each call uses between 1 and all of the bytes it is given;
 * the events a connection's bytes come to do not depend on how they were
 * split into reads, nor does the place of a refusal (the first input byte
 * picks a second split to compare with reading everything at once); no more body bytes are handed on than
 * the Content-Lengths that passed allowed; once a request is refused,
 * every later byte is skipped.
 */
#include <config.h>

#include <string.h>

#include "daemon/frame.h"
#include "fuzz/fuzz.h"

#define FUZZ_MAX_HEAD	512
#define FUZZ_MAX_BODY	64

struct fuzz_trace {
	size_t		ft_heads;
	uint64_t	ft_allowed;	/* body bytes the heads announced */
	uint64_t	ft_body;
	size_t		ft_refused_at;	/* offset after the refusal, or 0 */
	enum error_code	ft_code;
};

static void
fuzz_run(const uint8_t *data, size_t size, size_t chunk,
    struct fuzz_trace *ft)
{
	struct frame		 fr;
	enum frame_event	 ev;
	size_t			 off = 0, n, used;

	memset(ft, 0, sizeof(*ft));
	frame_init(&fr, FUZZ_MAX_HEAD, FUZZ_MAX_BODY);
	while (off < size) {
		n = size - off < chunk ? size - off : chunk;
		ev = frame_feed(&fr, (const char *)data + off, n, &used);
		FUZZ_CHECK(used >= 1 && used <= n);
		if (ft->ft_refused_at != 0)
			FUZZ_CHECK(ev == FRAME_SKIP);
		switch (ev) {
		case FRAME_HEAD:
			ft->ft_heads++;
			ft->ft_allowed += fr.fr_body_left;
			FUZZ_CHECK(fr.fr_body_left <= FUZZ_MAX_BODY);
			break;
		case FRAME_BODY:
			ft->ft_body += used;
			FUZZ_CHECK(ft->ft_body <= ft->ft_allowed);
			break;
		case FRAME_REFUSE:
			ft->ft_refused_at = off + used;
			ft->ft_code = fr.fr_code;
			FUZZ_CHECK(fr.fr_why[0] != '\0');
			break;
		case FRAME_HOLD:
		case FRAME_SKIP:
			break;
		}
		off += used;
	}
	frame_clear(&fr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_trace	whole, split;
	size_t			chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 16 + 1;
	data++;
	size--;
	fuzz_run(data, size, size > 0 ? size : 1, &whole);
	fuzz_run(data, size, chunk, &split);
	FUZZ_CHECK(whole.ft_heads == split.ft_heads);
	FUZZ_CHECK(whole.ft_body == split.ft_body);
	FUZZ_CHECK(whole.ft_refused_at == split.ft_refused_at);
	FUZZ_CHECK(whole.ft_code == split.ft_code);
	return 0;
}
