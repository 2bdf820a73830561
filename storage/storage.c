/*
 * storage.c — the engine-neutral store: sealed values in named databases.
 * Bytes go through kv (lmdb.c), sealing through seal.c, keys through keys.c;
 * this file never sees an LMDB type or an AEAD call.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "storage/keys.h"
#include "storage/kv.h"
#include "storage/seal.h"
#include "storage/storage.h"

/*
 * Map size when the caller gives none. The map is address space, not
 * memory or disk: the file is sparse and grows with the data. LMDB can only
 * grow a map while no transaction of the process is open, which a daemon
 * with readers in two threads never knows, so it is set once, far above
 * years of feedback (~1 KB a response, ~1 M responses a year). On 32-bit
 * the address space is the limit.
 */
#if SIZE_MAX > 0xffffffffu
#define STORAGE_MAP_SIZE_DEFAULT	((size_t)8 << 30)	/* 8 GiB */
#else
#define STORAGE_MAP_SIZE_DEFAULT	((size_t)1 << 30)	/* 1 GiB */
#endif

/* Records of the meta database kept by this file. */
#define STORAGE_SCHEMA		1
static const char	storage_key_schema[] = "schema";
#define STORAGE_COUNTER_PREFIX	"counter/"
#define STORAGE_COUNTER_MAX	64
/* Spare data-key buffers: a writer's nesting depth and a few readers. */
#define STORAGE_DKPOOL		8

/*
 * Database names. They are on-disk format twice over: LMDB's name of each
 * database, and part of every value's associated data. Never rename one.
 */
static const char *const storage_db_names[STORAGE_DB_COUNT] = {
	[STORAGE_DB_META] =		"meta",
	[STORAGE_DB_UNITS] =		"units",
	[STORAGE_DB_SURVEYS] =		"surveys",
	[STORAGE_DB_COLLECTORS] =	"collectors",
	[STORAGE_DB_RESPONSES] =	"responses",
	[STORAGE_DB_CELLS] =		"cells",
	[STORAGE_DB_INVITATIONS] =	"invitations",
	[STORAGE_DB_USERS] =		"users",
	[STORAGE_DB_TOKENS] =		"tokens",
	[STORAGE_DB_AUDIT] =		"audit",
	[STORAGE_DB_IDEMPOTENCY] =	"idempotency",
	[STORAGE_DB_DEVICES] =		"devices",
	[STORAGE_DB_COMMENTS] =		"comments",
};

struct storage {
	struct kv_env	*st_kv;
	struct keys	*st_keys;
	/*
	 * The KEK gate. Data keys are unwrapped inside transactions, with the
	 * KEK of the snapshot they read; a rotation must not swap the KEK
	 * under a transaction that began before it. So rotation closes the
	 * gate, waits for every open transaction to end, swaps, and opens
	 * it. A counter rather than a rwlock, because a read transaction may
	 * end in another thread than the one that began it.
	 */
	pthread_mutex_t	 st_mtx;
	pthread_cond_t	 st_cv;
	unsigned	 st_txns;	/* top-level transactions open */
	/*
	 * Guarded buffers for unwrapped data keys, wiped and kept for reuse
	 * (under st_mtx). A sodium_malloc() and sodium_free() for each
	 * transaction cost an mmap, mprotects and an munmap, and on a VM the
	 * TLB shootdowns of those took half the writer's time with one child
	 * transaction per response (bench/run-intake).
	 */
	unsigned char	*st_dkpool[STORAGE_DKPOOL];
	unsigned	 st_ndkpool;
	bool		 st_swapping;	/* a rotation holds the gate */
	bool		 st_sync_init;
	atomic_bool	 st_failed;	/* a commit failed with -EIO */
	atomic_bool	 st_full;	/* the disk is full */
	/*
	 * Generations (storage_generation): st_gen[db] counts the commits
	 * that changed db; st_seen is the newest commit they account for. A
	 * transaction that begins on a newer snapshot met a commit of
	 * another process (or one of ours a moment before it was counted)
	 * and bumps them all: a spare cache miss, never a stale hit.
	 */
	_Atomic uint64_t st_gen[STORAGE_DB_COUNT];
	_Atomic uint64_t st_seen;
	struct storage_journal *st_journal;	/* NULL unless kept */
};

/*
 * The journal (storage_journal_keep): a ring of (generation, key) in
 * commit order. sj_valid is the oldest `since` it can still answer for:
 * raised when an entry is overwritten, when a commit's keys could not be
 * noted, and when another process's commit shows.
 */
struct storage_jentry {
	uint64_t	je_gen;
	uint8_t		je_klen;
	unsigned char	je_key[STORAGE_JOURNAL_KEYMAX];
};

struct storage_journal {
	pthread_mutex_t		 sj_mtx;
	enum storage_db		 sj_db;
	struct storage_jentry	*sj_ring;
	size_t			 sj_cap;
	uint64_t		 sj_count;	/* entries ever appended */
	uint64_t		 sj_valid;
};

/* The journaled keys a write transaction changed, until it commits. */
struct storage_jkeys {
	struct storage_jentry	*jk_v;	/* je_gen unused */
	size_t			 jk_n;
	size_t			 jk_cap;
	bool			 jk_lost;	/* a key could not be noted */
};
_Static_assert(STORAGE_DB_COUNT <= 32, "storage_txn.tx_dirty is 32 bits");

/* A note of storage_txn_note(). */
struct storage_note {
	uint8_t		sn_len;
	unsigned char	sn_data[STORAGE_NOTE_MAX];
};

/* One unwrapped data key, reused while a transaction stays in its month. */
struct storage_dk {
	unsigned char	*dk_key;	/* guarded; NULL until needed */
	uint32_t	 dk_survey;
	uint32_t	 dk_month;
	bool		 dk_valid;
	bool		 dk_lent;	/* the parent's, unchanged */
};

struct storage_txn {
	struct storage		*tx_st;
	struct kv_txn		*tx_kv;		/* NULL: parent ended it */
	struct storage_txn	*tx_parent;
	struct storage_txn	*tx_child;
	bool			 tx_write;
	uint32_t		 tx_dirty;	/* 1 << db for each db changed */
	struct storage_jkeys	 tx_jkeys;	/* the journal's db changed */
	struct storage_dk	 tx_dk;
	/* Top-level only: the commit's tag of response keys, once drawn. */
	bool			 tx_tagged;
	unsigned char		 tx_tag[STORAGE_RESPONSE_TAGLEN];
	struct storage_note	*tx_notes;
	size_t			 tx_nnotes;
	size_t			 tx_cnotes;
};

struct storage_iter {
	struct storage_txn	*it_txn;
	struct kv_cursor	*it_cur;
	enum storage_db		 it_db;
	bool			 it_done;
	bool			 it_ranged;	/* stop after it_day_to */
	uint32_t		 it_day_to;
	int			(*it_pick)(const void *, size_t, void *);
	void			*it_pick_arg;
	unsigned char		 it_key[KV_KEY_MAX];
	size_t			 it_klen;
	unsigned char		*it_val;	/* opened, NUL-ended */
	size_t			 it_vcap;
	size_t			 it_vlen;
};

static void	storage_gate_enter(struct storage *);
static void	storage_gate_leave(struct storage *);
static void	storage_gate_close(struct storage *);
static void	storage_gate_open(struct storage *);
static bool	storage_db_ok(enum storage_db);
static uint32_t	storage_be32(const unsigned char *);
static void	storage_put_be32(unsigned char *, uint32_t);
static int	storage_seal_key(struct storage_txn *, enum storage_db,
		    const unsigned char *, size_t, bool,
		    const unsigned char **, uint32_t *);
static int	storage_unseal(struct storage_txn *, enum storage_db,
		    const void *, size_t, const void *, size_t,
		    unsigned char *, size_t, size_t *);
static int	storage_schema(struct storage *, bool);
static void	storage_txn_end(struct storage_txn *, bool);
static void	storage_dk_return(struct storage_txn *, bool);
static int	storage_month_days(uint32_t, uint32_t *, uint32_t *);
static int	storage_dir_empty(const char *);
static int	storage_iter_alloc(struct storage_txn *, enum storage_db,
		    const void *, size_t, struct storage_iter **);

const char *
storage_db_name(enum storage_db db)
{
	return storage_db_ok(db) ? storage_db_names[db] : "unknown";
}

static bool
storage_db_ok(enum storage_db db)
{
	return (unsigned)db < STORAGE_DB_COUNT;
}

static uint32_t
storage_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
storage_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
storage_gate_enter(struct storage *st)
{
	pthread_mutex_lock(&st->st_mtx);
	while (st->st_swapping)
		pthread_cond_wait(&st->st_cv, &st->st_mtx);
	st->st_txns++;
	pthread_mutex_unlock(&st->st_mtx);
}

static void
storage_gate_leave(struct storage *st)
{
	pthread_mutex_lock(&st->st_mtx);
	if (--st->st_txns == 0)
		pthread_cond_broadcast(&st->st_cv);
	pthread_mutex_unlock(&st->st_mtx);
}

static void
storage_gate_close(struct storage *st)
{
	pthread_mutex_lock(&st->st_mtx);
	while (st->st_swapping)
		pthread_cond_wait(&st->st_cv, &st->st_mtx);
	st->st_swapping = true;
	while (st->st_txns > 0)
		pthread_cond_wait(&st->st_cv, &st->st_mtx);
	pthread_mutex_unlock(&st->st_mtx);
}

static void
storage_gate_open(struct storage *st)
{
	pthread_mutex_lock(&st->st_mtx);
	st->st_swapping = false;
	pthread_cond_broadcast(&st->st_cv);
	pthread_mutex_unlock(&st->st_mtx);
}

int
storage_open(const struct storage_opts *o, struct storage **out)
{
	struct storage		*st = NULL;
	struct keys_opts	 ko;
	struct stat		 sb;
	const char		*names[STORAGE_DB_COUNT + 1];
	char			 path[PATH_MAX];
	unsigned		 i;
	int			 ret = -1;

	if (o == NULL || o->so_dir == NULL || *o->so_dir == '\0' ||
	    out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = seal_init()) != 0) {
		log_warnx("libsodium cannot initialise");
		goto done;
	}
	if (o->so_create) {
		if (mkdir(o->so_dir, 0700) == -1 && errno != EEXIST) {
			ret = -errno;
			log_warn("%s", o->so_dir);
			goto done;
		}
	} else {
		/* LMDB would create an empty store; without so_create, no. */
		if ((ret = util_snprintf(path, sizeof(path), "%s/data.mdb",
		    o->so_dir)) != 0)
			goto done;
		if (stat(path, &sb) == -1) {
			ret = -errno;
			if (ret == -ENOENT)
				log_warnx("%s: no store here", o->so_dir);
			else
				log_warn("%s", path);
			goto done;
		}
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	atomic_init(&st->st_failed, false);
	atomic_init(&st->st_full, false);
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		atomic_init(&st->st_gen[i], 1);
	atomic_init(&st->st_seen, 0);
	if (pthread_mutex_init(&st->st_mtx, NULL) != 0) {
		free(st);
		st = NULL;
		ret = -ENOMEM;
		goto done;
	}
	if (pthread_cond_init(&st->st_cv, NULL) != 0) {
		pthread_mutex_destroy(&st->st_mtx);
		free(st);
		st = NULL;
		ret = -ENOMEM;
		goto done;
	}
	st->st_sync_init = true;

	for (i = 0; i < STORAGE_DB_COUNT; i++)
		names[i] = storage_db_names[i];
	names[KEYS_DB] = KEYS_DB_NAME;
	if ((ret = kv_open(o->so_dir, o->so_map_size != 0 ? o->so_map_size :
	    STORAGE_MAP_SIZE_DEFAULT, names, STORAGE_DB_COUNT + 1,
	    &st->st_kv)) != 0)
		goto done;

	memset(&ko, 0, sizeof(ko));
	ko.ko_dir = o->so_dir;
	ko.ko_kek_path = o->so_kek_path;
	ko.ko_root_key_path = o->so_root_key_path;
	ko.ko_create = o->so_create;
	if ((ret = keys_open(st->st_kv, &ko, &st->st_keys)) != 0)
		goto done;
	if ((ret = storage_schema(st, o->so_create)) != 0)
		goto done;
	*out = st;
	st = NULL;
	ret = 0;
done:
	storage_close(st);
	return ret;
}

/* Check (or, for a new store, record) the version of the layout. */
static int
storage_schema(struct storage *st, bool create)
{
	struct storage_txn	*txn = NULL;
	unsigned char		 v[4];
	void			*val = NULL;
	size_t			 len;
	int			 ret = -1;

	if ((ret = storage_txn_begin(st, false, &txn)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_META, storage_key_schema,
	    sizeof(storage_key_schema) - 1, &val, &len);
	storage_txn_abort(txn);
	txn = NULL;
	if (ret == 0) {
		if (len != sizeof(v) ||
		    storage_be32(val) != STORAGE_SCHEMA) {
			log_warnx("the store has schema %u; this program "
			    "knows %u", len == sizeof(v) ?
			    storage_be32(val) : 0, STORAGE_SCHEMA);
			ret = -EIO;
		}
		goto done;
	}
	if (ret != -ENOENT)
		goto done;
	if (!create) {
		log_warnx("the store has no schema record");
		goto done;
	}
	storage_put_be32(v, STORAGE_SCHEMA);
	if ((ret = storage_txn_begin(st, true, &txn)) != 0)
		goto done;
	ret = storage_put(txn, STORAGE_DB_META, storage_key_schema,
	    sizeof(storage_key_schema) - 1, v, sizeof(v), STORAGE_NOOVERWRITE);
	if (ret != 0)
		goto done;
	ret = storage_txn_commit(txn);
	txn = NULL;
done:
	storage_txn_abort(txn);
	free(val);
	return ret;
}

void
storage_close(struct storage *st)
{
	if (st == NULL)
		return;
	keys_close(st->st_keys);
	kv_close(st->st_kv);
	while (st->st_ndkpool > 0)
		sodium_free(st->st_dkpool[--st->st_ndkpool]);
	if (st->st_journal != NULL) {
		pthread_mutex_destroy(&st->st_journal->sj_mtx);
		free(st->st_journal->sj_ring);
		free(st->st_journal);
	}
	if (st->st_sync_init) {
		pthread_cond_destroy(&st->st_cv);
		pthread_mutex_destroy(&st->st_mtx);
	}
	free(st);
}

int
storage_reader_check(struct storage *st)
{
	if (st == NULL)
		return -EINVAL;
	return kv_reader_check(st->st_kv);
}

int
storage_stat(struct storage *st, struct storage_stat *out)
{
	struct storage_stat	 s;
	struct kv_txn		*txn = NULL;
	unsigned		 i;
	int			 ret = -1;

	if (st == NULL || out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	memset(&s, 0, sizeof(s));
	if ((ret = kv_info(st->st_kv, &s.ss_map_size, &s.ss_map_used)) != 0)
		goto done;
	/* Counting needs no key, so no gate either. */
	if ((ret = kv_txn_begin(st->st_kv, NULL, false, &txn)) != 0)
		goto done;
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		if ((ret = kv_count(txn, i, &s.ss_entries[i])) != 0)
			goto done;
	*out = s;
	ret = 0;
done:
	kv_txn_abort(txn);
	return ret;
}

bool
storage_writable(struct storage *st)
{
	return st != NULL && st->st_kv != NULL && st->st_keys != NULL &&
	    !atomic_load(&st->st_failed);
}

/* Into or out of the full state, with a line in the log each way. */
static void
storage_full_set(struct storage *st, bool full)
{
	uint64_t	avail = 0;

	if (atomic_exchange(&st->st_full, full) == full)
		return;
	if (full) {
		(void)kv_disk_free(st->st_kv, &avail);
		log_warnx("the disk of the store is full (%llu bytes free): "
		    "writes are refused with 507, reads and logins go on; "
		    "writes resume by themselves once there is room",
		    (unsigned long long)avail);
	} else
		log_info("the disk of the store has room again: writes "
		    "resume");
}

bool
storage_full(struct storage *st)
{
	return st != NULL && atomic_load(&st->st_full);
}

int
storage_reserve(struct storage *st, uint64_t bytes)
{
	int	rc;

	if (st == NULL || st->st_kv == NULL)
		return -EINVAL;
	/*
	 * Out of the full state only with the reserve free once more
	 * beyond it: a disk with just the reserve free would take one
	 * batch and be full again at the next.
	 */
	rc = kv_reserve(st->st_kv, atomic_load(&st->st_full) ? 2 * bytes :
	    bytes);
	if (rc == 0)
		storage_full_set(st, false);
	else if (rc == -EDQUOT)
		storage_full_set(st, true);
	return rc;
}

bool
storage_txn_dirty(const struct storage_txn *txn, enum storage_db db)
{
	for (; txn != NULL; txn = txn->tx_parent)
		if (txn->tx_dirty & (1u << db))
			return true;
	return false;
}

uint64_t
storage_generation(struct storage *st, enum storage_db db)
{
	if (st == NULL || !storage_db_ok(db))
		return 0;
	return atomic_load(&st->st_gen[db]);
}

/*
 * Bump db's generation. For the journal's db, under its lock: with jk,
 * the keys of our commit go in under the new generation; without (another
 * process's commit), nothing before it can be answered for any more.
 */
static void
storage_gen_bump(struct storage *st, unsigned db,
    const struct storage_jkeys *jk)
{
	struct storage_journal	*j = st->st_journal;
	struct storage_jentry	*e;
	uint64_t		 g;
	size_t			 i;

	if (j == NULL || j->sj_db != db) {
		atomic_fetch_add(&st->st_gen[db], 1);
		return;
	}
	pthread_mutex_lock(&j->sj_mtx);
	g = atomic_fetch_add(&st->st_gen[db], 1) + 1;
	if (jk == NULL || jk->jk_lost)
		j->sj_valid = g;
	for (i = 0; jk != NULL && i < jk->jk_n; i++) {
		e = &j->sj_ring[j->sj_count % j->sj_cap];
		/* Overwriting: spans reaching back past it are lost. */
		if (j->sj_count >= j->sj_cap && e->je_gen > j->sj_valid)
			j->sj_valid = e->je_gen;
		*e = jk->jk_v[i];
		e->je_gen = g;
		j->sj_count++;
	}
	pthread_mutex_unlock(&j->sj_mtx);
}

int
storage_journal_keep(struct storage *st, enum storage_db db, size_t cap)
{
	struct storage_journal	*j;

	if (st == NULL || !storage_db_ok(db) || cap == 0 ||
	    cap > SIZE_MAX / sizeof(struct storage_jentry))
		return -EINVAL;
	if (st->st_journal != NULL)
		return -EEXIST;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->sj_ring = calloc(cap, sizeof(*j->sj_ring))) == NULL ||
	    pthread_mutex_init(&j->sj_mtx, NULL) != 0) {
		if (j != NULL)
			free(j->sj_ring);
		free(j);
		return -ENOMEM;
	}
	j->sj_db = db;
	j->sj_cap = cap;
	/* Nothing before now is in it. */
	j->sj_valid = atomic_load(&st->st_gen[db]);
	st->st_journal = j;
	return 0;
}

int
storage_journal_read(struct storage *st, enum storage_db db, uint64_t since,
    uint64_t until, int (*fn)(const void *, size_t, void *), void *arg)
{
	struct storage_journal	*j;
	struct storage_jentry	*keys = NULL;
	uint64_t		 first, k;
	size_t			 n = 0, i;
	int			 ret = 0;

	if (st == NULL || (j = st->st_journal) == NULL || j->sj_db != db)
		return -ESTALE;
	pthread_mutex_lock(&j->sj_mtx);
	if (since < j->sj_valid) {
		pthread_mutex_unlock(&j->sj_mtx);
		return -ESTALE;
	}
	/* Newest first, back to `since`: a sync reads a few entries. */
	first = j->sj_count > j->sj_cap ? j->sj_count - j->sj_cap : 0;
	for (k = j->sj_count; k > first &&
	    j->sj_ring[(k - 1) % j->sj_cap].je_gen > since; k--)
		;
	if (j->sj_count > k && (keys = calloc((size_t)(j->sj_count - k),
	    sizeof(*keys))) == NULL)
		ret = -ENOMEM;
	for (; ret == 0 && k < j->sj_count; k++)
		if (j->sj_ring[k % j->sj_cap].je_gen <= until)
			keys[n++] = j->sj_ring[k % j->sj_cap];
	pthread_mutex_unlock(&j->sj_mtx);
	for (i = 0; ret == 0 && i < n; i++)
		ret = fn(keys[i].je_key, keys[i].je_klen, arg);
	free(keys);
	return ret;
}

/* Note a change of the journal's db in txn, for its commit. */
static void
storage_journal_note(struct storage_txn *txn, enum storage_db db,
    const void *key, size_t klen)
{
	struct storage_journal	*j = txn->tx_st->st_journal;
	struct storage_jkeys	*jk = &txn->tx_jkeys;
	struct storage_jentry	*v;
	size_t			 cap;

	if (j == NULL || j->sj_db != db || jk->jk_lost)
		return;
	if (klen > STORAGE_JOURNAL_KEYMAX) {
		jk->jk_lost = true;
		return;
	}
	if (jk->jk_n == jk->jk_cap) {
		cap = jk->jk_cap ? jk->jk_cap * 2 : 8;
		if ((v = realloc(jk->jk_v, cap * sizeof(*v))) == NULL) {
			jk->jk_lost = true;
			return;
		}
		jk->jk_v = v;
		jk->jk_cap = cap;
	}
	v = &jk->jk_v[jk->jk_n++];
	v->je_gen = 0;
	v->je_klen = (uint8_t)klen;
	memcpy(v->je_key, key, klen);
}

/* A child committed: its noted keys are its parent's now. */
static void
storage_journal_merge(struct storage_txn *parent, struct storage_txn *child)
{
	struct storage_jkeys	*c = &child->tx_jkeys;
	size_t			 i;

	if (c->jk_lost)
		parent->tx_jkeys.jk_lost = true;
	for (i = 0; i < c->jk_n && !parent->tx_jkeys.jk_lost; i++)
		storage_journal_note(parent, parent->tx_st->st_journal->sj_db,
		    c->jk_v[i].je_key, c->jk_v[i].je_klen);
}

/*
 * A transaction began on a snapshot holding commits up to `last`. Commits
 * past st_seen were not counted by this process: bump every generation
 * first, then move st_seen, so that whoever sees the new st_seen also
 * sees the bump (storage.h: read before and after the begin).
 */
static void
storage_gen_observe(struct storage *st, uint64_t last)
{
	uint64_t	seen = atomic_load(&st->st_seen);
	unsigned	i;

	if (last <= seen)
		return;
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		storage_gen_bump(st, i, NULL);
	while (last > seen &&
	    !atomic_compare_exchange_weak(&st->st_seen, &seen, last))
		;
}

/* A commit of ours, number id, changed the dbs in dirty. */
static void
storage_gen_committed(struct storage *st, uint64_t id, uint32_t dirty,
    const struct storage_jkeys *jk)
{
	uint64_t	seen;
	unsigned	i;

	for (i = 0; i < STORAGE_DB_COUNT; i++)
		if (dirty & (1u << i))
			storage_gen_bump(st, i, jk);
	seen = atomic_load(&st->st_seen);
	while (id > seen &&
	    !atomic_compare_exchange_weak(&st->st_seen, &seen, id))
		;
}

int
storage_txn_begin(struct storage *st, bool write, struct storage_txn **out)
{
	struct storage_txn	*txn = NULL;
	bool			 entered = false;
	int			 ret = -1;

	if (st == NULL || out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((txn = calloc(1, sizeof(*txn))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	txn->tx_st = st;
	txn->tx_write = write;
	/* The gate before LMDB's writer lock, in every thread: no deadlock. */
	storage_gate_enter(st);
	entered = true;
	if ((ret = kv_txn_begin(st->st_kv, NULL, write, &txn->tx_kv)) != 0)
		goto done;
	storage_gen_observe(st, write ? kv_txn_id(txn->tx_kv) - 1 :
	    kv_txn_id(txn->tx_kv));
	*out = txn;
	txn = NULL;
	ret = 0;
done:
	if (txn != NULL && entered)
		storage_gate_leave(st);
	free(txn);
	return ret;
}

int
storage_txn_begin_child(struct storage_txn *parent, struct storage_txn **out)
{
	struct storage_txn	*txn = NULL;
	int			 ret = -1;

	if (parent == NULL || out == NULL || parent->tx_kv == NULL ||
	    !parent->tx_write || parent->tx_child != NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((txn = calloc(1, sizeof(*txn))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	txn->tx_st = parent->tx_st;
	txn->tx_write = true;
	txn->tx_parent = parent;
	if ((ret = kv_txn_begin(parent->tx_st->st_kv, parent->tx_kv, true,
	    &txn->tx_kv)) != 0)
		goto done;
	parent->tx_child = txn;
	/*
	 * The writer runs each response in a child of the batch: lending
	 * the batch's data key saves an unwrap per response.
	 */
	if (parent->tx_dk.dk_valid) {
		txn->tx_dk = parent->tx_dk;
		txn->tx_dk.dk_lent = true;
		memset(&parent->tx_dk, 0, sizeof(parent->tx_dk));
	}
	*out = txn;
	txn = NULL;
	ret = 0;
done:
	free(txn);
	return ret;
}

/* A guarded buffer for a data key: a spare one, or a new one. */
static unsigned char *
storage_dk_get(struct storage *st)
{
	unsigned char	*p = NULL;

	pthread_mutex_lock(&st->st_mtx);
	if (st->st_ndkpool > 0)
		p = st->st_dkpool[--st->st_ndkpool];
	pthread_mutex_unlock(&st->st_mtx);
	return p != NULL ? p : sodium_malloc(KEYS_LEN);
}

/* Wipe a data key's buffer and keep it as a spare (or free it). */
static void
storage_dk_put(struct storage *st, unsigned char *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, KEYS_LEN);
	pthread_mutex_lock(&st->st_mtx);
	if (st->st_ndkpool < STORAGE_DKPOOL) {
		st->st_dkpool[st->st_ndkpool++] = p;
		p = NULL;
	}
	pthread_mutex_unlock(&st->st_mtx);
	sodium_free(p);
}

/* After the kv transaction ended: unlink, wipe, leave the gate, free. */
/*
 * A child hands its data key to its parent when the parent may use it: it
 * committed, or the key is the one it was lent. A key the child created
 * and then aborted is not in the parent's store.
 */
static void
storage_dk_return(struct storage_txn *txn, bool committed)
{
	struct storage_dk	*dk = &txn->tx_dk, *pdk;

	pdk = &txn->tx_parent->tx_dk;
	if (!dk->dk_valid || (!committed && !dk->dk_lent))
		return;
	storage_dk_put(txn->tx_st, pdk->dk_key);
	*pdk = *dk;
	pdk->dk_lent = false;
	memset(dk, 0, sizeof(*dk));
}

static void
storage_txn_end(struct storage_txn *txn, bool committed)
{
	/* kv ended a live child with its parent: the child is a shell. */
	if (txn->tx_child != NULL) {
		txn->tx_child->tx_kv = NULL;
		txn->tx_child->tx_parent = NULL;
	}
	if (txn->tx_parent != NULL) {
		txn->tx_parent->tx_child = NULL;
		storage_dk_return(txn, committed);
	}
	storage_dk_put(txn->tx_st, txn->tx_dk.dk_key);
	free(txn->tx_jkeys.jk_v);
	free(txn->tx_notes);
	if (txn->tx_parent == NULL && txn->tx_kv != NULL)
		storage_gate_leave(txn->tx_st);
	free(txn);
}

/* Room for more notes in txn. */
static int
storage_notes_reserve(struct storage_txn *txn, size_t more)
{
	struct storage_note	*v;
	size_t			 cap;

	if (more <= txn->tx_cnotes - txn->tx_nnotes)
		return 0;
	if (more > SIZE_MAX / 2 / sizeof(*v) - txn->tx_nnotes)
		return -ENOMEM;
	for (cap = txn->tx_cnotes ? txn->tx_cnotes : 32;
	    cap < txn->tx_nnotes + more; cap *= 2)
		;
	if ((v = reallocarray(txn->tx_notes, cap, sizeof(*v))) == NULL)
		return -ENOMEM;
	txn->tx_notes = v;
	txn->tx_cnotes = cap;
	return 0;
}

int
storage_txn_note(struct storage_txn *txn, const void *note, size_t len)
{
	struct storage_note	*n;
	int			 ret;

	if (txn == NULL || txn->tx_kv == NULL || !txn->tx_write ||
	    note == NULL || len == 0 || len > STORAGE_NOTE_MAX)
		return -EINVAL;
	if ((ret = storage_notes_reserve(txn, 1)) != 0)
		return ret;
	n = &txn->tx_notes[txn->tx_nnotes++];
	n->sn_len = (uint8_t)len;
	memcpy(n->sn_data, note, len);
	return 0;
}

int
storage_txn_notes(struct storage_txn *txn,
    int (*fn)(const void *, size_t, void *), void *arg)
{
	struct storage_txn	*t;
	size_t			 i;
	int			 ret;

	if (txn == NULL || fn == NULL)
		return -EINVAL;
	for (t = txn; t != NULL; t = t->tx_parent)
		for (i = 0; i < t->tx_nnotes; i++)
			if ((ret = fn(t->tx_notes[i].sn_data,
			    t->tx_notes[i].sn_len, arg)) != 0)
				return ret;
	return 0;
}

int
storage_txn_commit(struct storage_txn *txn)
{
	uint64_t	id;
	int		ret;

	if (txn == NULL)
		return -EINVAL;
	if (txn->tx_kv == NULL) {
		/* Its parent already ended it; nothing was committed. */
		ret = -EINVAL;
	} else if (txn->tx_parent != NULL && txn->tx_nnotes > 0 &&
	    storage_notes_reserve(txn->tx_parent, txn->tx_nnotes) != 0) {
		/* The notes must go with the writes, or neither does. */
		kv_txn_abort(txn->tx_kv);
		ret = -ENOMEM;
	} else {
		id = kv_txn_id(txn->tx_kv);
		ret = kv_txn_commit(txn->tx_kv);
		if (ret == -EIO && !atomic_exchange(&txn->tx_st->st_failed,
		    true))
			log_warnx("a commit failed with an I/O error: the "
			    "store is not ready (/readyz) until the daemon is "
			    "restarted; check the disk first");
		else if (ret == -EDQUOT)
			storage_full_set(txn->tx_st, true);
		if (ret == 0 && txn->tx_parent != NULL) {
			txn->tx_parent->tx_dirty |= txn->tx_dirty;
			if (txn->tx_st->st_journal != NULL)
				storage_journal_merge(txn->tx_parent, txn);
			if (txn->tx_nnotes > 0)
				memcpy(txn->tx_parent->tx_notes +
				    txn->tx_parent->tx_nnotes, txn->tx_notes,
				    txn->tx_nnotes * sizeof(*txn->tx_notes));
			txn->tx_parent->tx_nnotes += txn->tx_nnotes;
		} else if (ret == 0 && txn->tx_write)
			storage_gen_committed(txn->tx_st, id, txn->tx_dirty,
			    &txn->tx_jkeys);
	}
	storage_txn_end(txn, ret == 0);
	return ret;
}

void
storage_txn_abort(struct storage_txn *txn)
{
	if (txn == NULL)
		return;
	if (txn->tx_kv != NULL)
		kv_txn_abort(txn->tx_kv);
	storage_txn_end(txn, false);
}

/*
 * The key that seals values of (db, key), and its key id: the store key,
 * or the data key of (survey, month) that the key names: for responses
 * the month of the day in it, for comments the month itself. create
 * makes a missing data key (write transactions).
 */
static int
storage_seal_key(struct storage_txn *txn, enum storage_db db,
    const unsigned char *key, size_t klen, bool create,
    const unsigned char **sk_out, uint32_t *kid_out)
{
	struct storage_dk	*dk = &txn->tx_dk;
	uint32_t		 survey, month;
	int			 ret = -1;

	switch (db) {
	case STORAGE_DB_RESPONSES:
		if (klen != STORAGE_RESPONSE_KEYLEN) {
			ret = -EBADMSG;
			goto done;
		}
		month = storage_day_month(storage_be32(key + 4));
		break;
	case STORAGE_DB_COMMENTS:
		if (klen < STORAGE_COMMENTS_PREFIXLEN) {
			ret = -EINVAL;
			goto done;
		}
		month = storage_be32(key + 4);
		break;
	default:
		*sk_out = keys_store_key(txn->tx_st->st_keys);
		*kid_out = SEAL_KID_STORE;
		ret = 0;
		goto done;
	}
	survey = storage_be32(key);
	if (dk->dk_valid && dk->dk_survey == survey && dk->dk_month == month)
		goto found;
	dk->dk_valid = false;
	dk->dk_lent = false;
	if (dk->dk_key == NULL && (dk->dk_key = storage_dk_get(txn->tx_st)) ==
	    NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ret = keys_data_key(txn->tx_st->st_keys, txn->tx_kv, survey, month,
	    create, dk->dk_key);
	if (ret == -ENOENT) {
		log_warnx("a value of %s of survey %u has no data key for its "
		    "month", storage_db_names[db], survey);
		ret = -EBADMSG;
	}
	if (ret != 0)
		goto done;
	dk->dk_survey = survey;
	dk->dk_month = month;
	dk->dk_valid = true;
found:
	*sk_out = dk->dk_key;
	*kid_out = month;
	ret = 0;
done:
	return ret;
}

/* Open a sealed value of (db, key) into out (outcap bytes). */
static int
storage_unseal(struct storage_txn *txn, enum storage_db db, const void *key,
    size_t klen, const void *sealed, size_t slen, unsigned char *out,
    size_t outcap, size_t *len_out)
{
	struct seal_ad		 ad;
	const unsigned char	*sk;
	int			 ret;

	if ((ret = storage_seal_key(txn, db, key, klen, false, &sk,
	    &ad.sad_kid)) != 0)
		return ret;
	ad.sad_db = storage_db_names[db];
	ad.sad_key = key;
	ad.sad_klen = klen;
	return seal_open(sk, &ad, sealed, slen, out, outcap, len_out);
}

int
storage_get(struct storage_txn *txn, enum storage_db db, const void *key,
    size_t klen, void **val_out, size_t *len_out)
{
	const void	*sealed;
	unsigned char	*buf = NULL;
	size_t		 slen, len = 0;
	int		 ret = -1;

	if (txn == NULL || txn->tx_kv == NULL || !storage_db_ok(db) ||
	    key == NULL || klen == 0 || klen > KV_KEY_MAX ||
	    val_out == NULL || len_out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = kv_get(txn->tx_kv, db, key, klen, &sealed, &slen)) != 0)
		goto done;
	if (slen < SEAL_OVERHEAD) {
		ret = -EBADMSG;
		goto done;
	}
	if ((buf = malloc(slen - SEAL_OVERHEAD + 1)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = storage_unseal(txn, db, key, klen, sealed, slen, buf,
	    slen - SEAL_OVERHEAD, &len)) != 0)
		goto done;
	buf[len] = '\0';
	*val_out = buf;
	*len_out = len;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	return ret;
}

int
storage_put(struct storage_txn *txn, enum storage_db db, const void *key,
    size_t klen, const void *val, size_t vlen, unsigned flags)
{
	struct seal_ad		 ad;
	const unsigned char	*sk;
	unsigned char		*sealed = NULL;
	int			 ret = -1;

	/* Responses' keys are storage's to choose: storage_response_put(). */
	if (txn == NULL || txn->tx_kv == NULL || !txn->tx_write ||
	    !storage_db_ok(db) || db == STORAGE_DB_RESPONSES ||
	    key == NULL || klen == 0 || klen > KV_KEY_MAX ||
	    (val == NULL && vlen != 0) || vlen > SIZE_MAX - SEAL_OVERHEAD ||
	    (flags & ~(unsigned)STORAGE_NOOVERWRITE) != 0) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = storage_seal_key(txn, db, key, klen, true, &sk,
	    &ad.sad_kid)) != 0)
		goto done;
	if ((sealed = malloc(vlen + SEAL_OVERHEAD)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ad.sad_db = storage_db_names[db];
	ad.sad_key = key;
	ad.sad_klen = klen;
	if ((ret = seal_value(sk, &ad, val, vlen, sealed,
	    vlen + SEAL_OVERHEAD)) != 0)
		goto done;
	ret = kv_put(txn->tx_kv, db, key, klen, sealed, vlen + SEAL_OVERHEAD,
	    (flags & STORAGE_NOOVERWRITE) ? KV_NOOVERWRITE : 0);
	if (ret == 0) {
		txn->tx_dirty |= 1u << db;
		storage_journal_note(txn, db, key, klen);
	}
done:
	free(sealed);
	return ret;
}

int
storage_del(struct storage_txn *txn, enum storage_db db, const void *key,
    size_t klen)
{
	if (txn == NULL || txn->tx_kv == NULL || !txn->tx_write ||
	    !storage_db_ok(db) || key == NULL || klen == 0 ||
	    klen > KV_KEY_MAX)
		return -EINVAL;
	txn->tx_dirty |= 1u << db;
	storage_journal_note(txn, db, key, klen);
	return kv_del(txn->tx_kv, db, key, klen);
}

int
storage_next_id(struct storage_txn *txn, const char *counter,
    uint32_t *id_out)
{
	char		 key[sizeof(STORAGE_COUNTER_PREFIX) +
			     STORAGE_COUNTER_MAX];
	unsigned char	 v[4];
	void		*val = NULL;
	size_t		 len, nlen;
	uint32_t	 cur = 0;
	int		 ret = -1;

	if (txn == NULL || !txn->tx_write || counter == NULL ||
	    id_out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	nlen = strlen(counter);
	if (nlen == 0 || nlen > STORAGE_COUNTER_MAX) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = util_snprintf(key, sizeof(key), "%s%s",
	    STORAGE_COUNTER_PREFIX, counter)) != 0) {
		ret = -EINVAL;
		goto done;
	}
	ret = storage_get(txn, STORAGE_DB_META, key, strlen(key), &val, &len);
	if (ret == 0 && len != sizeof(v)) {
		ret = -EBADMSG;
		goto done;
	}
	if (ret == 0)
		cur = storage_be32(val);
	else if (ret != -ENOENT)
		goto done;
	if (cur == UINT32_MAX) {
		ret = -EOVERFLOW;
		goto done;
	}
	storage_put_be32(v, cur + 1);
	if ((ret = storage_put(txn, STORAGE_DB_META, key, strlen(key), v,
	    sizeof(v), 0)) != 0)
		goto done;
	*id_out = cur + 1;
	ret = 0;
done:
	free(val);
	return ret;
}

static int
storage_iter_alloc(struct storage_txn *txn, enum storage_db db,
    const void *prefix, size_t plen, struct storage_iter **out)
{
	struct storage_iter	*it = NULL;
	int			 ret = -1;

	if (txn == NULL || txn->tx_kv == NULL || !storage_db_ok(db) ||
	    (prefix == NULL && plen != 0) || plen > KV_KEY_MAX ||
	    out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	it->it_txn = txn;
	it->it_db = db;
	if ((ret = kv_cursor_open(txn->tx_kv, db, prefix, plen,
	    &it->it_cur)) != 0)
		goto done;
	*out = it;
	it = NULL;
	ret = 0;
done:
	storage_iter_free(it);
	return ret;
}

int
storage_iter_new(struct storage_txn *txn, enum storage_db db,
    const void *prefix, size_t plen, struct storage_iter **out)
{
	return storage_iter_alloc(txn, db, prefix, plen, out);
}

int
storage_iter_next(struct storage_iter *it, const void **key, size_t *klen,
    const void **val, size_t *vlen)
{
	const void	*k, *v;
	unsigned char	*buf;
	size_t		 kl, vl, need;
	int		 pk, ret = -1;

	if (it == NULL || key == NULL || klen == NULL || val == NULL ||
	    vlen == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if (it->it_done) {
		ret = -ENOENT;
		goto done;
	}
	do {
		if ((ret = kv_cursor_next(it->it_cur, &k, &kl, &v,
		    &vl)) != 0) {
			if (ret == -ENOENT)
				it->it_done = true;
			goto done;
		}
		if (it->it_ranged && (kl != STORAGE_RESPONSE_KEYLEN ||
		    storage_response_key_day(k) > it->it_day_to)) {
			it->it_done = true;
			ret = -ENOENT;
			goto done;
		}
		pk = it->it_pick == NULL ? 1 : it->it_pick(k, kl,
		    it->it_pick_arg);
		if (pk == -ENOENT)
			it->it_done = true;
		if (pk < 0) {
			ret = pk;
			goto done;
		}
	} while (pk == 0);
	if (vl < SEAL_OVERHEAD) {
		ret = -EBADMSG;
		goto done;
	}
	need = vl - SEAL_OVERHEAD + 1;
	if (need > it->it_vcap) {
		/* Not realloc(): the old plaintext is wiped, not abandoned. */
		if ((buf = malloc(need)) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		if (it->it_val != NULL) {
			sodium_memzero(it->it_val, it->it_vcap);
			free(it->it_val);
		}
		it->it_val = buf;
		it->it_vcap = need;
	}
	memcpy(it->it_key, k, kl);
	it->it_klen = kl;
	if ((ret = storage_unseal(it->it_txn, it->it_db, it->it_key, kl, v, vl,
	    it->it_val, it->it_vcap - 1, &it->it_vlen)) != 0)
		goto done;
	it->it_val[it->it_vlen] = '\0';
	*key = it->it_key;
	*klen = it->it_klen;
	*val = it->it_val;
	*vlen = it->it_vlen;
	ret = 0;
done:
	return ret;
}

int
storage_iter_seek(struct storage_iter *it, const void *from, size_t flen)
{
	int	ret;

	/* A range of days is storage_response_iter()'s own seek. */
	if (it == NULL || it->it_ranged)
		return -EINVAL;
	if ((ret = kv_cursor_seek(it->it_cur, from, flen)) == 0)
		it->it_done = false;
	return ret;
}

void
storage_iter_keys(struct storage_iter *it,
    int (*pick)(const void *, size_t, void *), void *arg)
{
	if (it == NULL)
		return;
	it->it_pick = pick;
	it->it_pick_arg = arg;
}

void
storage_iter_free(struct storage_iter *it)
{
	if (it == NULL)
		return;
	kv_cursor_close(it->it_cur);
	if (it->it_val != NULL) {
		sodium_memzero(it->it_val, it->it_vcap);
		free(it->it_val);
	}
	free(it);
}

uint32_t
storage_day_month(uint32_t day)
{
	int		y;
	unsigned	m, d;

	util_civil_from_days((int64_t)day, &y, &m, &d);
	return (uint32_t)y * 12 + (m - 1);
}

uint32_t
storage_random_uniform(uint32_t upper)
{
	uint32_t	r, min;

	if (upper < 2)
		return 0;
	/* Draws below 2^32 mod upper would favour the small results. */
	min = (0U - upper) % upper;
	do
		seal_random_public(&r, sizeof(r));
	while (r < min);
	return r % upper;
}

uint32_t
storage_response_key_day(const void *key)
{
	return storage_be32((const unsigned char *)key + 4);
}

/* A response's key and which of the caller's values it is for. */
struct storage_rkey {
	unsigned char	rk_key[STORAGE_RESPONSE_KEYLEN];
	size_t		rk_i;
};

static int
storage_rkey_cmp(const void *a, const void *b)
{
	const struct storage_rkey	*x = a, *y = b;

	return memcmp(x->rk_key, y->rk_key, STORAGE_RESPONSE_KEYLEN);
}

/* A fresh random tail: the bytes after the commit's tag. */
static void
storage_rkey_tail(struct storage_rkey *rk)
{
	seal_random_public(rk->rk_key + STORAGE_RESPONSE_TAGOFF +
	    STORAGE_RESPONSE_TAGLEN, STORAGE_RESPONSE_KEYLEN -
	    STORAGE_RESPONSE_TAGOFF - STORAGE_RESPONSE_TAGLEN);
}

int
storage_responses_put(struct storage_txn *txn,
    const struct storage_response *v, size_t n)
{
	struct seal_ad		 ad;
	struct storage_txn	*top;
	struct storage_rkey	*keys = NULL, *rk;
	const unsigned char	*dk;
	unsigned char		*sealed = NULL;
	size_t			 i, most = 0;
	int			 tries, ret = -1;

	if (txn == NULL || txn->tx_kv == NULL || !txn->tx_write ||
	    (v == NULL && n != 0)) {
		ret = -EINVAL;
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((v[i].sr_val == NULL && v[i].sr_vlen != 0) ||
		    v[i].sr_vlen > SIZE_MAX - SEAL_OVERHEAD) {
			ret = -EINVAL;
			goto done;
		}
		if (v[i].sr_vlen > most)
			most = v[i].sr_vlen;
	}
	if (n == 0) {
		ret = 0;
		goto done;
	}
	keys = calloc(n, sizeof(*keys));
	sealed = malloc(most + SEAL_OVERHEAD);
	if (keys == NULL || sealed == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	/* One tag per commit: the top-level transaction's (storage.h). */
	for (top = txn; top->tx_parent != NULL; top = top->tx_parent)
		;
	if (!top->tx_tagged) {
		seal_random_public(top->tx_tag, sizeof(top->tx_tag));
		top->tx_tagged = true;
	}
	for (i = 0; i < n; i++) {
		storage_put_be32(keys[i].rk_key, v[i].sr_survey);
		storage_put_be32(keys[i].rk_key + 4, v[i].sr_day);
		memcpy(keys[i].rk_key + STORAGE_RESPONSE_TAGOFF, top->tx_tag,
		    STORAGE_RESPONSE_TAGLEN);
		storage_rkey_tail(&keys[i]);
		keys[i].rk_i = i;
	}
	/*
	 * In key order, which the random tails make an order of no meaning:
	 * LMDB then fills the run's leaves one after the other instead of
	 * splitting them wherever the next random key falls.
	 */
	qsort(keys, n, sizeof(*keys), storage_rkey_cmp);
	ad.sad_db = storage_db_names[STORAGE_DB_RESPONSES];
	ad.sad_klen = STORAGE_RESPONSE_KEYLEN;
	for (i = 0; i < n; i++) {
		rk = &keys[i];
		ad.sad_key = rk->rk_key;
		if ((ret = storage_seal_key(txn, STORAGE_DB_RESPONSES,
		    rk->rk_key, STORAGE_RESPONSE_KEYLEN, true, &dk,
		    &ad.sad_kid)) != 0)
			goto done;
		/*
		 * Two equal tails under one (survey, day, tag) are a 2^-32
		 * event per pair of responses of a commit, and drawing again
		 * is cheaper than arguing. The key is in the associated
		 * data, so each try seals afresh.
		 */
		for (tries = 0; tries < 4; tries++) {
			if (tries > 0)
				storage_rkey_tail(rk);
			if ((ret = seal_value(dk, &ad, v[rk->rk_i].sr_val,
			    v[rk->rk_i].sr_vlen, sealed,
			    v[rk->rk_i].sr_vlen + SEAL_OVERHEAD)) != 0)
				goto done;
			ret = kv_put(txn->tx_kv, STORAGE_DB_RESPONSES,
			    rk->rk_key, STORAGE_RESPONSE_KEYLEN, sealed,
			    v[rk->rk_i].sr_vlen + SEAL_OVERHEAD,
			    KV_NOOVERWRITE);
			if (ret != -EEXIST)
				break;
		}
		if (ret != 0)
			goto done;
		txn->tx_dirty |= 1u << STORAGE_DB_RESPONSES;
	}
	ret = 0;
done:
	free(keys);
	free(sealed);
	return ret;
}

int
storage_response_put(struct storage_txn *txn, uint32_t survey, uint32_t day,
    const void *val, size_t vlen)
{
	struct storage_response	r;

	r.sr_survey = survey;
	r.sr_day = day;
	r.sr_val = val;
	r.sr_vlen = vlen;
	return storage_responses_put(txn, &r, 1);
}

int
storage_response_iter(struct storage_txn *txn, uint32_t survey,
    uint32_t day_from, uint32_t day_to, struct storage_iter **out)
{
	struct storage_iter	*it = NULL;
	unsigned char		 from[8];
	int			 ret = -1;

	if (out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	storage_put_be32(from, survey);
	storage_put_be32(from + 4, day_from);
	if ((ret = storage_iter_alloc(txn, STORAGE_DB_RESPONSES, from, 4,
	    &it)) != 0)
		goto done;
	if ((ret = kv_cursor_seek(it->it_cur, from, sizeof(from))) != 0)
		goto done;
	it->it_ranged = true;
	it->it_day_to = day_to;
	/* An empty range is an empty iteration, not an error. */
	it->it_done = day_from > day_to;
	*out = it;
	it = NULL;
	ret = 0;
done:
	storage_iter_free(it);
	return ret;
}

/* First and last day of a month index, clamped to the uint32 day range. */
static int
storage_month_days(uint32_t month, uint32_t *first, uint32_t *last)
{
	int64_t		a, b;

	a = util_days_from_civil((int)(month / 12), month % 12 + 1, 1);
	b = util_days_from_civil((int)((month + 1ULL) / 12),
	    (unsigned)((month + 1ULL) % 12) + 1, 1) - 1;
	if (a < 0 || a > UINT32_MAX)
		return -ERANGE;
	*first = (uint32_t)a;
	*last = b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
	return 0;
}

int
storage_shred(struct storage *st, uint32_t survey, uint32_t month)
{
	struct storage_txn	*txn = NULL;
	struct kv_cursor	*cur = NULL;
	unsigned char		 from[8];
	const void		*k, *v;
	size_t			 kl, vl, n = 0, nc = 0;
	uint32_t		 first = 0, last = 0;
	bool			 days;
	int			 rc, ret = -1;

	if (st == NULL) {
		ret = -EINVAL;
		goto done;
	}
	/* A month past the last day number holds no responses, only a key. */
	days = storage_month_days(month, &first, &last) == 0;
	if ((ret = storage_txn_begin(st, true, &txn)) != 0)
		goto done;
	if (days) {
		storage_put_be32(from, survey);
		storage_put_be32(from + 4, first);
		if ((ret = kv_cursor_open(txn->tx_kv, STORAGE_DB_RESPONSES,
		    from, 4, &cur)) != 0)
			goto done;
		if ((ret = kv_cursor_seek(cur, from, sizeof(from))) != 0)
			goto done;
		while ((rc = kv_cursor_next(cur, &k, &kl, &v, &vl)) == 0) {
			if (kl == STORAGE_RESPONSE_KEYLEN &&
			    storage_response_key_day(k) > last)
				break;
			if ((ret = kv_cursor_del(cur)) != 0)
				goto done;
			n++;
		}
		if (rc != 0 && rc != -ENOENT) {
			ret = rc;
			goto done;
		}
		kv_cursor_close(cur);
		cur = NULL;
	}
	txn->tx_dirty |= 1u << STORAGE_DB_RESPONSES;
	/* The month's comments, sealed with the same key, go with it. */
	storage_put_be32(from, survey);
	storage_put_be32(from + 4, month);
	if ((ret = kv_cursor_open(txn->tx_kv, STORAGE_DB_COMMENTS, from,
	    sizeof(from), &cur)) != 0)
		goto done;
	while ((rc = kv_cursor_next(cur, &k, &kl, &v, &vl)) == 0) {
		storage_journal_note(txn, STORAGE_DB_COMMENTS, k, kl);
		if ((ret = kv_cursor_del(cur)) != 0)
			goto done;
		nc++;
	}
	if (rc != -ENOENT) {
		ret = rc;
		goto done;
	}
	kv_cursor_close(cur);
	cur = NULL;
	txn->tx_dirty |= 1u << STORAGE_DB_COMMENTS;
	/* Without its key, any copy of those records is noise. */
	ret = keys_data_key_del(txn->tx_kv, survey, month);
	if (ret != 0 && ret != -ENOENT)
		goto done;
	ret = storage_txn_commit(txn);
	txn = NULL;
	if (ret != 0)
		goto done;
	log_info("survey %u, month %u-%02u: %zu responses, %zu entries of "
	    "comments and their data key destroyed", survey, month / 12,
	    month % 12 + 1, n, nc);
done:
	kv_cursor_close(cur);
	storage_txn_abort(txn);
	return ret;
}

int
storage_rotate_kek(struct storage *st)
{
	int	ret;

	if (st == NULL)
		return -EINVAL;
	storage_gate_close(st);
	ret = keys_rotate(st->st_keys, st->st_kv, KEYS_ROTATE_ALL);
	/* Which KEK holds is unknown until a reopen settles it. */
	if (ret == -EIO)
		atomic_store(&st->st_failed, true);
	storage_gate_open(st);
	return ret;
}

int
storage_keygen(const char *path)
{
	return keys_keygen(path);
}

/* 0 if dir holds nothing, -EEXIST if it does. */
static int
storage_dir_empty(const char *dir)
{
	DIR		*d = NULL;
	struct dirent	*de;
	int		 ret = -1;

	if ((d = opendir(dir)) == NULL) {
		ret = -errno;
		goto done;
	}
	ret = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			ret = -EEXIST;
			break;
		}
	}
done:
	if (d != NULL)
		closedir(d);
	return ret;
}

int
storage_backup(struct storage *st, const char *dir)
{
	int	ret = -1;

	if (st == NULL || dir == NULL || *dir == '\0') {
		ret = -EINVAL;
		goto done;
	}
	if (mkdir(dir, 0700) == -1) {
		if (errno != EEXIST) {
			ret = -errno;
			log_warn("%s", dir);
			goto done;
		}
		if ((ret = storage_dir_empty(dir)) != 0) {
			log_warnx("%s: a backup goes into a new or empty "
			    "directory", dir);
			goto done;
		}
	}
	if ((ret = kv_copy(st->st_kv, dir)) != 0) {
		log_warnx("%s: backup failed: %s", dir, strerror(-ret));
		goto done;
	}
	ret = 0;
done:
	return ret;
}

/* Keys to delete, collected while a cursor is open. */
struct storage_keys {
	uint8_t	*sk_buf;	/* each key: its length (2 bytes), then the key */
	size_t	 sk_len, sk_cap, sk_n;
};

static int
storage_keys_add(struct storage_keys *sk, const void *key, size_t klen)
{
	uint8_t	*grown;
	size_t	 cap;

	if (sk->sk_len + 2 + klen > sk->sk_cap) {
		cap = sk->sk_cap ? 2 * sk->sk_cap : 1024;
		while (cap < sk->sk_len + 2 + klen)
			cap *= 2;
		if ((grown = realloc(sk->sk_buf, cap)) == NULL)
			return -ENOMEM;
		sk->sk_buf = grown;
		sk->sk_cap = cap;
	}
	sk->sk_buf[sk->sk_len] = (uint8_t)(klen >> 8);
	sk->sk_buf[sk->sk_len + 1] = (uint8_t)klen;
	memcpy(sk->sk_buf + sk->sk_len + 2, key, klen);
	sk->sk_len += 2 + klen;
	sk->sk_n++;
	return 0;
}

int
storage_del_prefix(struct storage_txn *txn, enum storage_db db,
    const void *prefix, size_t plen, storage_pick_fn pick, void *arg,
    size_t max, size_t *n_out, bool *more_out)
{
	struct storage_iter	*it = NULL;
	struct storage_keys	 sk = { NULL, 0, 0, 0 };
	const void		*key, *val;
	size_t			 klen, vlen, off;
	bool			 more = false;
	int			 ret, pk;

	_Static_assert(KV_KEY_MAX <= UINT16_MAX, "a key length fits 2 bytes");
	if (txn == NULL || !txn->tx_write) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = storage_iter_new(txn, db, prefix, plen, &it)) != 0)
		goto done;
	while ((ret = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		pk = pick == NULL ? STORAGE_PICK_DELETE :
		    pick(key, klen, val, vlen, arg);
		if (pk < 0) {
			ret = pk;
			goto done;
		}
		if (pk == STORAGE_PICK_STOP)
			break;
		if (pk != STORAGE_PICK_DELETE)
			continue;
		if (sk.sk_n == max) {
			more = true;
			break;
		}
		if ((ret = storage_keys_add(&sk, key, klen)) != 0)
			goto done;
	}
	if (ret != 0 && ret != -ENOENT)
		goto done;
	storage_iter_free(it);
	it = NULL;
	for (off = 0; off < sk.sk_len; off += 2 + klen) {
		klen = (size_t)sk.sk_buf[off] << 8 | sk.sk_buf[off + 1];
		if ((ret = storage_del(txn, db, sk.sk_buf + off + 2, klen)) != 0)
			goto done;
	}
	if (n_out != NULL)
		*n_out = sk.sk_n;
	if (more_out != NULL)
		*more_out = more;
	ret = 0;
done:
	storage_iter_free(it);
	free(sk.sk_buf);
	return ret;
}
