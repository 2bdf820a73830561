/*
 * palautectl — the local admin tool: works on the store directory directly
 * (LMDB allows it beside a running daemon), one function per command.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/rebuild.h"
#include "core/retention.h"
#include "core/users.h"
#include "core/verify.h"
#include "daemon/config.h"
#include "storage/storage.h"

/* What every command may need: where the store and its keys are. */
struct ctl {
	struct config	 c_cf;
	char		 c_kek[PATH_MAX];
	const char	*c_root_key;
	/* The KEK lock (core/retention.h), held until exit once taken. */
	int		 c_keylock;
	bool		 c_keylock_excl;	/* the command rotates the KEK */
};

struct ctl_cmd {
	const char	*cc_name;
	const char	*cc_args;
	const char	*cc_help;
	int		(*cc_fn)(struct ctl *ctl, int argc, char *argv[]);
};

static int	cmd_keygen(struct ctl *, int, char *[]);
static int	cmd_init(struct ctl *, int, char *[]);
static int	cmd_stats(struct ctl *, int, char *[]);
static int	cmd_add_user(struct ctl *, int, char *[]);
static int	cmd_verify(struct ctl *, int, char *[]);
static int	cmd_rebuild(struct ctl *, int, char *[]);
static int	cmd_backup(struct ctl *, int, char *[]);
static int	cmd_restore(struct ctl *, int, char *[]);
static int	cmd_purge(struct ctl *, int, char *[]);
static int	cmd_rotate_kek(struct ctl *, int, char *[]);
static void	ctl_own(struct ctl *);

static const struct ctl_cmd ctl_cmds[] = {
	{ "keygen", "FILE", "write a new key file (mode 0600)", cmd_keygen },
	{ "init", "[DIR]", "create a store (and its key file if missing)",
	    cmd_init },
	{ "stats", "", "map use and record counts", cmd_stats },
	{ "add-user", "[--admin | --manager --unit ID...] NAME",
	    "create a user; the password is read from stdin or prompted",
	    cmd_add_user },
	{ "verify", "[--after-purge]", "open every record and recompute "
	    "every cell from the responses", cmd_verify },
	{ "rebuild", "[--dry-run] [--threads N]", "rewrite every cell from "
	    "the responses; cells of purged months are kept", cmd_rebuild },
	{ "backup", "DIR", "compacting, consistent copy of the store (also "
	    "while palauted runs); not the KEK", cmd_backup },
	{ "restore", "BACKUPDIR [KEKFILE]", "restore a backup into a missing "
	    "or empty state directory", cmd_restore },
	{ "purge", "", "apply every survey's retention now (palauted "
	    "stopped)", cmd_purge },
	{ "rotate-kek", "", "re-wrap every key under a fresh KEK (palauted "
	    "stopped)", cmd_rotate_kek },
};
#define CTL_NCMDS	(sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

/* Asked for (-h, --help, help): stdout and 0; a mistake: stderr and 2. */
static void __attribute__((noreturn))
usage(int status)
{
	FILE	*fp = status == 0 ? stdout : stderr;
	size_t	 i;

	fprintf(fp, "usage: palautectl [-h] [-f palauted.conf] [-d statedir] "
	    "[-k keyfile] [-r rootkey] command [args]\n\ncommands:\n");
	for (i = 0; i < CTL_NCMDS; i++)
		fprintf(fp, "  %-10s %-12s %s\n", ctl_cmds[i].cc_name,
		    ctl_cmds[i].cc_args, ctl_cmds[i].cc_help);
	exit(status);
}

/* The KEK path as palauted resolves it (see main.c). */
static int
ctl_kek_path(struct ctl *ctl)
{
	const char	*creds = getenv("CREDENTIALS_DIRECTORY");
	char		 cand[PATH_MAX];

	if (ctl->c_kek[0] != '\0')
		return 0;
	if (ctl->c_cf.cf_kek_file[0] == '/')
		return util_snprintf(ctl->c_kek, sizeof(ctl->c_kek), "%s",
		    ctl->c_cf.cf_kek_file);
	if (creds != NULL && util_snprintf(cand, sizeof(cand), "%s/%s", creds,
	    ctl->c_cf.cf_kek_file) == 0 && access(cand, F_OK) == 0)
		return util_snprintf(ctl->c_kek, sizeof(ctl->c_kek), "%s",
		    cand);
	return util_snprintf(ctl->c_kek, sizeof(ctl->c_kek), "%s/%s",
	    ctl->c_cf.cf_state_dir, ctl->c_cf.cf_kek_file);
}

/* Open the store of ctl; create it when create is set. */
static int
ctl_open(struct ctl *ctl, bool create, struct storage **out)
{
	struct storage_opts	so;
	int			rc;

	if ((rc = ctl_kek_path(ctl)) != 0)
		return rc;
	/* Never while palauted rotates the KEK (it holds the lock then). */
	if (ctl->c_keylock == -1 && (rc = retention_keylock(
	    ctl->c_cf.cf_state_dir, ctl->c_keylock_excl, &ctl->c_keylock)) !=
	    0) {
		log_warnx("cannot lock %s: %s", ctl->c_cf.cf_state_dir,
		    strerror(-rc));
		return rc;
	}
	memset(&so, 0, sizeof(so));
	so.so_dir = ctl->c_cf.cf_state_dir;
	so.so_kek_path = ctl->c_kek;
	so.so_root_key_path = ctl->c_root_key;
	so.so_map_size = ctl->c_cf.cf_map_size;
	so.so_create = create;
	if ((rc = storage_open(&so, out)) != 0)
		log_warnx("cannot open the store in %s: %s",
		    ctl->c_cf.cf_state_dir, strerror(-rc));
	return rc;
}

static int
cmd_keygen(struct ctl *ctl, int argc, char *argv[])
{
	int	rc;

	if (argc != 2)
		usage(2);
	if ((rc = storage_keygen(argv[1])) != 0) {
		log_warnx("keygen %s: %s", argv[1], rc == -EEXIST ?
		    "exists; refusing to overwrite a key" : strerror(-rc));
		return 1;
	}
	printf("wrote a new key to %s (mode 0600)\n", argv[1]);
	return 0;
}

static int
cmd_init(struct ctl *ctl, int argc, char *argv[])
{
	struct storage	*st = NULL;

	if (argc > 2)
		usage(2);
	if (argc == 2 && util_snprintf(ctl->c_cf.cf_state_dir,
	    sizeof(ctl->c_cf.cf_state_dir), "%s", argv[1]) != 0)
		return 1;
	if (ctl_open(ctl, true, &st) != 0)
		return 1;
	storage_close(st);
	printf("store ready in %s (key %s)\n", ctl->c_cf.cf_state_dir,
	    ctl->c_kek);
	return 0;
}

static int
cmd_stats(struct ctl *ctl, int argc, char *argv[])
{
	struct storage		*st = NULL;
	struct storage_stat	 ss;
	int			 i, ret = 1;

	if (argc != 1)
		usage(2);
	if (ctl_open(ctl, false, &st) != 0)
		goto done;
	if (storage_stat(st, &ss) != 0) {
		log_warnx("stats: cannot read the store");
		goto done;
	}
	printf("map_size %llu\nmap_used %llu\nmap_use %.1f%%\n",
	    (unsigned long long)ss.ss_map_size,
	    (unsigned long long)ss.ss_map_used,
	    ss.ss_map_size ? 100.0 * (double)ss.ss_map_used /
	    (double)ss.ss_map_size : 0.0);
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		printf("records %s %llu\n", storage_db_name(i),
		    (unsigned long long)ss.ss_entries[i]);
	ret = 0;
done:
	storage_close(st);
	return ret;
}

/*
 * One line of a password into buf (guarded memory of len bytes): from the
 * terminal without echo, or the first line of stdin when it is not one.
 */
static int
ctl_read_password(const char *prompt, char *buf, size_t len)
{
	struct termios	 old, noecho;
	bool		 tty = isatty(STDIN_FILENO);
	size_t		 n;
	int		 ret = -1;

	if (tty) {
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return -errno;
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		noecho.c_lflag |= ECHONL;
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho) != 0)
			return -errno;
	}
	if (fgets(buf, (int)len, stdin) == NULL) {
		ret = -EINVAL;
		goto done;
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n' && !feof(stdin)) {
		ret = -E2BIG;	/* longer than any password we take */
		goto done;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	ret = 0;
done:
	if (tty)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (ret != 0)
		sodium_memzero(buf, len);
	return ret;
}

static int
cmd_add_user(struct ctl *ctl, int argc, char *argv[])
{
	static const struct option	 longopts[] = {
		{ "admin", no_argument, NULL, 'a' },
		{ "manager", no_argument, NULL, 'm' },
		{ "unit", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct storage		*st = NULL;
	struct storage_txn	*txn = NULL;
	uint8_t			*hash_key = NULL;
	struct error		 err;
	struct users_new	 u;
	char			*pw = NULL, *pw2 = NULL, hash[USERS_HASH_MAX];
	const size_t		 pwlen = USERS_PASSWORD_MAX + 2;
	long long		 unit;
	uint32_t		 id;
	bool			 role_set = false;
	int			 ch, rc, ret = 1;

	memset(&err, 0, sizeof(err));
	memset(&u, 0, sizeof(u));
	optind = 0;	/* glibc: start over on the command's own argv */
	while ((ch = getopt_long(argc, argv, "+amu:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
		case 'm':
			if (role_set)
				usage(2);
			role_set = true;
			u.un_role = ch == 'a' ? ROLE_ADMIN :
			    ROLE_MANAGER;
			break;
		case 'u':
			if (u.un_nunits == AUTH_MAX_SUBTREES ||
			    util_parse_ll(optarg, 1, UINT32_MAX, &unit) != 0) {
				log_warnx("add-user: --unit %s: expected a "
				    "unit id (at most %d units)", optarg,
				    AUTH_MAX_SUBTREES);
				return 2;
			}
			u.un_units[u.un_nunits++] = (uint32_t)unit;
			break;
		default:
			usage(2);
		}
	}
	if (!role_set || optind != argc - 1)
		usage(2);
	if (u.un_role == ROLE_MANAGER && u.un_nunits == 0) {
		log_warnx("add-user: a manager needs at least one --unit");
		return 2;
	}
	if (u.un_role == ROLE_ADMIN && u.un_nunits > 0) {
		log_warnx("add-user: an admin sees every unit; --unit is for "
		    "managers");
		return 2;
	}
	u.un_name = argv[optind];
	if (users_check_name(u.un_name, &err) != 0) {
		log_warnx("add-user: %s", err.er_message);
		return 2;
	}
	if ((pw = sodium_malloc(pwlen)) == NULL ||
	    (pw2 = sodium_malloc(pwlen)) == NULL) {
		log_warnx("add-user: out of memory");
		goto done;
	}
	if ((rc = ctl_read_password("Password: ", pw, pwlen)) == -E2BIG) {
		/* In the policy's words: a line longer than the buffer. */
		log_warnx("add-user: the password must be at most %d bytes "
		    "long", USERS_PASSWORD_MAX);
		goto done;
	} else if (rc != 0) {
		log_warnx("add-user: no password read (one line, at most %d "
		    "bytes)", USERS_PASSWORD_MAX);
		goto done;
	}
	if (isatty(STDIN_FILENO)) {
		if (ctl_read_password("Again: ", pw2, pwlen) != 0 ||
		    strcmp(pw, pw2) != 0) {
			log_warnx("add-user: the passwords differ");
			goto done;
		}
	}
	/* The API's policy and its messages (it reads the dictionary). */
	if (users_check_password(u.un_name, pw, &err) != 0) {
		log_warnx("add-user: %s", err.er_code != ERR_NONE ?
		    err.er_message : "out of memory");
		goto done;
	}
	if (users_hash_password(pw, hash) != 0) {
		log_warnx("add-user: not enough memory for the password hash");
		goto done;
	}
	u.un_hash = hash;
	if (ctl_open(ctl, false, &st) != 0)
		goto done;
	/* The keyed-hash secret of the name index lives in the store. */
	if ((rc = auth_key_load(st, &hash_key)) != 0) {
		log_warnx("add-user: cannot read the store: %s", strerror(-rc));
		goto done;
	}
	if ((rc = storage_txn_begin(st, true, &txn)) != 0) {
		log_warnx("add-user: cannot write the store: %s",
		    strerror(-rc));
		goto done;
	}
	rc = users_insert(hash_key, txn, "palautectl", &u, &id, NULL, &err);
	if (rc == 0) {
		rc = storage_txn_commit(txn);
		txn = NULL;
	}
	if (rc != 0) {
		if (err.er_code != ERR_NONE)
			log_warnx("add-user: %s%s%s", err.er_field,
			    err.er_field[0] ? ": " : "", err.er_message);
		else
			log_warnx("add-user: cannot write the store: %s",
			    strerror(-rc));
		goto done;
	}
	printf("created %s %s (id %u)\n", u.un_role == ROLE_ADMIN ?
	    "admin" : "manager", u.un_name, (unsigned)id);
	ret = 0;
done:
	storage_txn_abort(txn);
	sodium_free(hash_key);
	storage_close(st);
	sodium_memzero(hash, sizeof(hash));
	if (pw != NULL)
		sodium_free(pw);
	if (pw2 != NULL)
		sodium_free(pw2);
	return ret;
}

int
main(int argc, char *argv[])
{
	static const struct option	 ctl_longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl			 ctl;
	char				 err[PATH_MAX + 1024];
	const char			*cfpath = NULL, *dir = NULL, *kek = NULL;
	size_t				 i;
	int				 ch;

	if (sodium_init() < 0) {
		fprintf(stderr, "palautectl: libsodium failed to initialise\n");
		return 1;
	}
	log_init("palautectl", 0);
	memset(&ctl, 0, sizeof(ctl));
	ctl.c_keylock = -1;
	/* "+": options end at the command; its own options follow it. */
	while ((ch = getopt_long(argc, argv, "+f:d:k:r:h", ctl_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f': cfpath = optarg; break;
		case 'd': dir = optarg; break;
		case 'k': kek = optarg; break;
		case 'r': ctl.c_root_key = optarg; break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(2);
	if (strcmp(argv[0], "help") == 0)
		usage(0);
	config_defaults(&ctl.c_cf);
	if (cfpath != NULL && config_load(cfpath, &ctl.c_cf, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "palautectl: %s\n", err);
		return 2;
	}
	if (dir != NULL && util_snprintf(ctl.c_cf.cf_state_dir,
	    sizeof(ctl.c_cf.cf_state_dir), "%s", dir) != 0)
		usage(2);
	if (kek != NULL && util_snprintf(ctl.c_kek, sizeof(ctl.c_kek), "%s",
	    kek) != 0)
		usage(2);
	if (ctl.c_root_key == NULL && ctl.c_cf.cf_root_key_file[0] != '\0')
		ctl.c_root_key = ctl.c_cf.cf_root_key_file;
	for (i = 0; i < CTL_NCMDS; i++)
		if (strcmp(argv[0], ctl_cmds[i].cc_name) == 0)
			return ctl_cmds[i].cc_fn(&ctl, argc, argv);
	fprintf(stderr, "palautectl: unknown command '%s'\n", argv[0]);
	usage(2);
}

static void
ctl_verify_note(const char *line, void *arg)
{
	log_warnx("verify: %s", line);
}

/*
 * Every value opens, every response fits its survey version, every cell
 * equals its responses. Exit 0 only for a sound store; the counts go to
 * stdout one "name value" a line, for scripts.
 */
static int
cmd_verify(struct ctl *ctl, int argc, char *argv[])
{
	struct storage		*st = NULL;
	struct verify_report	 r;
	bool			 after_purge = false;
	uint64_t		 opened = 0;
	int			 i, rc, ret = 1;

	if (argc == 2 && strcmp(argv[1], "--after-purge") == 0)
		after_purge = true;
	else if (argc != 1)
		usage(2);
	if (ctl_open(ctl, false, &st) != 0)
		goto done;
	if ((rc = verify_store(st, after_purge, ctl_verify_note, NULL, &r))
	    != 0) {
		log_warnx("verify: cannot walk the store: %s", strerror(-rc));
		goto done;
	}
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		opened += r.vr_records[i];
	printf("records %llu\nunreadable %llu\nresponses %llu\n"
	    "bad_responses %llu\ncells %llu\nbad_cells %llu\n"
	    "missing_cells %llu\ncomments %llu\nbad_comments %llu\n"
	    "result %s\n", (unsigned long long)opened,
	    (unsigned long long)r.vr_unreadable,
	    (unsigned long long)r.vr_responses,
	    (unsigned long long)r.vr_bad_responses,
	    (unsigned long long)r.vr_cells,
	    (unsigned long long)r.vr_bad_cells,
	    (unsigned long long)r.vr_missing_cells,
	    (unsigned long long)r.vr_comments,
	    (unsigned long long)r.vr_bad_comments,
	    verify_ok(&r) ? "ok" : "FAILED");
	ret = verify_ok(&r) ? 0 : 1;
done:
	storage_close(st);
	return ret;
}

static void
ctl_rebuild_note(const char *line, void *arg)
{
	(void)arg;
	log_warnx("rebuild: %s", line);
}

/*
 * Recompute every cell from the response records (core/rebuild.h says
 * which cells are kept as they are). The counts go to stdout one "name
 * value" a line. palauted may run: its intake waits meanwhile.
 */
static int
cmd_rebuild(struct ctl *ctl, int argc, char *argv[])
{
	struct storage		*st = NULL;
	struct rebuild_report	 r;
	long long		 threads = 0;
	bool			 dry_run = false;
	int			 i, rc, ret = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry_run = true;
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc &&
		    util_parse_ll(argv[i + 1], 1, 64, &threads) == 0)
			i++;
		else
			usage(2);
	}
	if (ctl_open(ctl, false, &st) != 0)
		goto done;
	rc = rebuild_run(st, util_today(), (unsigned)threads, dry_run,
	    ctl_rebuild_note, NULL, &r);
	printf("surveys %u\nresponses %llu\nbad_responses %llu\n"
	    "unreadable %llu\ncells_written %llu\ncells_same %llu\n"
	    "cells_kept_retention %llu\ncells_kept_orphan %llu\n"
	    "result %s\n", r.rr_surveys, (unsigned long long)r.rr_responses,
	    (unsigned long long)r.rr_bad, (unsigned long long)r.rr_unreadable,
	    (unsigned long long)r.rr_written, (unsigned long long)r.rr_same,
	    (unsigned long long)r.rr_kept_retention,
	    (unsigned long long)r.rr_kept_orphan, rc != 0 ? "FAILED" :
	    dry_run ? "dry-run" : "ok");
	if (rc != 0) {
		log_warnx("rebuild: %s; nothing was written", strerror(-rc));
		goto done;
	}
	ret = 0;
done:
	storage_close(st);
	return ret;
}

/* ------------------------------------------------------------ operations */

/*
 * Refuse to go on while palauted runs on the store: it holds the KEK in
 * memory, so a rotation (rotate-kek, purge) or a new store (restore) under
 * it would leave it wrapping keys with a KEK that no longer opens them.
 * *fd_out keeps the lock until closed.
 */
static int
ctl_lock(struct ctl *ctl, const char *what, int *fd_out)
{
	int	rc;

	if ((rc = retention_lock(ctl->c_cf.cf_state_dir, fd_out)) == 0)
		return 0;
	if (rc == -EBUSY)
		log_warnx("%s: palauted is running on %s; stop it first "
		    "(systemctl stop palauted) — the daemon applies retention "
		    "itself once a day", what, ctl->c_cf.cf_state_dir);
	else
		log_warnx("%s: cannot lock %s: %s", what,
		    ctl->c_cf.cf_state_dir, strerror(-rc));
	return rc;
}

/*
 * Run as root beside a service with its own user (systemd's DynamicUser=),
 * the files a command made (the new KEK file) would be root's, and the
 * service could no longer read them: give every file of the state
 * directory (the KEK file lives there under systemd) to its owner.
 */
static void
ctl_own(struct ctl *ctl)
{
	struct stat	 dsb, sb;
	struct dirent	*de;
	DIR		*d;
	int		 dfd;

	if (geteuid() != 0 || stat(ctl->c_cf.cf_state_dir, &dsb) != 0 ||
	    dsb.st_uid == 0 || (d = opendir(ctl->c_cf.cf_state_dir)) == NULL)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fstatat(dfd, de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode) ||
		    (sb.st_uid == dsb.st_uid && sb.st_gid == dsb.st_gid))
			continue;
		if (fchownat(dfd, de->d_name, dsb.st_uid, dsb.st_gid,
		    AT_SYMLINK_NOFOLLOW) != 0)
			log_warn("chown %s/%s", ctl->c_cf.cf_state_dir,
			    de->d_name);
	}
	closedir(d);
}

/* Remove a scratch directory of ours and the few files it may hold. */
static void
ctl_rmscratch(const char *dir)
{
	static const char *const	 names[] = { "data.mdb", "lock.mdb",
	    "data.mdb.tmp", RETENTION_LOCK_NAME, NULL };
	char				 path[PATH_MAX];
	DIR				*d;
	struct dirent			*de;
	size_t				 i;

	for (i = 0; names[i] != NULL; i++)
		if (util_snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) == 0)
			(void)unlink(path);
	/* A key file copied in by restore: wiped by unlink like the rest. */
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' && util_snprintf(path,
			    sizeof(path), "%s/%s", dir, de->d_name) == 0)
				(void)unlink(path);
		closedir(d);
	}
	(void)rmdir(dir);
}

/* 0 if dir is missing or empty, -EEXIST if it holds anything. */
static int
ctl_dir_free(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 ret = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			ret = -EEXIST;
			break;
		}
	closedir(d);
	return ret;
}

/* Copy a file (regular, at most some GiB) to a new file of mode 0600. */
static int
ctl_copy_file(const char *from, const char *to)
{
	char	buf[1 << 16];
	ssize_t	n, w, off;
	int	in = -1, out = -1, ret = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1) {
		ret = -errno;
		log_warn("%s", from);
		goto done;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		ret = -errno;
		log_warn("%s", to);
		goto done;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ret = -errno;
			log_warn("%s", from);
			goto done;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) ==
			    -1) {
				ret = -errno;
				log_warn("%s", to);
				goto done;
			}
	}
	if (fsync(out) == -1) {
		ret = -errno;
		log_warn("%s", to);
		goto done;
	}
	ret = 0;
done:
	sodium_memzero(buf, sizeof(buf));
	if (in != -1)
		close(in);
	if (out != -1 && close(out) == -1 && ret == 0)
		ret = -errno;
	return ret;
}

/* "<path>.<tag>-<pid>": scratch beside path, so rename() can move it. */
static int
ctl_scratch_name(const char *path, const char *tag, char *buf, size_t len)
{
	char	trimmed[PATH_MAX];
	size_t	n;

	if (util_snprintf(trimmed, sizeof(trimmed), "%s", path) != 0)
		return -ENAMETOOLONG;
	n = strlen(trimmed);
	while (n > 1 && trimmed[n - 1] == '/')
		trimmed[--n] = '\0';
	return util_snprintf(buf, len, "%s.%s-%ld", trimmed, tag,
	    (long)getpid());
}

/*
 * A compacting, consistent copy of the store into DIR (new or empty),
 * also while palauted runs: written into a scratch directory beside DIR
 * and renamed into place, so DIR never holds half a backup.
 */
static int
cmd_backup(struct ctl *ctl, int argc, char *argv[])
{
	struct storage	*st = NULL;
	char		 tmp[PATH_MAX];
	const char	*dir;
	bool		 made = false;
	int		 rc, ret = 1;

	if (argc != 2)
		usage(2);
	dir = argv[1];
	if ((rc = ctl_dir_free(dir)) != 0) {
		log_warnx("backup: %s: %s", dir, rc == -EEXIST ? "not empty; "
		    "a backup goes into a new or empty directory" :
		    strerror(-rc));
		return 1;
	}
	if (ctl_scratch_name(dir, "partial", tmp, sizeof(tmp)) != 0) {
		log_warnx("backup: %s: path too long", dir);
		return 1;
	}
	if (ctl_open(ctl, false, &st) != 0)
		goto done;
	made = true;
	if ((rc = storage_backup(st, tmp)) != 0) {
		log_warnx("backup: copying the store failed: %s",
		    strerror(-rc));
		goto done;
	}
	/* An empty DIR is replaced; rename() takes an empty directory. */
	if (rename(tmp, dir) == -1) {
		log_warn("backup: rename %s to %s", tmp, dir);
		goto done;
	}
	made = false;
	if ((rc = util_fsync_parent(dir)) != 0) {
		log_warnx("backup: %s: %s", dir, strerror(-rc));
		goto done;
	}
	printf("backup written to %s\n"
	    "the KEK is not in it: keep a copy of %s (as it is now) apart "
	    "from the backup;\nit opens this backup until the next rotation "
	    "of the KEK\n", dir, ctl->c_kek);
	ret = 0;
done:
	if (made)
		ctl_rmscratch(tmp);
	storage_close(st);
	return ret;
}

/*
 * Restore a backup into the state directory, which must be missing or
 * empty. The copy is made and opened (with the KEK given, or the one the
 * configuration names) in a scratch directory beside it, and renamed into
 * place only once it opens.
 */
static int
cmd_restore(struct ctl *ctl, int argc, char *argv[])
{
	struct storage		*st = NULL;
	struct storage_opts	 so;
	char			 tmp[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	char			 kek[PATH_MAX];
	const char		*dir = ctl->c_cf.cf_state_dir;
	bool			 made = false, kek_in_dir;
	size_t			 dlen = strlen(dir);
	int			 rc, ret = 1;

	if (argc != 2 && argc != 3)
		usage(2);
	if ((rc = ctl_dir_free(dir)) != 0) {
		log_warnx("restore: %s: %s", dir, rc == -EEXIST ? "not empty; "
		    "restore goes into a missing or empty state directory "
		    "(move the old one aside first)" : strerror(-rc));
		return 1;
	}
	if (ctl_kek_path(ctl) != 0 ||
	    ctl_scratch_name(dir, "restore", tmp, sizeof(tmp)) != 0 ||
	    util_snprintf(from, sizeof(from), "%s/data.mdb", argv[1]) != 0 ||
	    util_snprintf(to, sizeof(to), "%s/data.mdb", tmp) != 0) {
		log_warnx("restore: path too long");
		return 1;
	}
	/* Where the store will look for its KEK: inside it, or elsewhere. */
	kek_in_dir = strncmp(ctl->c_kek, dir, dlen) == 0 &&
	    ctl->c_kek[dlen] == '/';
	if (kek_in_dir && argc != 3) {
		log_warnx("restore: the KEK lives in the state directory (%s); "
		    "name the KEK file that goes with the backup: "
		    "palautectl restore BACKUPDIR KEKFILE", ctl->c_kek);
		return 2;
	}
	if (mkdir(tmp, 0700) == -1) {
		log_warn("restore: %s", tmp);
		return 1;
	}
	made = true;
	if (ctl_copy_file(from, to) != 0)
		goto done;
	if (util_snprintf(kek, sizeof(kek), "%s", ctl->c_kek) != 0)
		goto done;
	if (argc == 3) {
		if (kek_in_dir) {
			if (util_snprintf(kek, sizeof(kek), "%s%s", tmp,
			    ctl->c_kek + dlen) != 0 ||
			    ctl_copy_file(argv[2], kek) != 0)
				goto done;
		} else if (util_snprintf(kek, sizeof(kek), "%s", argv[2]) !=
		    0)
			goto done;
	}
	/* It must open before it takes the place of the store. */
	memset(&so, 0, sizeof(so));
	so.so_dir = tmp;
	so.so_kek_path = kek;
	so.so_root_key_path = ctl->c_root_key;
	so.so_map_size = ctl->c_cf.cf_map_size;
	if ((rc = storage_open(&so, &st)) != 0) {
		log_warnx("restore: the backup does not open with %s: %s",
		    kek, strerror(-rc));
		goto done;
	}
	storage_close(st);
	st = NULL;
	if (util_snprintf(to, sizeof(to), "%s/lock.mdb", tmp) == 0)
		(void)unlink(to);
	if (rename(tmp, dir) == -1) {
		log_warn("restore: rename %s to %s", tmp, dir);
		goto done;
	}
	made = false;
	if ((rc = util_fsync_parent(dir)) != 0) {
		log_warnx("restore: %s: %s", dir, strerror(-rc));
		goto done;
	}
	printf("restored %s into %s\n", argv[1], dir);
	if (!kek_in_dir && argc == 3)
		printf("the store opens with %s; make it the KEK file the "
		    "configuration names (%s)\n", argv[2], ctl->c_kek);
	ret = 0;
done:
	storage_close(st);
	if (made)
		ctl_rmscratch(tmp);
	return ret;
}

/* Retention now, as the daemon does once a day (core/retention.h). */
static int
cmd_purge(struct ctl *ctl, int argc, char *argv[])
{
	struct storage		*st = NULL;
	struct retention_report	 rr;
	int			 fd = -1, rc, ret = 1;

	if (argc != 1)
		usage(2);
	if (ctl_lock(ctl, "purge", &fd) != 0)
		goto done;
	ctl->c_keylock_excl = true;
	if (ctl_open(ctl, false, &st) != 0)
		goto done;
	rc = retention_run(st, util_today(), "palautectl", &rr);
	ctl_own(ctl);
	printf("surveys %u\nmonths_purged %u\nidempotency_dropped %zu\n"
	    "kek_rotated %s\n", rr.rr_surveys, rr.rr_months, rr.rr_idem,
	    rr.rr_rotated ? "yes" : "no");
	if (rc != 0) {
		log_warnx("purge: failed: %s (what is listed above was done; "
		    "run it again)", strerror(-rc));
		goto done;
	}
	ret = 0;
done:
	storage_close(st);
	if (fd != -1)
		close(fd);
	return ret;
}

/*
 * A fresh KEK re-wraps every key, and the KEK file is replaced atomically
 * (storage_rotate_kek). palauted reads the new file when it next starts.
 */
static int
cmd_rotate_kek(struct ctl *ctl, int argc, char *argv[])
{
	struct storage		*st = NULL;
	struct storage_txn	*txn = NULL;
	int			 fd = -1, rc, ret = 1;

	if (argc != 1)
		usage(2);
	if (ctl_lock(ctl, "rotate-kek", &fd) != 0)
		goto done;
	ctl->c_keylock_excl = true;
	if (ctl_open(ctl, false, &st) != 0)
		goto done;
	rc = storage_rotate_kek(st);
	ctl_own(ctl);
	if (rc != 0) {
		log_warnx("rotate-kek: failed: %s", strerror(-rc));
		goto done;
	}
	/* The audit log says that it happened, not with which key. */
	if ((rc = storage_txn_begin(st, true, &txn)) != 0 ||
	    (rc = audit_append(txn, "palautectl", "key.rotate",
	    json_pack("{s:s}", "reason", "palautectl"))) != 0 ||
	    (rc = storage_txn_commit(txn)) != 0) {
		txn = NULL;
		log_warnx("rotate-kek: rotated, but the audit entry failed: %s",
		    strerror(-rc));
		goto done;
	}
	txn = NULL;
	printf("KEK rotated: %s now holds the new key; copies and backups "
	    "made before\nopen only with the previous key file\n", ctl->c_kek);
	ret = 0;
done:
	storage_txn_abort(txn);
	storage_close(st);
	if (fd != -1)
		close(fd);
	return ret;
}
