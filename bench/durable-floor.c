/*
 * durable-floor.c — the least a durable submission costs on this machine
 * with palauted's parts: evhttp, the body read into a jansson value as
 * palauted reads it (codec_load(), jansson where that declines), sealed
 * with XChaCha20-Poly1305 and put in one LMDB tree under a key of (day,
 * a tag drawn once per commit, random bytes), committed in groups by a
 * writer thread with the flags DESIGN.md §6 allows (two syncs a commit),
 * and a 201 only after the commit. That is the server the intake issue
 * measured beside palauted. What palauted does on top (the answers
 * checked against the survey and texts scrubbed, the release rule's cells
 * and comments, idempotency, a child transaction per response so that
 * one bad response undoes nothing of the others, three more trees written
 * per commit) is the difference between the two. bench/run-intake runs
 * wrk against it as against palauted and prints both.
 *
 *   durable-floor -d DIR [-p PORT]
 *
 * The store goes in DIR, an empty directory that the caller removes.
 * Listens on 127.0.0.1:PORT (0, the default: any free port, printed as
 * "listening on http://127.0.0.1:PORT/"), answers a POST whose body is a
 * JSON object 201 once it is committed, anything else 400. Not a server:
 * it runs until it is killed.
 */
#include <config.h>

#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <jansson.h>
#include <lmdb.h>
#include <sodium.h>

#include "common/codec.h"
#include "common/util.h"

#define DURABLE_BODY_MAX	(64 << 10)
/* palauted's response key: day, commit tag, random bytes. */
#define DURABLE_KEY_LEN		16
#define DURABLE_NONCE		crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define DURABLE_TAG		crypto_aead_xchacha20poly1305_ietf_ABYTES
#define DURABLE_KEYBYTES	crypto_aead_xchacha20poly1305_ietf_KEYBYTES
/* As palauted's reply to a stored response: {id, duplicate}. */
#define DURABLE_REPLY	"{\"id\":\"00000000-0000-4000-8000-000000000000\"," \
			"\"duplicate\":false}"

struct durable_job {
	STAILQ_ENTRY(durable_job)	 dj_entry;
	struct evhttp_request		*dj_req;
	int				 dj_rc;
	size_t				 dj_len;
	unsigned char			 dj_body[];
};
STAILQ_HEAD(durable_list, durable_job);

struct durable {
	pthread_mutex_t		 d_lock;
	pthread_cond_t		 d_cond;
	struct durable_list	 d_queue;	/* for the writer */
	struct durable_list	 d_done;	/* committed, for the loop */
	struct event		*d_done_ev;
	MDB_env			*d_env;
	MDB_dbi			 d_dbi;
	unsigned char		 d_key[DURABLE_KEYBYTES];
};

/*
 * The headers palauted sends, with a Date made once a second as palauted
 * makes it (evhttp would format one for every reply).
 */
static void
durable_headers(struct evhttp_request *req)
{
	static char		 date[40];
	static time_t		 date_at = -1;
	struct evkeyvalq	*hdrs = evhttp_request_get_output_headers(req);
	struct tm		 tm;
	time_t			 now = time(NULL);

	if (now != date_at && gmtime_r(&now, &tm) != NULL &&
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT",
	    &tm) != 0)
		date_at = now;
	if (date_at != -1)
		evhttp_add_header(hdrs, "Date", date);
	evhttp_add_header(hdrs, "Content-Type", "application/json");
	evhttp_add_header(hdrs, "Cache-Control", "no-store");
	evhttp_add_header(hdrs, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(hdrs, "Referrer-Policy", "no-referrer");
}

/* The body as palauted reads it: in one pass, or jansson's way. */
static json_t *
durable_parse(const unsigned char *text, size_t len)
{
	json_t		*v = NULL;
	json_error_t	 jerr;
	int		 rc;

	if ((rc = codec_load((const char *)text, len, &v)) == -EAGAIN)
		v = json_loadb((const char *)text, len,
		    JSON_REJECT_DUPLICATES, &jerr);
	else if (rc != 0)
		v = NULL;
	return v;
}

/* The event loop: parse, queue for the writer. */
static void
durable_request(struct evhttp_request *req, void *arg)
{
	struct durable		*d = arg;
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct durable_job	*j = NULL;
	json_t			*body = NULL;
	size_t			 len = evbuffer_get_length(in);

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST ||
	    len > DURABLE_BODY_MAX ||
	    (j = malloc(sizeof(*j) + len)) == NULL ||
	    evbuffer_remove(in, j->dj_body, len) != (int)len ||
	    (body = durable_parse(j->dj_body, len)) == NULL ||
	    !json_is_object(body)) {
		json_decref(body);
		free(j);
		durable_headers(req);
		evhttp_send_reply(req, 400, "Bad Request", NULL);
		return;
	}
	json_decref(body);
	j->dj_req = req;
	j->dj_len = len;
	j->dj_rc = 0;
	pthread_mutex_lock(&d->d_lock);
	STAILQ_INSERT_TAIL(&d->d_queue, j, dj_entry);
	pthread_cond_signal(&d->d_cond);
	pthread_mutex_unlock(&d->d_lock);
}

/* The event loop: reply to what the writer committed. */
static void
durable_done(evutil_socket_t fd, short what, void *arg)
{
	struct durable		*d = arg;
	struct durable_list	 done = STAILQ_HEAD_INITIALIZER(done);
	struct durable_job	*j;
	struct evbuffer		*buf;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&d->d_lock);
	STAILQ_CONCAT(&done, &d->d_done);
	pthread_mutex_unlock(&d->d_lock);
	while ((j = STAILQ_FIRST(&done)) != NULL) {
		STAILQ_REMOVE_HEAD(&done, dj_entry);
		durable_headers(j->dj_req);
		if (j->dj_rc == 0 && (buf = evbuffer_new()) != NULL) {
			evbuffer_add(buf, DURABLE_REPLY,
			    sizeof(DURABLE_REPLY) - 1);
			evhttp_send_reply(j->dj_req, 201, "Created", buf);
			evbuffer_free(buf);
		} else
			evhttp_send_reply(j->dj_req, 503,
			    "Service Unavailable", NULL);
		free(j);
	}
}

/* One commit of the batch: each body sealed and put, then two syncs. */
static int
durable_commit(struct durable *d, struct durable_list *batch)
{
	struct durable_job	*j;
	MDB_txn			*txn = NULL;
	MDB_val			 k, v;
	unsigned char		 key[DURABLE_KEY_LEN], *sealed = NULL, *p;
	unsigned long long	 clen;
	uint32_t		 day = (uint32_t)(time(NULL) / 86400);
	size_t			 cap = 0, need;
	int			 rc;

	key[0] = (unsigned char)(day >> 24);
	key[1] = (unsigned char)(day >> 16);
	key[2] = (unsigned char)(day >> 8);
	key[3] = (unsigned char)day;
	randombytes_buf(key + 4, 8);
	if ((rc = mdb_txn_begin(d->d_env, NULL, 0, &txn)) != 0)
		goto done;
	STAILQ_FOREACH(j, batch, dj_entry) {
		randombytes_buf(key + 12, 4);
		need = DURABLE_NONCE + j->dj_len + DURABLE_TAG;
		if (need > cap) {
			if ((p = realloc(sealed, need)) == NULL) {
				rc = ENOMEM;
				goto done;
			}
			sealed = p;
			cap = need;
		}
		randombytes_buf(sealed, DURABLE_NONCE);
		crypto_aead_xchacha20poly1305_ietf_encrypt(
		    sealed + DURABLE_NONCE, &clen, j->dj_body, j->dj_len,
		    key, sizeof(key), NULL, sealed, d->d_key);
		k.mv_data = key;
		k.mv_size = sizeof(key);
		v.mv_data = sealed;
		v.mv_size = DURABLE_NONCE + (size_t)clen;
		if ((rc = mdb_put(txn, d->d_dbi, &k, &v, MDB_NOOVERWRITE)) != 0)
			goto done;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
done:
	if (txn != NULL)
		mdb_txn_abort(txn);
	free(sealed);
	return rc;
}

/* The writer: whatever is queued when the last commit ends is a batch. */
static void *
durable_writer(void *arg)
{
	struct durable		*d = arg;
	struct durable_list	 batch = STAILQ_HEAD_INITIALIZER(batch);
	struct durable_job	*j;
	int			 rc;

	for (;;) {
		pthread_mutex_lock(&d->d_lock);
		while (STAILQ_EMPTY(&d->d_queue))
			pthread_cond_wait(&d->d_cond, &d->d_lock);
		STAILQ_CONCAT(&batch, &d->d_queue);
		pthread_mutex_unlock(&d->d_lock);
		if ((rc = durable_commit(d, &batch)) != 0)
			fprintf(stderr, "durable-floor: commit: %s\n",
			    mdb_strerror(rc));
		STAILQ_FOREACH(j, &batch, dj_entry)
			j->dj_rc = rc;
		pthread_mutex_lock(&d->d_lock);
		STAILQ_CONCAT(&d->d_done, &batch);
		pthread_mutex_unlock(&d->d_lock);
		event_active(d->d_done_ev, EV_READ, 0);
	}
	return NULL;
}

static int
durable_open(struct durable *d, const char *dir)
{
	MDB_txn	*txn = NULL;
	int	 rc;

	if ((rc = mdb_env_create(&d->d_env)) != 0 ||
	    (rc = mdb_env_set_mapsize(d->d_env, (size_t)16 << 30)) != 0 ||
	    (rc = mdb_env_open(d->d_env, dir, 0, 0600)) != 0 ||
	    (rc = mdb_txn_begin(d->d_env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &d->d_dbi)) != 0)
		goto done;
	rc = mdb_txn_commit(txn);
	txn = NULL;
done:
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (rc != 0)
		fprintf(stderr, "durable-floor: %s: %s\n", dir,
		    mdb_strerror(rc));
	return rc;
}

static void
durable_usage(void)
{
	fprintf(stderr, "usage: durable-floor -d DIR [-p PORT]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct durable		 d = {
		.d_lock = PTHREAD_MUTEX_INITIALIZER,
		.d_cond = PTHREAD_COND_INITIALIZER,
		.d_queue = STAILQ_HEAD_INITIALIZER(d.d_queue),
		.d_done = STAILQ_HEAD_INITIALIZER(d.d_done),
	};
	struct event_base		*base;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof(sin);
	pthread_t			 writer;
	const char			*dir = NULL;
	long long			 port = 0;
	int				 ch, rc;

	while ((ch = getopt(argc, argv, "d:p:")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'p':
			if (util_parse_ll(optarg, 0, 65535, &port) != 0)
				durable_usage();
			break;
		default:
			durable_usage();
		}
	}
	if (dir == NULL || optind != argc)
		durable_usage();
	if (sodium_init() < 0 || evthread_use_pthreads() != 0) {
		fprintf(stderr, "durable-floor: cannot initialise\n");
		return 1;
	}
	crypto_aead_xchacha20poly1305_ietf_keygen(d.d_key);
	if (durable_open(&d, dir) != 0)
		return 1;
	if ((base = event_base_new()) == NULL ||
	    (d.d_done_ev = event_new(base, -1, 0, durable_done, &d)) ==
	    NULL ||
	    (http = evhttp_new(base)) == NULL ||
	    (bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
	    (ev_uint16_t)port)) == NULL) {
		fprintf(stderr, "durable-floor: cannot listen\n");
		return 1;
	}
	evhttp_set_max_body_size(http, DURABLE_BODY_MAX);
	evhttp_set_gencb(http, durable_request, &d);
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &slen) != 0) {
		fprintf(stderr, "durable-floor: getsockname: %s\n",
		    strerror(errno));
		return 1;
	}
	if ((rc = pthread_create(&writer, NULL, durable_writer, &d)) != 0) {
		fprintf(stderr, "durable-floor: pthread_create: %s\n",
		    strerror(rc));
		return 1;
	}
	printf("listening on http://127.0.0.1:%u/\n", ntohs(sin.sin_port));
	fflush(stdout);
	event_base_dispatch(base);
	return 0;
}
