/*
 * lmdb.c — the kv layer on LMDB; the only file that includes <lmdb.h>.
 * Every MDB_* code becomes a negative errno in kv_err() and nowhere else.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "common/log.h"
#include "common/util.h"
#include "storage/kv.h"

enum kv_cstate {
	KC_START,	/* next positions at kc_from */
	KC_ITER,	/* next steps forward */
	KC_DONE,	/* past the prefix */
	KC_DEAD		/* the transaction ended under it */
};

struct kv_env {
	MDB_env		*ke_env;
	MDB_dbi		 ke_dbi[KV_DB_MAX];
	unsigned	 ke_ndb;
	uint64_t	 ke_alloc_end;	/* allocated to here */
	bool		 ke_noalloc;	/* no fallocate here */
};

struct kv_cursor {
	LIST_ENTRY(kv_cursor)	 kc_entry;
	struct kv_txn		*kc_txn;
	MDB_cursor		*kc_cur;
	enum kv_cstate		 kc_state;
	unsigned char		 kc_prefix[KV_KEY_MAX];
	size_t			 kc_plen;
	unsigned char		 kc_from[KV_KEY_MAX];
	size_t			 kc_flen;
};

struct kv_txn {
	struct kv_env		*kt_env;
	MDB_txn			*kt_txn;
	struct kv_txn		*kt_parent;
	struct kv_txn		*kt_child;
	bool			 kt_write;
	int			 kt_err;	/* first failed put or del */
	LIST_HEAD(, kv_cursor)	 kt_cursors;
};

/*
 * Flags that trade durability (or, for NOMEMINIT, leftover heap bytes in
 * the file) for speed. A 201 means "committed durably" (DESIGN.md 2.3), and
 * heap bytes may hold plaintext, so an environment with any of them is
 * refused rather than trusted.
 */
#define KV_UNSAFE_FLAGS	(MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC | \
	MDB_WRITEMAP | MDB_NOMEMINIT)

static const struct {
	int	 code;
	int	 err;
} kv_errtab[] = {
	{ MDB_NOTFOUND,		-ENOENT },
	{ MDB_KEYEXIST,		-EEXIST },
	{ MDB_MAP_FULL,		-ENOSPC },
	{ MDB_TXN_FULL,		-ENOSPC },	/* a batch dirtied too much */
	{ MDB_READERS_FULL,	-EAGAIN },
	{ MDB_CORRUPTED,	-EIO },
	{ MDB_PANIC,		-EIO },
	{ MDB_PAGE_NOTFOUND,	-EIO },
	{ MDB_INVALID,		-EIO },
	{ MDB_VERSION_MISMATCH,	-EIO },
	{ MDB_MAP_RESIZED,	-EIO },
	{ MDB_BAD_TXN,		-EINVAL },
	{ MDB_BAD_VALSIZE,	-EINVAL },
	{ MDB_BAD_DBI,		-EINVAL },
	{ MDB_INCOMPATIBLE,	-EIO },
};

/*
 * A write that the file system cut short for want of room leaves less
 * than a block free; an I/O error leaves the free space as it was. What
 * is free after a failed write tells them apart, with this margin for
 * the others writing to the same disk meanwhile (a log, a file deleted).
 */
#define KV_FULL_SLACK	((uint64_t)1 << 20)

static int	kv_err(const char *, int);
static int	kv_write_err(struct kv_env *, const char *, int);
static void	kv_txn_end(struct kv_txn *, bool);

/*
 * The one mapping from LMDB results to negative errno. Codes that mean
 * "the store is damaged or misconfigured" are logged here, with what was
 * being done, because the caller only sees -EIO.
 */
static int
kv_err(const char *what, int rc)
{
	size_t	i;

	if (rc == MDB_SUCCESS)
		return 0;
	for (i = 0; i < sizeof(kv_errtab) / sizeof(kv_errtab[0]); i++) {
		if (kv_errtab[i].code != rc)
			continue;
		if (kv_errtab[i].err == -EIO || kv_errtab[i].err == -EINVAL)
			log_warnx("lmdb: %s: %s", what, mdb_strerror(rc));
		return kv_errtab[i].err;
	}
	/* LMDB passes system errors through as positive errno values. */
	if (rc > 0)
		return -rc;
	log_warnx("lmdb: %s: %s", what, mdb_strerror(rc));
	return -EIO;
}

/*
 * The result of an engine call that may have written the data file: a
 * commit, or a put or delete that spilled dirty pages to it. ENOSPC and
 * EDQUOT from the kernel mean a full disk. So, mostly, does EIO: LMDB 0.9
 * returns it for a write the file system cut short ("short write,
 * filesystem full?"), and its own write error for the rest; the free
 * space left tells which. Either way the transaction is gone and nothing
 * of it is in the file's meta pages, so a full disk is -EDQUOT, a state
 * that ends when a later commit finds room. Not so when the environment
 * refuses transactions from now on (a failed write of a meta page sets
 * LMDB's fatal flag: MDB_PANIC until it is reopened), nor for an EIO
 * with room on the disk: those are -EIO, logged here.
 */
static int
kv_write_err(struct kv_env *env, const char *what, int rc)
{
	MDB_txn		*probe = NULL;
	uint64_t	 avail = UINT64_MAX;
	int		 prc;

	if (rc != EIO && rc != ENOSPC && rc != EDQUOT)
		return kv_err(what, rc);
	prc = mdb_txn_begin(env->ke_env, NULL, MDB_RDONLY, &probe);
	if (prc == MDB_SUCCESS)
		mdb_txn_abort(probe);
	if (prc == MDB_PANIC) {
		log_warnx("lmdb: %s: %s; the store refuses every transaction "
		    "until the daemon is restarted", what, strerror(rc));
		return -EIO;
	}
	(void)kv_disk_free(env, &avail);
	if (rc != EIO || avail < KV_FULL_SLACK) {
		log_debug("lmdb: %s: %s, with %llu bytes free: the disk is "
		    "full", what, strerror(rc), (unsigned long long)avail);
		return -EDQUOT;
	}
	log_warnx("lmdb: %s: %s, with %llu bytes free on the disk", what,
	    strerror(rc), (unsigned long long)avail);
	return -EIO;
}

int
kv_open(const char *dir, size_t map_size, const char *const *names,
    unsigned ndb, struct kv_env **out)
{
	struct kv_env	*env = NULL;
	MDB_txn		*txn = NULL;
	unsigned	 i, flags = 0;
	int		 dead = 0, rc, ret = -1;

	if (dir == NULL || names == NULL || ndb == 0 || ndb > KV_DB_MAX ||
	    out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((env = calloc(1, sizeof(*env))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((rc = mdb_env_create(&env->ke_env)) != 0) {
		ret = kv_err("mdb_env_create", rc);
		goto done;
	}
	if ((rc = mdb_env_set_maxdbs(env->ke_env, ndb)) != 0) {
		ret = kv_err("mdb_env_set_maxdbs", rc);
		goto done;
	}
	if (map_size != 0 &&
	    (rc = mdb_env_set_mapsize(env->ke_env, map_size)) != 0) {
		ret = kv_err("mdb_env_set_mapsize", rc);
		goto done;
	}
	/*
	 * MDB_NOTLS: read transactions are opened both in the event loop and
	 * in the writer thread, and reader slots must follow the transaction,
	 * not the thread. A directory (no MDB_NOSUBDIR) keeps data.mdb and
	 * lock.mdb together. Nothing else: the defaults are the durable ones.
	 */
	if ((rc = mdb_env_open(env->ke_env, dir, MDB_NOTLS, 0600)) != 0) {
		ret = kv_err("mdb_env_open", rc);
		if (ret != -EIO)
			log_warnx("%s: cannot open the store: %s", dir,
			    strerror(-ret));
		goto done;
	}
	if ((rc = mdb_env_get_flags(env->ke_env, &flags)) != 0) {
		ret = kv_err("mdb_env_get_flags", rc);
		goto done;
	}
	if ((flags & KV_UNSAFE_FLAGS) != 0) {
		log_warnx("%s: environment flags 0x%x weaken durability; "
		    "refusing to run", dir, flags & KV_UNSAFE_FLAGS);
		ret = -EINVAL;
		goto done;
	}
	if (mdb_env_get_maxkeysize(env->ke_env) < KV_KEY_MAX) {
		log_warnx("%s: liblmdb built with keys shorter than %d bytes",
		    dir, KV_KEY_MAX);
		ret = -EINVAL;
		goto done;
	}
	/* A crashed palautectl or daemon may have left its reader slots. */
	if ((rc = mdb_reader_check(env->ke_env, &dead)) != 0) {
		ret = kv_err("mdb_reader_check", rc);
		goto done;
	}
	if (dead > 0)
		log_info("%s: cleared %d stale reader slot(s)", dir, dead);

	/*
	 * Database handles are opened once, here, in a write transaction:
	 * a handle opened later in a read transaction would be private to
	 * it, and MDB_CREATE needs a writer anyway.
	 */
	if ((rc = mdb_txn_begin(env->ke_env, NULL, 0, &txn)) != 0) {
		ret = kv_err("mdb_txn_begin", rc);
		goto done;
	}
	for (i = 0; i < ndb; i++) {
		rc = mdb_dbi_open(txn, names[i], MDB_CREATE, &env->ke_dbi[i]);
		if (rc != 0) {
			ret = kv_err("mdb_dbi_open", rc);
			goto done;
		}
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		ret = kv_err("mdb_txn_commit", rc);
		goto done;
	}
	env->ke_ndb = ndb;
	*out = env;
	env = NULL;
	ret = 0;
done:
	if (txn != NULL)
		mdb_txn_abort(txn);
	kv_close(env);
	return ret;
}

void
kv_close(struct kv_env *env)
{
	if (env == NULL)
		return;
	if (env->ke_env != NULL)
		mdb_env_close(env->ke_env);
	free(env);
}

int
kv_reader_check(struct kv_env *env)
{
	int	dead = 0, rc;

	if (env == NULL)
		return -EINVAL;
	if ((rc = mdb_reader_check(env->ke_env, &dead)) != 0)
		return kv_err("mdb_reader_check", rc);
	return dead;
}

int
kv_info(struct kv_env *env, uint64_t *map_size, uint64_t *map_used)
{
	MDB_envinfo	info;
	MDB_stat	st;
	int		rc;

	if (env == NULL || map_size == NULL || map_used == NULL)
		return -EINVAL;
	if ((rc = mdb_env_info(env->ke_env, &info)) != 0)
		return kv_err("mdb_env_info", rc);
	if ((rc = mdb_env_stat(env->ke_env, &st)) != 0)
		return kv_err("mdb_env_stat", rc);
	*map_size = info.me_mapsize;
	*map_used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	return 0;
}

int
kv_disk_free(struct kv_env *env, uint64_t *avail)
{
	struct statvfs	 sv;
	const char	*path = NULL;
	int		 rc;

	if (env == NULL || avail == NULL)
		return -EINVAL;
	if ((rc = mdb_env_get_path(env->ke_env, &path)) != 0)
		return kv_err("mdb_env_get_path", rc);
	if (statvfs(path, &sv) == -1)
		return -errno;
	*avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

int
kv_reserve(struct kv_env *env, uint64_t bytes)
{
	MDB_envinfo	info;
	MDB_stat	st;
	uint64_t	used, from, to, avail = 0;
	int		fd, rc;

	if (env == NULL)
		return -EINVAL;
	if ((rc = mdb_env_info(env->ke_env, &info)) != 0)
		return kv_err("mdb_env_info", rc);
	if ((rc = mdb_env_stat(env->ke_env, &st)) != 0)
		return kv_err("mdb_env_stat", rc);
	/* A new transaction's pages go past the last one in use. */
	used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	if (env->ke_alloc_end >= used + bytes)
		return 0;
	/*
	 * Only what is missing, and half a reserve more when the disk has
	 * it: a store that grows by a few pages a commit would otherwise
	 * call fallocate() at every commit, over the whole reserve again,
	 * which cost a twentieth of the daemon's time per durable submission
	 * (bench/run-intake).
	 */
	from = env->ke_alloc_end > used ? env->ke_alloc_end : used;
	to = used + bytes;
	/*
	 * Asked first: a fallocate() that fails for want of room may keep
	 * what it could allocate, and would take the disk's last bytes
	 * from everyone else. The space reserved for root counts as full.
	 */
	if ((rc = kv_disk_free(env, &avail)) != 0)
		return rc;
	if (avail < to - from)
		return -EDQUOT;
	if (avail >= to + bytes / 2 - from)
		to += bytes / 2;
#ifdef FALLOC_FL_KEEP_SIZE
	if (!env->ke_noalloc) {
		if ((rc = mdb_env_get_fd(env->ke_env, &fd)) != 0)
			return kv_err("mdb_env_get_fd", rc);
		/*
		 * KEEP_SIZE: LMDB reads nothing past the pages it wrote, and
		 * a copy of the file stays the size of what it holds.
		 */
		do
			rc = fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)from,
			    (off_t)(to - from));
		while (rc == -1 && errno == EINTR);
		if (rc == 0) {
			env->ke_alloc_end = to;
			return 0;
		}
		/* EFBIG: past the largest file this file system holds. */
		if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)
			return -EDQUOT;
		if (errno != EOPNOTSUPP && errno != ENOSYS)
			return -errno;
		log_info("lmdb: the file system cannot preallocate: a full "
		    "disk shows only when a write fails");
		env->ke_noalloc = true;
	}
#else
	(void)fd;
#endif
	return 0;
}

int
kv_copy(struct kv_env *env, const char *dir)
{
	char	path[PATH_MAX];
	int	fd = -1, rc, ret = -1;
	bool	created = false;

	if (env == NULL || dir == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = util_snprintf(path, sizeof(path), "%s/data.mdb", dir)) != 0)
		goto done;
	/*
	 * Our own descriptor rather than mdb_env_copy2(): that one creates
	 * the file 0666 & ~umask and never fsyncs it, and a backup that is
	 * world-readable or lost to a crash is not a backup.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		ret = -errno;
		goto done;
	}
	created = true;
	/* Compacting: freed pages (shredded months) are not carried over. */
	if ((rc = mdb_env_copyfd2(env->ke_env, fd, MDB_CP_COMPACT)) != 0) {
		ret = kv_err("mdb_env_copyfd2", rc);
		goto done;
	}
	if (fsync(fd) == -1) {
		ret = -errno;
		goto done;
	}
	rc = close(fd);
	fd = -1;
	if (rc == -1) {
		ret = -errno;
		goto done;
	}
	ret = util_fsync_dir(dir);
done:
	if (fd != -1)
		close(fd);
	if (ret != 0 && created)
		(void)unlink(path);
	return ret;
}

int
kv_txn_begin(struct kv_env *env, struct kv_txn *parent, bool write,
    struct kv_txn **out)
{
	struct kv_txn	*txn = NULL;
	int		 rc, ret = -1;

	if (env == NULL || out == NULL ||
	    (parent != NULL && (!parent->kt_write || !write ||
	    parent->kt_child != NULL || parent->kt_env != env))) {
		ret = -EINVAL;
		goto done;
	}
	if ((txn = calloc(1, sizeof(*txn))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	txn->kt_env = env;
	txn->kt_parent = parent;
	txn->kt_write = write;
	LIST_INIT(&txn->kt_cursors);
	rc = mdb_txn_begin(env->ke_env, parent != NULL ? parent->kt_txn : NULL,
	    write ? 0 : MDB_RDONLY, &txn->kt_txn);
	if (rc != 0) {
		ret = kv_err("mdb_txn_begin", rc);
		goto done;
	}
	if (parent != NULL)
		parent->kt_child = txn;
	*out = txn;
	txn = NULL;
	ret = 0;
done:
	free(txn);
	return ret;
}

/*
 * Close the cursors still open in txn (LMDB frees a write transaction's
 * cursors itself, so a later mdb_cursor_close() would be a double free),
 * end any child first, then commit or abort.
 */
static void
kv_txn_end(struct kv_txn *txn, bool abort_only)
{
	struct kv_cursor	*cur;

	if (txn->kt_child != NULL) {
		kv_txn_end(txn->kt_child, true);
		free(txn->kt_child);
		txn->kt_child = NULL;
	}
	while ((cur = LIST_FIRST(&txn->kt_cursors)) != NULL) {
		LIST_REMOVE(cur, kc_entry);
		mdb_cursor_close(cur->kc_cur);
		cur->kc_cur = NULL;
		cur->kc_txn = NULL;
		cur->kc_state = KC_DEAD;
	}
	if (txn->kt_parent != NULL)
		txn->kt_parent->kt_child = NULL;
	if (abort_only && txn->kt_txn != NULL) {
		mdb_txn_abort(txn->kt_txn);
		txn->kt_txn = NULL;
	}
}

int
kv_txn_commit(struct kv_txn *txn)
{
	struct kv_env	*env;
	bool		 had_child;
	int		 rc, ret = -1;

	if (txn == NULL)
		return -EINVAL;
	env = txn->kt_env;
	/* Committing over a live child would commit half a batch item. */
	had_child = txn->kt_child != NULL;
	if (had_child || txn->kt_err != 0) {
		ret = had_child ? -EINVAL : txn->kt_err;
		kv_txn_end(txn, true);
		goto done;
	}
	kv_txn_end(txn, false);
	rc = mdb_txn_commit(txn->kt_txn);
	txn->kt_txn = NULL;
	if (rc != 0) {
		ret = kv_write_err(env, "mdb_txn_commit", rc);
		goto done;
	}
	ret = 0;
done:
	free(txn);
	return ret;
}

void
kv_txn_abort(struct kv_txn *txn)
{
	if (txn == NULL)
		return;
	kv_txn_end(txn, true);
	free(txn);
}

bool
kv_txn_write(const struct kv_txn *txn)
{
	return txn != NULL && txn->kt_write;
}

uint64_t
kv_txn_id(const struct kv_txn *txn)
{
	return txn != NULL && txn->kt_txn != NULL ?
	    (uint64_t)mdb_txn_id(txn->kt_txn) : 0;
}

int
kv_count(struct kv_txn *txn, unsigned db, uint64_t *entries)
{
	MDB_stat	st;
	int		rc;

	if (txn == NULL || db >= txn->kt_env->ke_ndb || entries == NULL)
		return -EINVAL;
	if ((rc = mdb_stat(txn->kt_txn, txn->kt_env->ke_dbi[db], &st)) != 0)
		return kv_err("mdb_stat", rc);
	*entries = st.ms_entries;
	return 0;
}

int
kv_get(struct kv_txn *txn, unsigned db, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	MDB_val	k, v;
	int	rc;

	if (txn == NULL || db >= txn->kt_env->ke_ndb || key == NULL ||
	    klen == 0 || klen > KV_KEY_MAX || val == NULL || vlen == NULL)
		return -EINVAL;
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	if ((rc = mdb_get(txn->kt_txn, txn->kt_env->ke_dbi[db], &k, &v)) != 0)
		return kv_err("mdb_get", rc);
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

int
kv_put(struct kv_txn *txn, unsigned db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags)
{
	MDB_val	k, v;
	int	rc, ret;

	if (txn == NULL || !txn->kt_write || txn->kt_child != NULL ||
	    db >= txn->kt_env->ke_ndb || key == NULL || klen == 0 ||
	    klen > KV_KEY_MAX || (val == NULL && vlen != 0) ||
	    (flags & ~KV_NOOVERWRITE) != 0)
		return -EINVAL;
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	v.mv_data = (void *)(uintptr_t)val;
	v.mv_size = vlen;
	rc = mdb_put(txn->kt_txn, txn->kt_env->ke_dbi[db], &k, &v,
	    (flags & KV_NOOVERWRITE) ? MDB_NOOVERWRITE : 0);
	ret = kv_write_err(txn->kt_env, "mdb_put", rc);
	/* An existing key leaves the transaction usable; anything else not. */
	if (ret != 0 && ret != -EEXIST && txn->kt_err == 0)
		txn->kt_err = ret;
	return ret;
}

int
kv_del(struct kv_txn *txn, unsigned db, const void *key, size_t klen)
{
	MDB_val	k;
	int	rc, ret;

	if (txn == NULL || !txn->kt_write || txn->kt_child != NULL ||
	    db >= txn->kt_env->ke_ndb || key == NULL || klen == 0 ||
	    klen > KV_KEY_MAX)
		return -EINVAL;
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	rc = mdb_del(txn->kt_txn, txn->kt_env->ke_dbi[db], &k, NULL);
	ret = kv_write_err(txn->kt_env, "mdb_del", rc);
	if (ret != 0 && ret != -ENOENT && txn->kt_err == 0)
		txn->kt_err = ret;
	return ret;
}

int
kv_cursor_open(struct kv_txn *txn, unsigned db, const void *prefix,
    size_t plen, struct kv_cursor **out)
{
	struct kv_cursor	*cur = NULL;
	int			 rc, ret = -1;

	if (txn == NULL || txn->kt_child != NULL ||
	    db >= txn->kt_env->ke_ndb || plen > KV_KEY_MAX ||
	    (prefix == NULL && plen != 0) || out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((cur = calloc(1, sizeof(*cur))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	rc = mdb_cursor_open(txn->kt_txn, txn->kt_env->ke_dbi[db],
	    &cur->kc_cur);
	if (rc != 0) {
		ret = kv_err("mdb_cursor_open", rc);
		goto done;
	}
	if (plen > 0) {
		memcpy(cur->kc_prefix, prefix, plen);
		memcpy(cur->kc_from, prefix, plen);
	}
	cur->kc_plen = cur->kc_flen = plen;
	cur->kc_state = KC_START;
	cur->kc_txn = txn;
	LIST_INSERT_HEAD(&txn->kt_cursors, cur, kc_entry);
	*out = cur;
	cur = NULL;
	ret = 0;
done:
	free(cur);
	return ret;
}

int
kv_cursor_seek(struct kv_cursor *cur, const void *from, size_t flen)
{
	if (cur == NULL || cur->kc_state == KC_DEAD)
		return -EINVAL;
	if (flen < cur->kc_plen || flen > KV_KEY_MAX ||
	    (flen > 0 && from == NULL) || (cur->kc_plen > 0 &&
	    memcmp(from, cur->kc_prefix, cur->kc_plen) != 0))
		return -EINVAL;
	if (flen > 0)
		memcpy(cur->kc_from, from, flen);
	cur->kc_flen = flen;
	cur->kc_state = KC_START;
	return 0;
}

int
kv_cursor_next(struct kv_cursor *cur, const void **key, size_t *klen,
    const void **val, size_t *vlen)
{
	MDB_val		k, v;
	int		rc;

	if (cur == NULL || key == NULL || klen == NULL || val == NULL ||
	    vlen == NULL)
		return -EINVAL;
	/* A parent's cursors are off limits while a child runs (LMDB). */
	if (cur->kc_txn != NULL && cur->kc_txn->kt_child != NULL)
		return -EINVAL;
	switch (cur->kc_state) {
	case KC_DEAD:
		return -EINVAL;
	case KC_DONE:
		return -ENOENT;
	case KC_START:
		if (cur->kc_flen == 0) {
			rc = mdb_cursor_get(cur->kc_cur, &k, &v, MDB_FIRST);
		} else {
			k.mv_data = cur->kc_from;
			k.mv_size = cur->kc_flen;
			rc = mdb_cursor_get(cur->kc_cur, &k, &v, MDB_SET_RANGE);
		}
		break;
	case KC_ITER:
	default:
		rc = mdb_cursor_get(cur->kc_cur, &k, &v, MDB_NEXT);
		break;
	}
	if (rc == MDB_NOTFOUND || (rc == 0 && cur->kc_plen > 0 &&
	    (k.mv_size < cur->kc_plen ||
	    memcmp(k.mv_data, cur->kc_prefix, cur->kc_plen) != 0))) {
		cur->kc_state = KC_DONE;
		return -ENOENT;
	}
	if (rc != 0)
		return kv_err("mdb_cursor_get", rc);
	cur->kc_state = KC_ITER;
	*key = k.mv_data;
	*klen = k.mv_size;
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

int
kv_cursor_del(struct kv_cursor *cur)
{
	struct kv_txn	*txn;
	MDB_val		 k, v;
	int		 rc, ret;

	if (cur == NULL || cur->kc_state != KC_ITER ||
	    !cur->kc_txn->kt_write || cur->kc_txn->kt_child != NULL)
		return -EINVAL;
	txn = cur->kc_txn;
	if ((rc = mdb_cursor_get(cur->kc_cur, &k, &v, MDB_GET_CURRENT)) != 0)
		return kv_err("mdb_cursor_get", rc);
	/*
	 * Restart from the deleted key rather than trust where LMDB leaves
	 * the cursor after a delete at a page boundary: a SET_RANGE on a key
	 * that is gone lands on the one after it.
	 */
	memcpy(cur->kc_from, k.mv_data, k.mv_size);
	cur->kc_flen = k.mv_size;
	rc = mdb_cursor_del(cur->kc_cur, 0);
	if ((ret = kv_write_err(txn->kt_env, "mdb_cursor_del", rc)) != 0) {
		if (txn->kt_err == 0)
			txn->kt_err = ret;
		return ret;
	}
	cur->kc_state = KC_START;
	return 0;
}

void
kv_cursor_close(struct kv_cursor *cur)
{
	if (cur == NULL)
		return;
	if (cur->kc_txn != NULL) {
		LIST_REMOVE(cur, kc_entry);
		mdb_cursor_close(cur->kc_cur);
	}
	free(cur);
}
