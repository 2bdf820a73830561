/*
 * main.c — palauted: options, configuration, start-up in dependency order
 * (store, api, writer, server), signals, and an orderly shutdown.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <sodium.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "api/api.h"
#include "api/metrics.h"
#include "api/routes/results.h"
#include "api/routes/routes.h"
#include "api/routes/session.h"
#include "common/log.h"
#include "common/util.h"
#include "core/cells.h"
#include "core/comments.h"
#include "core/retention.h"
#include "daemon/config.h"
#include "daemon/dev.h"
#include "daemon/pool.h"
#include "daemon/server.h"
#include "daemon/writer.h"
#include "storage/storage.h"

#define MAIN_MAX_OVERRIDES	32
/* How long SIGTERM waits for requests in flight before giving up. */
#define MAIN_DRAIN_SECONDS	10
/* Descriptors kept free of connections: store, log, listeners, pipes. */
#define MAIN_FD_RESERVE		64
/* The map's share in use at which the log starts warning. */
#define MAIN_MAP_WARN		0.8
/* Retention: a pass at start, then one a day. */
#define MAIN_PURGE_SECONDS	86400

struct palauted {
	struct config		 pd_cf;
	const char		*pd_cfpath;
	const char		*pd_overrides[MAIN_MAX_OVERRIDES];
	size_t			 pd_noverrides;
	bool			 pd_dev;
	struct event_base	*pd_base;
	struct storage		*pd_store;
	struct api_ctx		 pd_api;
	struct writer		*pd_writer;
	struct pool		*pd_pool;
	struct server		*pd_server;
	struct event		*pd_sigs[4];
	struct event		*pd_drain_ev;
	struct event		*pd_reader_ev;
	unsigned		 pd_drain_ticks;
	struct event		*pd_watchdog_ev;
	struct event		*pd_map_ev;
	unsigned		 pd_map_warned;
	struct event		*pd_purge_ev;
	struct event		*pd_purge_done_ev;
	pthread_t		 pd_purge_thread;
	bool			 pd_purging;
	int			 pd_lock_fd;
	int			 pd_purge_rc;
	struct retention_report	 pd_purge_report;
};

/* Asked for (--help): stdout and 0; a mistake: stderr and 2. */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: palauted [-hnv] [-f file] [-o key=value] [--dev]\n"
	    "  -f file       configuration file (key = value)\n"
	    "  -h, --help    this text\n"
	    "  -n            check the configuration and exit\n"
	    "  -o key=value  override one configuration key\n"
	    "  -v            log debug messages\n"
	    "  --dev         data directory ./palaute-dev with a generated "
	    "key and demo data\n");
	exit(status);
}

/*
 * Defaults, then the file, then -o overrides; err gets file:line: msg.
 * The one way a configuration is made: -n, the start and SIGHUP all
 * call this, so that a file -n accepts is the file they run with.
 */
static int
main_configure(struct palauted *pd, struct config *cf, char *err,
    size_t errlen)
{
	char	msg[1024];
	int	rc;

	config_defaults(cf);
	if (pd->pd_dev && (rc = dev_config(cf, msg, sizeof(msg))) != 0) {
		snprintf(err, errlen, "--dev: %s", msg);
		return rc;
	}
	if (pd->pd_cfpath != NULL &&
	    (rc = config_load(pd->pd_cfpath, cf, err, errlen)) != 0)
		return rc;
	return config_overrides(cf, pd->pd_overrides, pd->pd_noverrides, err,
	    errlen);
}

/* Where the KEK file is: absolute, in $CREDENTIALS_DIRECTORY, or state. */
static int
main_kek_path(const struct config *cf, char *buf, size_t len)
{
	const char	*creds = getenv("CREDENTIALS_DIRECTORY");
	char		 cand[PATH_MAX];

	if (cf->cf_kek_file[0] == '/')
		return util_snprintf(buf, len, "%s", cf->cf_kek_file);
	if (creds != NULL && util_snprintf(cand, sizeof(cand), "%s/%s", creds,
	    cf->cf_kek_file) == 0 && access(cand, F_OK) == 0)
		return util_snprintf(buf, len, "%s", cand);
	return util_snprintf(buf, len, "%s/%s", cf->cf_state_dir,
	    cf->cf_kek_file);
}

/* -n: the file parsed; now the things a start would trip over. */
static int
main_check(const struct config *cf, char *err, size_t errlen)
{
	struct stat	 sb;
	char		 path[PATH_MAX];
	void		*buf = NULL;
	size_t		 len = 0;
	int		 ret = -1;

	if ((ret = main_kek_path(cf, path, sizeof(path))) != 0) {
		snprintf(err, errlen, "kek_file: path too long");
		goto done;
	}
	/* Read it as start-up will; the content is wiped right away. */
	if ((ret = util_read_file(path, 4096, &buf, &len)) != 0) {
		snprintf(err, errlen, "kek_file: %s: %s", path,
		    ret == -EINVAL ? "not a regular file" : strerror(-ret));
		goto done;
	}
	if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "kek_file: %s: readable by others "
		    "(mode %03o); chmod 600 it", path,
		    (unsigned)(sb.st_mode & 0777));
		ret = -EACCES;
		goto done;
	}
	if (cf->cf_root_key_file[0] != '\0' &&
	    access(cf->cf_root_key_file, R_OK) != 0) {
		snprintf(err, errlen, "root_key_file: %s: %s",
		    cf->cf_root_key_file, strerror(errno));
		ret = -errno;
		goto done;
	}
	ret = 0;
done:
	if (buf != NULL) {
		sodium_memzero(buf, len);
		free(buf);
	}
	return ret;
}

static void
main_limits(struct api_limits *al, const struct config *cf)
{
	al->al_max_body = cf->cf_max_body;
	al->al_max_body_batch = cf->cf_max_body_batch;
	al->al_session_ttl = cf->cf_session_ttl;
	al->al_kiosk_rate = cf->cf_kiosk_rate;
	al->al_form_rate = cf->cf_form_rate;
	al->al_login_attempts = cf->cf_login_attempts;
	al->al_cors_origins = cf->cf_cors_origins;
	al->al_www_dir = cf->cf_www_dir;
	al->al_chartjs_dir = cf->cf_chartjs_dir;
	al->al_bench = cf->cf_bench;
}

/* ------------------------------------------------------------ systemd */

/*
 * sd_notify(3) when built with libsystemd and run by systemd (it is a
 * no-op without $NOTIFY_SOCKET); nothing otherwise.
 */
static void
main_notify(const char *state)
{
#ifdef HAVE_SYSTEMD
	(void)sd_notify(0, state);
#else
	(void)state;
#endif
}

#ifdef HAVE_SYSTEMD
static void
main_watchdog(evutil_socket_t fd, short what, void *arg)
{
	/* From the loop: a loop that hangs stops feeding, and is restarted. */
	main_notify("WATCHDOG=1");
}
#endif

/* WATCHDOG=1 every half WatchdogSec=, if systemd asks for it. */
static int
main_watchdog_start(struct palauted *pd)
{
#ifdef HAVE_SYSTEMD
	struct timeval	tv;
	uint64_t	usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	usec /= 2;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	pd->pd_watchdog_ev = event_new(pd->pd_base, -1, EV_PERSIST,
	    main_watchdog, pd);
	if (pd->pd_watchdog_ev == NULL || event_add(pd->pd_watchdog_ev,
	    &tv) != 0)
		return -ENOMEM;
	log_info("systemd watchdog: feeding it every %llu ms",
	    (unsigned long long)(usec / 1000));
#endif
	return 0;
}

/*
 * Listening sockets passed by systemd (palauted.socket). Returns how many
 * were adopted; 0 means none were passed and the daemon binds `listen`
 * itself.
 */
static int
main_listen_fds(struct palauted *pd, char *bound, size_t boundlen)
{
#ifdef HAVE_SYSTEMD
	char	one[128];
	size_t	len;
	int	n, i, rc;

	if ((n = sd_listen_fds(1)) <= 0)
		return n < 0 ? n : 0;
	bound[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((rc = server_adopt(pd->pd_server, SD_LISTEN_FDS_START + i,
		    one, sizeof(one))) != 0) {
			log_warnx("socket activation: cannot use fd %d: %s",
			    SD_LISTEN_FDS_START + i, strerror(-rc));
			return rc;
		}
		/* The first address for the log line; the others follow. */
		len = strlen(bound);
		if (len == 0)
			snprintf(bound, boundlen, "%s", one);
		else
			log_info("also listening on http://%s/", one);
	}
	log_info("socket activation: %d socket%s from systemd; 'listen' is "
	    "not used", n, n == 1 ? "" : "s");
	return n;
#else
	(void)pd;
	(void)bound;
	(void)boundlen;
	return 0;
#endif
}

/* ------------------------------------------------------------ limits */

/*
 * Every connection is a descriptor: raise the soft limit to the hard one,
 * and keep max_connections below it, with room for the store, the log
 * and the listeners, so that accept() never fails with EMFILE (libevent
 * 2.1 would retry it in a busy loop).
 */
static void
main_nofile(struct config *cf)
{
	struct rlimit	rl;
	rlim_t		old;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return;
	}
	old = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("setrlimit(RLIMIT_NOFILE)");
			rl.rlim_cur = old;
		} else
			log_info("raised the open-file limit from %llu to %llu",
			    (unsigned long long)old,
			    (unsigned long long)rl.rlim_cur);
	}
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)cf->cf_max_connections +
	    MAIN_FD_RESERVE > rl.rlim_cur) {
		cf->cf_max_connections = rl.rlim_cur > MAIN_FD_RESERVE * 2 ?
		    (long long)(rl.rlim_cur - MAIN_FD_RESERVE) :
		    (long long)(rl.rlim_cur / 2);
		log_warnx("max_connections lowered to %lld: the open-file "
		    "limit is %llu (raise LimitNOFILE=)",
		    cf->cf_max_connections, (unsigned long long)rl.rlim_cur);
	}
}

/* ------------------------------------------------------------ the map */

static void
main_map_check(evutil_socket_t fd, short what, void *arg)
{
	struct palauted		*pd = arg;
	struct storage_stat	 ss;
	double			 use;

	if (storage_stat(pd->pd_store, &ss) != 0 || ss.ss_map_size == 0)
		return;
	use = (double)ss.ss_map_used / (double)ss.ss_map_size;
	if (use < MAIN_MAP_WARN) {
		pd->pd_map_warned = 0;
		return;
	}
	/* Once when it crosses the line, then hourly while it stays. */
	if (pd->pd_map_warned++ % 60 != 0)
		return;
	log_warnx("the store's map is %.0f%% full (%llu of %llu bytes); "
	    "writes fail with 507 when it is full: raise map_size and "
	    "restart, or purge", use * 100,
	    (unsigned long long)ss.ss_map_used,
	    (unsigned long long)ss.ss_map_size);
}

/* ------------------------------------------------------------ retention */

/*
 * Retention runs on a thread of its own: storage_shred() begins its own
 * write transaction, which waits for the writer's (LMDB has one writer at
 * a time; on the loop that wait would stall every request), and
 * storage_rotate_kek() waits for every transaction to end (on the writer
 * thread, inside its own batch, it would wait forever). On this thread
 * both simply take their turn between the writer's batches; the loop only
 * pauses for the few milliseconds of the key swap itself.
 */
static void *
main_purge_thread(void *arg)
{
	struct palauted	*pd = arg;
	int		 fd = -1;

	/* palautectl beside us holds it shared while it has the store open. */
	pd->pd_purge_rc = retention_keylock(pd->pd_cf.cf_state_dir, true, &fd);
	if (pd->pd_purge_rc == 0)
		pd->pd_purge_rc = retention_run(pd->pd_store, util_today(),
		    "palauted", &pd->pd_purge_report);
	if (fd != -1)
		close(fd);
	event_active(pd->pd_purge_done_ev, EV_READ, 0);
	return NULL;
}

static void
main_purge_done(evutil_socket_t fd, short what, void *arg)
{
	struct palauted			*pd = arg;
	const struct retention_report	*rr = &pd->pd_purge_report;

	pthread_join(pd->pd_purge_thread, NULL);
	pd->pd_purging = false;
	if (pd->pd_purge_rc != 0) {
		metrics_inc(METRICS_RETENTION_FAILED);
		log_warnx("retention: the pass failed: %s (%u months purged "
		    "before it did); it is retried tomorrow or on restart",
		    pd->pd_purge_rc == -EDQUOT ? "the disk is full" :
		    strerror(-pd->pd_purge_rc), rr->rr_months);
		return;
	}
	metrics_inc(METRICS_RETENTION_RUNS);
	/* The log is the operator's, who holds the keys: exact figures. */
	if (rr->rr_rotated)
		log_info("retention: %u months of responses purged, KEK "
		    "rotated", rr->rr_months);
	else
		log_debug("retention: nothing due (%u surveys)", rr->rr_surveys);
}

/* At start and once a day: start a pass unless one is running. */
static void
main_purge_tick(evutil_socket_t fd, short what, void *arg)
{
	struct palauted	*pd = arg;
	int		 rc;

	if (pd->pd_purging || pd->pd_api.ac_draining)
		return;
	pd->pd_purging = true;
	if ((rc = pthread_create(&pd->pd_purge_thread, NULL, main_purge_thread,
	    pd)) != 0) {
		pd->pd_purging = false;
		log_warnx("retention: cannot start its thread: %s",
		    strerror(rc));
	}
}

static void
main_drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct palauted		*pd = arg;
	struct timeval		 tv = { 0, 10000 };

	if ((server_inflight(pd->pd_server) == 0 &&
	    writer_pending(pd->pd_writer) == 0) ||
	    ++pd->pd_drain_ticks > MAIN_DRAIN_SECONDS * 100) {
		if (pd->pd_drain_ticks > MAIN_DRAIN_SECONDS * 100)
			log_warnx("%zu requests still in flight after %d s",
			    server_inflight(pd->pd_server), MAIN_DRAIN_SECONDS);
		event_base_loopbreak(pd->pd_base);
		return;
	}
	evtimer_add(pd->pd_drain_ev, &tv);
}

static void
main_shutdown(struct palauted *pd)
{
	struct timeval	tv = { 0, 0 };

	if (pd->pd_api.ac_draining)
		return;
	log_info("shutting down: finishing requests in flight");
	main_notify("STOPPING=1");
	pd->pd_api.ac_draining = true;
	server_stop_accepting(pd->pd_server);
	evtimer_add(pd->pd_drain_ev, &tv);
}

static void
main_reload(struct palauted *pd)
{
	struct config	cf;
	char		err[1024];

	main_notify("RELOADING=1");
	if (main_configure(pd, &cf, err, sizeof(err)) != 0) {
		log_warnx("reload: %s; keeping the running configuration", err);
		main_notify("READY=1");
		return;
	}
	main_nofile(&cf);
	if (strcmp(cf.cf_listen, pd->pd_cf.cf_listen) != 0 ||
	    strcmp(cf.cf_state_dir, pd->pd_cf.cf_state_dir) != 0)
		log_warnx("reload: listen and state_dir change only on "
		    "restart");
	snprintf(cf.cf_listen, sizeof(cf.cf_listen), "%s", pd->pd_cf.cf_listen);
	snprintf(cf.cf_state_dir, sizeof(cf.cf_state_dir), "%s",
	    pd->pd_cf.cf_state_dir);
	/* Copy in place: the api's limits point into pd_cf. */
	pd->pd_cf = cf;
	log_set_verbose(cf.cf_verbose);
	server_set_limits(pd->pd_server, &pd->pd_cf);
	main_limits(&pd->pd_api.ac_limits, &pd->pd_cf);
	writer_set_reserve(pd->pd_writer, pd->pd_cf.cf_disk_reserve);
	log_info("configuration reloaded");
	main_notify("READY=1");
}

static void
main_signal(evutil_socket_t sig, short what, void *arg)
{
	struct palauted	*pd = arg;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		main_shutdown(pd);
		break;
	case SIGHUP:
		main_reload(pd);
		break;
	default:
		break;
	}
}

static void
main_reader_check(evutil_socket_t fd, short what, void *arg)
{
	struct palauted	*pd = arg;
	int		 n;

	/* A reader that crashed holds old pages forever; clear its slot. */
	if ((n = storage_reader_check(pd->pd_store)) > 0)
		log_info("cleared %d stale reader slots", n);
}

/*
 * Cells written before cells kept their released state get it, and the
 * texts stored before the comments index was kept go into it, once,
 * before the writer starts (DESIGN.md section 5; core/release.h,
 * core/comments.h).
 */
static int
main_migrate(struct storage *st)
{
	struct storage_txn	*txn = NULL;
	size_t			 n = 0, nc = 0;
	int			 rc;

	if ((rc = storage_txn_begin(st, true, &txn)) != 0)
		return rc;
	if ((rc = cells_migrate(txn, &n)) != 0 ||
	    (rc = comments_migrate(txn, &nc)) != 0) {
		storage_txn_abort(txn);
		return rc;
	}
	if ((rc = storage_txn_commit(txn)) != 0)
		return rc;
	if (n > 0)
		log_info("gave %zu cells their released state", n);
	if (nc > 0)
		log_info("indexed %zu stored comments in steps", nc);
	return 0;
}

static int
main_run(struct palauted *pd)
{
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct storage_opts	 so;
	struct timeval		 minute = { 60, 0 };
	struct timeval		 day = { MAIN_PURGE_SECONDS, 0 };
	char			 kek[PATH_MAX], bound[300];
	size_t			 i;
	int			 rc;

	if ((rc = main_kek_path(&pd->pd_cf, kek, sizeof(kek))) != 0)
		return rc;
	memset(&so, 0, sizeof(so));
	so.so_dir = pd->pd_cf.cf_state_dir;
	so.so_kek_path = kek;
	so.so_root_key_path = pd->pd_cf.cf_root_key_file[0] != '\0' ?
	    pd->pd_cf.cf_root_key_file : NULL;
	so.so_map_size = pd->pd_cf.cf_map_size;
	so.so_create = pd->pd_dev;
	/*
	 * The KEK will stay in memory: nothing may rotate it under us, from
	 * before the store is opened until we exit.
	 */
	if (pd->pd_dev && mkdir(pd->pd_cf.cf_state_dir, 0700) == -1 &&
	    errno != EEXIST)
		log_warn("%s", pd->pd_cf.cf_state_dir);
	if ((rc = retention_lock(pd->pd_cf.cf_state_dir, &pd->pd_lock_fd)) !=
	    0) {
		log_warnx("%s: %s", pd->pd_cf.cf_state_dir, rc == -EBUSY ?
		    "another palauted (or palautectl purge, rotate-kek) is "
		    "using this store" : rc == -ENOENT ? "no store here" :
		    strerror(-rc));
		return rc;
	}
	if ((rc = storage_open(&so, &pd->pd_store)) != 0) {
		log_warnx("cannot open the store in %s: %s",
		    pd->pd_cf.cf_state_dir, strerror(-rc));
		return rc;
	}
	if ((rc = api_init(&pd->pd_api, pd->pd_store, http_routes,
	    http_nroutes)) != 0 ||
	    (rc = http_results_init(&pd->pd_api)) != 0) {
		log_warnx("cannot initialise the api: %s", strerror(-rc));
		return rc;
	}
	if ((rc = main_migrate(pd->pd_store)) != 0) {
		log_warnx("cannot give the cells their released state: %s",
		    strerror(-rc));
		return rc;
	}
	main_limits(&pd->pd_api.ac_limits, &pd->pd_cf);
	if ((rc = writer_new(pd->pd_base, pd->pd_store, &pd->pd_api,
	    &pd->pd_writer)) != 0)
		return rc;
	writer_set_reserve(pd->pd_writer, pd->pd_cf.cf_disk_reserve);
	pd->pd_api.ac_submit = writer_submit_cb;
	pd->pd_api.ac_submit_reserve = writer_submit_reserve_cb;
	pd->pd_api.ac_submit_intake = writer_submit_intake_cb;
	pd->pd_api.ac_submit_arg = pd->pd_writer;
	/* Password hashes: bounded, off the loop, apart from the writer. */
	if ((rc = pool_new(pd->pd_base, (unsigned)pd->pd_cf.cf_login_workers,
	    (size_t)pd->pd_cf.cf_login_workers * (POOL_QUEUE_PER_WORKER + 1),
	    &pd->pd_pool)) != 0)
		return rc;
	pd->pd_api.ac_offload = pool_submit_cb;
	pd->pd_api.ac_offload_arg = pd->pd_pool;
	http_session_warmup(&pd->pd_api);
	if ((rc = server_new(pd->pd_base, &pd->pd_cf, &pd->pd_api,
	    &pd->pd_server)) != 0)
		return rc;
	/* Sockets from systemd (palauted.socket), else bind `listen`. */
	if ((rc = main_listen_fds(pd, bound, sizeof(bound))) < 0)
		return rc;
	if (rc == 0 && (rc = server_listen(pd->pd_server, pd->pd_cf.cf_listen,
	    bound, sizeof(bound))) != 0)
		return rc;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pd->pd_sigs[i] = evsignal_new(pd->pd_base, sigs[i],
		    main_signal, pd);
		if (pd->pd_sigs[i] == NULL || evsignal_add(pd->pd_sigs[i],
		    NULL) != 0)
			return -ENOMEM;
	}
	pd->pd_drain_ev = evtimer_new(pd->pd_base, main_drain_tick, pd);
	pd->pd_reader_ev = event_new(pd->pd_base, -1, EV_PERSIST,
	    main_reader_check, pd);
	if (pd->pd_drain_ev == NULL || pd->pd_reader_ev == NULL ||
	    event_add(pd->pd_reader_ev, &minute) != 0)
		return -ENOMEM;
	pd->pd_map_ev = event_new(pd->pd_base, -1, EV_PERSIST, main_map_check,
	    pd);
	pd->pd_purge_ev = event_new(pd->pd_base, -1, EV_PERSIST,
	    main_purge_tick, pd);
	pd->pd_purge_done_ev = event_new(pd->pd_base, -1, 0, main_purge_done,
	    pd);
	if (pd->pd_map_ev == NULL || pd->pd_purge_ev == NULL ||
	    pd->pd_purge_done_ev == NULL ||
	    event_add(pd->pd_map_ev, &minute) != 0 ||
	    event_add(pd->pd_purge_ev, &day) != 0)
		return -ENOMEM;
	main_map_check(-1, 0, pd);
	/* The first pass right away: a daemon restarted daily still runs it. */
	event_active(pd->pd_purge_ev, EV_TIMEOUT, 1);
	if ((rc = main_watchdog_start(pd)) != 0)
		return rc;
	log_info("listening on http://%s/", bound);
	if (pd->pd_dev && (rc = dev_seed(&pd->pd_api, bound,
	    pd->pd_cf.cf_dev_history)) != 0) {
		log_warnx("--dev: cannot load the demo data: %s",
		    strerror(-rc));
		return rc;
	}
	/* The store is open and checked, the sockets listen: ready. */
	main_notify("READY=1\nSTATUS=serving");
	if (event_base_dispatch(pd->pd_base) == -1)
		return -EIO;
	log_info("stopped");
	return 0;
}

static void
main_cleanup(struct palauted *pd)
{
	size_t	i;

	/* Reverse order of start: nothing may use what is already gone. */
	if (pd->pd_purging) {
		/* A pass in progress finishes: it leaves nothing half done. */
		log_info("waiting for the retention pass to finish");
		pthread_join(pd->pd_purge_thread, NULL);
		pd->pd_purging = false;
	}
	/*
	 * The pool before the writer (a finished login still submits its
	 * write), both before the server: their last completions reply
	 * through it, even when draining timed out.
	 */
	pool_free(pd->pd_pool);
	writer_free(pd->pd_writer);
	server_free(pd->pd_server);
	if (pd->pd_store != NULL) {
		http_results_fini(&pd->pd_api);
		api_fini(&pd->pd_api);
	}
	storage_close(pd->pd_store);
	if (pd->pd_lock_fd > 0)
		close(pd->pd_lock_fd);
	for (i = 0; i < sizeof(pd->pd_sigs) / sizeof(pd->pd_sigs[0]); i++)
		if (pd->pd_sigs[i] != NULL)
			event_free(pd->pd_sigs[i]);
	if (pd->pd_drain_ev != NULL)
		event_free(pd->pd_drain_ev);
	if (pd->pd_reader_ev != NULL)
		event_free(pd->pd_reader_ev);
	if (pd->pd_watchdog_ev != NULL)
		event_free(pd->pd_watchdog_ev);
	if (pd->pd_map_ev != NULL)
		event_free(pd->pd_map_ev);
	if (pd->pd_purge_ev != NULL)
		event_free(pd->pd_purge_ev);
	if (pd->pd_purge_done_ev != NULL)
		event_free(pd->pd_purge_done_ev);
	if (pd->pd_base != NULL)
		event_base_free(pd->pd_base);
}

/*
 * evhttp turns a connection's reading off and its writing on and off
 * again around every request; with epoll's change list, the toggles of one
 * loop iteration become one epoll_ctl() instead of one each (a third
 * more requests a second on the benchmark's no-work route). The list is
 * unsafe only with dup()ed descriptors, which palauted never makes.
 */
static struct event_base *
main_event_base(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

int
main(int argc, char *argv[])
{
	static const struct option	 longopts[] = {
		{ "dev", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct palauted		 pd;
	char				 err[PATH_MAX + 1024];
	bool				 check_only = false;
	int				 ch, verbose = 0, rc;

	if (sodium_init() < 0) {
		fprintf(stderr, "palauted: libsodium failed to initialise\n");
		return 1;
	}
	log_init("palauted", 0);
	while ((ch = getopt_long(argc, argv, "f:no:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			pd.pd_cfpath = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 'o':
			if (pd.pd_noverrides == MAIN_MAX_OVERRIDES)
				usage(2);
			pd.pd_overrides[pd.pd_noverrides++] = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'D':
			pd.pd_dev = true;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (main_configure(&pd, &pd.pd_cf, err, sizeof(err)) != 0) {
		fprintf(stderr, "palauted: %s\n", err);
		return 2;
	}
	log_set_verbose(verbose || pd.pd_cf.cf_verbose);
	if (check_only) {
		if (main_check(&pd.pd_cf, err, sizeof(err)) != 0) {
			fprintf(stderr, "palauted: %s\n", err);
			return 2;
		}
		fprintf(stderr, "palauted: configuration OK\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	main_nofile(&pd.pd_cf);
	/* The writer thread wakes the loop with event_active(). */
	if (evthread_use_pthreads() != 0)
		fatalx("libevent has no pthreads support");
	if ((pd.pd_base = main_event_base()) == NULL)
		fatalx("cannot create the event loop");
	rc = main_run(&pd);
	main_cleanup(&pd);
	return rc == 0 ? 0 : 1;
}
