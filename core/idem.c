/*
 * idem.c — idempotency records of intake: client ids checked, hashed with
 * the api's secret, recorded with their day and swept after the window.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/util.h"
#include "core/idem.h"
#include "storage/storage.h"

#define IDEM_PURPOSE	"idem"

bool
idem_id_valid(const char *id)
{
	size_t	i;
	char	c;

	for (i = 0; (c = id[i]) != '\0'; i++) {
		if (i == IDEM_ID_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '-'))
			return false;
	}
	return i >= IDEM_ID_MIN;
}

enum idem_day
idem_day_check(int64_t day, int64_t today)
{
	if (day < today - IDEM_WINDOW_DAYS)
		return IDEM_DAY_STALE;
	if (day > today + IDEM_AHEAD_DAYS)
		return IDEM_DAY_FUTURE;
	return IDEM_DAY_OK;
}

static void
idem_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
idem_unbe32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
idem_hash(const uint8_t key[32], uint32_t collector, const char *id,
    uint8_t out[IDEM_HASH_BYTES])
{
	crypto_generichash_state	st;
	uint8_t				c[4], full[32];

	/* The collector is fixed-width, so (1, "2...") != (12, "..."). */
	idem_be32(c, collector);
	crypto_generichash_init(&st, key, 32, sizeof(full));
	crypto_generichash_update(&st, (const unsigned char *)IDEM_PURPOSE,
	    sizeof(IDEM_PURPOSE));
	crypto_generichash_update(&st, c, sizeof(c));
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
	/* 32 bytes cut to 16, as the first layout's hashes are read. */
	crypto_generichash_final(&st, full, sizeof(full));
	memcpy(out, full, IDEM_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

/* ---------------------------------------------------------- the set */

/*
 * Open addressing with linear probing over hashes that are uniformly
 * random already (keyed BLAKE2b), so their first bytes are the slot. Day
 * 0 (1970-01-01) marks a free slot; no response is dated then.
 */
struct idem_entry {
	uint8_t		ie_hash[IDEM_HASH_BYTES];
	uint32_t	ie_day;
};

struct idem_set {
	struct idem_entry	*is_v;
	size_t			 is_cap;	/* a power of two, or 0 */
	size_t			 is_n;
};

struct idem_index {
	struct idem_set		 ix_done;	/* committed */
	struct idem_set		 ix_txn;	/* put in this transaction */
	struct idem_entry	*ix_kept;	/* ... and noted at its end */
	size_t			 ix_nkept;
	size_t			 ix_ckept;
	size_t			 ix_nwritten;	/* ... of them written */
	bool			 ix_loaded;
	int64_t			 ix_expired;	/* the day it last expired */
};

/*
 * A note of idem_put(): the hash, then the day (BE32); one of
 * idem_put_now(), whose record is written, has IDEM_NOTE_WRITTEN after.
 */
#define IDEM_NOTE_LEN		(IDEM_HASH_BYTES + 4)
#define IDEM_NOTE_WRITTEN	'w'

#define IDEM_SET_MIN	64

static size_t
idem_slot(const struct idem_set *s, const uint8_t *hash)
{
	uint64_t	h;

	memcpy(&h, hash, sizeof(h));
	return (size_t)h & (s->is_cap - 1);
}

static struct idem_entry *
idem_set_find(const struct idem_set *s, const uint8_t *hash)
{
	size_t	i;

	if (s->is_cap == 0)
		return NULL;
	for (i = idem_slot(s, hash); s->is_v[i].ie_day != 0;
	    i = (i + 1) & (s->is_cap - 1))
		if (memcmp(s->is_v[i].ie_hash, hash, IDEM_HASH_BYTES) == 0)
			return &s->is_v[i];
	return NULL;
}

/* Into a set known to have room and not to hold hash. */
static void
idem_set_place(struct idem_set *s, const uint8_t *hash, uint32_t day)
{
	size_t	i;

	for (i = idem_slot(s, hash); s->is_v[i].ie_day != 0;
	    i = (i + 1) & (s->is_cap - 1))
		;
	memcpy(s->is_v[i].ie_hash, hash, IDEM_HASH_BYTES);
	s->is_v[i].ie_day = day;
	s->is_n++;
}

/* Rebuild with cap slots, keeping the entries of day >= keep_from. */
static int
idem_set_rebuild(struct idem_set *s, size_t cap, uint32_t keep_from)
{
	struct idem_set	 fresh = { NULL, cap, 0 };
	size_t		 i;

	if ((fresh.is_v = calloc(cap, sizeof(*fresh.is_v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < s->is_cap; i++)
		if (s->is_v[i].ie_day != 0 && s->is_v[i].ie_day >= keep_from)
			idem_set_place(&fresh, s->is_v[i].ie_hash,
			    s->is_v[i].ie_day);
	free(s->is_v);
	*s = fresh;
	return 0;
}

/* Add, or set the day of, hash. At most half full: short probes. */
static int
idem_set_add(struct idem_set *s, const uint8_t *hash, uint32_t day)
{
	struct idem_entry	*e;
	int			 rc;

	if ((e = idem_set_find(s, hash)) != NULL) {
		e->ie_day = day;
		return 0;
	}
	if (2 * (s->is_n + 1) > s->is_cap && (rc = idem_set_rebuild(s,
	    s->is_cap ? 2 * s->is_cap : IDEM_SET_MIN, 0)) != 0)
		return rc;
	idem_set_place(s, hash, day);
	return 0;
}

static void
idem_set_clear(struct idem_set *s)
{
	/* A set a big batch grew is given back rather than wiped each time. */
	if (s->is_cap > 16 * IDEM_SET_MIN) {
		free(s->is_v);
		s->is_v = NULL;
		s->is_cap = 0;
	} else if (s->is_n > 0)
		memset(s->is_v, 0, s->is_cap * sizeof(*s->is_v));
	s->is_n = 0;
}

/* ---------------------------------------------------------- index */

int
idem_index_new(struct idem_index **out)
{
	struct idem_index	*ix;

	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return -ENOMEM;
	*out = ix;
	return 0;
}

void
idem_index_free(struct idem_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->ix_done.is_v);
	free(ix->ix_txn.is_v);
	free(ix->ix_kept);
	free(ix);
}

size_t
idem_index_count(const struct idem_index *ix)
{
	return ix->ix_done.is_n;
}

static void
idem_rec_key(uint32_t day, const uint8_t tag[IDEM_TAG_BYTES], unsigned part,
    uint8_t key[IDEM_REC_KEYLEN])
{
	key[0] = IDEM_REC_TAG;
	idem_be32(key + 1, day);
	memcpy(key + 5, tag, IDEM_TAG_BYTES);
	key[5 + IDEM_TAG_BYTES] = (uint8_t)(part >> 8);
	key[6 + IDEM_TAG_BYTES] = (uint8_t)part;
}

static uint32_t
idem_keep_from(void)
{
	int64_t	today = util_today();

	return today > IDEM_WINDOW_DAYS ? (uint32_t)(today - IDEM_WINDOW_DAYS)
	    : 1;
}

/* Every record of the window, all layouts, into the committed set. */
static int
idem_index_load(struct idem_index *ix, struct storage_txn *txn)
{
	static const uint8_t	 tags[] = { IDEM_REC_TAG, IDEM_KEY_TAG,
	    IDEM_OLD_TAG };
	struct storage_iter	*it = NULL;
	const uint8_t		*key, *hashes;
	const void		*val;
	size_t			 klen, vlen, i, h, nh;
	uint32_t		 day, keep_from = idem_keep_from();
	int			 rc = 0, ret = -1;

	for (i = 0; i < sizeof(tags); i++) {
		if ((ret = storage_iter_new(txn, STORAGE_DB_IDEMPOTENCY,
		    &tags[i], 1, &it)) != 0)
			goto done;
		while ((rc = storage_iter_next(it, (const void **)&key, &klen,
		    &val, &vlen)) == 0) {
			if (tags[i] == IDEM_REC_TAG && klen == IDEM_REC_KEYLEN &&
			    vlen % IDEM_HASH_BYTES == 0) {
				day = idem_unbe32(key + 1);
				hashes = val;
				nh = vlen / IDEM_HASH_BYTES;
			} else if (tags[i] == IDEM_KEY_TAG &&
			    klen == IDEM_KEYLEN) {
				day = idem_unbe32(key + 1);
				hashes = key + klen - IDEM_HASH_BYTES;
				nh = 1;
			} else if (tags[i] == IDEM_OLD_TAG &&
			    klen == IDEM_OLD_KEYLEN && vlen == 4) {
				day = idem_unbe32(val);
				hashes = key + 1;
				nh = 1;
			} else
				continue;
			if (day == 0 || day < keep_from)
				continue;
			for (h = 0; h < nh; h++)
				if ((ret = idem_set_add(&ix->ix_done, hashes +
				    h * IDEM_HASH_BYTES, day)) != 0)
					goto done;
		}
		if (rc != -ENOENT) {
			ret = rc;
			goto done;
		}
		storage_iter_free(it);
		it = NULL;
	}
	ix->ix_loaded = true;
	ret = 0;
done:
	storage_iter_free(it);
	if (ret != 0)
		idem_set_rebuild(&ix->ix_done, IDEM_SET_MIN, UINT32_MAX);
	return ret;
}

/* storage_txn_notes(): whether a note is of the hash *arg. */
static int
idem_note_is(const void *note, size_t len, void *arg)
{
	return (len == IDEM_NOTE_LEN || len == IDEM_NOTE_LEN + 1) &&
	    memcmp(note, arg, IDEM_HASH_BYTES) == 0;
}

/*
 * Whether hash was put earlier in this transaction by a child that was
 * not rolled back: its note is still in txn or an ancestor.
 */
static int
idem_noted(struct storage_txn *txn, const uint8_t hash[IDEM_HASH_BYTES],
    bool *noted)
{
	int	rc;

	rc = storage_txn_notes(txn, idem_note_is, (void *)hash);
	if (rc < 0)
		return rc;
	*noted = rc == 1;
	return 0;
}

int
idem_seen(struct idem_index *ix, struct storage_txn *txn,
    const uint8_t hash[IDEM_HASH_BYTES], bool *seen)
{
	int	rc;

	if (!ix->ix_loaded && (rc = idem_index_load(ix, txn)) != 0)
		return rc;
	if (idem_set_find(&ix->ix_done, hash) != NULL) {
		*seen = true;
		return 0;
	}
	/* The set of this transaction says where to look, not more. */
	if (idem_set_find(&ix->ix_txn, hash) == NULL) {
		*seen = false;
		return 0;
	}
	return idem_noted(txn, hash, seen);
}

static int	idem_write_day(struct storage_txn *, const struct idem_entry *,
		    size_t);

/* idem_put() and idem_put_now(): the record written now when now. */
static int
idem_note_put(struct idem_index *ix, struct storage_txn *txn,
    const uint8_t hash[IDEM_HASH_BYTES], uint32_t day, bool now)
{
	struct idem_entry	e;
	uint8_t			note[IDEM_NOTE_LEN + 1];
	bool			noted = false;
	int			rc;

	if (day == 0)
		return -EINVAL;
	if (!ix->ix_loaded && (rc = idem_index_load(ix, txn)) != 0)
		return rc;
	if (idem_set_find(&ix->ix_txn, hash) != NULL &&
	    (rc = idem_noted(txn, hash, &noted)) != 0)
		return rc;
	if (noted)
		return -EEXIST;
	if (now) {
		memcpy(e.ie_hash, hash, IDEM_HASH_BYTES);
		e.ie_day = day;
		if ((rc = idem_write_day(txn, &e, 1)) != 0)
			return rc;
	}
	memcpy(note, hash, IDEM_HASH_BYTES);
	idem_be32(note + IDEM_HASH_BYTES, day);
	note[IDEM_NOTE_LEN] = IDEM_NOTE_WRITTEN;
	if ((rc = storage_txn_note(txn, note, now ? IDEM_NOTE_LEN + 1 :
	    IDEM_NOTE_LEN)) != 0)
		return rc;
	/* Should this fail, the caller's child rolls the note back. */
	return idem_set_add(&ix->ix_txn, hash, day);
}

int
idem_put(struct idem_index *ix, struct storage_txn *txn,
    const uint8_t hash[IDEM_HASH_BYTES], uint32_t day)
{
	return idem_note_put(ix, txn, hash, day, false);
}

int
idem_put_now(struct idem_index *ix, struct storage_txn *txn,
    const uint8_t hash[IDEM_HASH_BYTES], uint32_t day)
{
	return idem_note_put(ix, txn, hash, day, true);
}

/* A noted hash and its day into ix_kept. */
static int
idem_keep_note(struct idem_index *ix, const uint8_t *n)
{
	struct idem_entry	*v;
	size_t			 cap;

	if (ix->ix_nkept == ix->ix_ckept) {
		cap = ix->ix_ckept ? 2 * ix->ix_ckept : IDEM_SET_MIN;
		if ((v = reallocarray(ix->ix_kept, cap, sizeof(*v))) == NULL)
			return -ENOMEM;
		ix->ix_kept = v;
		ix->ix_ckept = cap;
	}
	memcpy(ix->ix_kept[ix->ix_nkept].ie_hash, n, IDEM_HASH_BYTES);
	ix->ix_kept[ix->ix_nkept].ie_day = idem_unbe32(n + IDEM_HASH_BYTES);
	ix->ix_nkept++;
	return 0;
}

/*
 * storage_txn_notes(): the notes of idem_put(), whose records are due;
 * those of idem_put_now() are only counted.
 */
static int
idem_keep(const void *note, size_t len, void *arg)
{
	struct idem_index	*ix = arg;

	if (len == IDEM_NOTE_LEN + 1)
		ix->ix_nwritten++;
	return len == IDEM_NOTE_LEN ? idem_keep_note(ix, note) : 0;
}

/* storage_txn_notes(): those of idem_put_now(), written already. */
static int
idem_keep_written(const void *note, size_t len, void *arg)
{
	return len == IDEM_NOTE_LEN + 1 ? idem_keep_note(arg, note) : 0;
}

/* By day, then by hash: the order of the records and of their hashes. */
static int
idem_entry_cmp(const void *a, const void *b)
{
	const struct idem_entry	*x = a, *y = b;

	if (x->ie_day != y->ie_day)
		return x->ie_day < y->ie_day ? -1 : 1;
	return memcmp(x->ie_hash, y->ie_hash, IDEM_HASH_BYTES);
}

/* The records of one day's n sorted hashes (from e), under one tag. */
static int
idem_write_day(struct storage_txn *txn, const struct idem_entry *e,
    size_t n)
{
	uint8_t		 key[IDEM_REC_KEYLEN], tag[IDEM_TAG_BYTES];
	uint8_t		 val[IDEM_PART_HASHES * IDEM_HASH_BYTES];
	size_t		 i, k, part;
	int		 tries, rc;

	/*
	 * A tag another commit of that day drew is a 2^-64 event; a fresh
	 * one is cheaper than arguing. Part 0 comes first, so a clash
	 * shows before anything of this day is written.
	 */
	for (tries = 0;; tries++) {
		randombytes_buf(tag, sizeof(tag));
		rc = 0;
		for (i = 0, part = 0; i < n && rc == 0; part++) {
			for (k = 0; k < IDEM_PART_HASHES && i < n; k++, i++)
				memcpy(val + k * IDEM_HASH_BYTES,
				    e[i].ie_hash, IDEM_HASH_BYTES);
			idem_rec_key(e[0].ie_day, tag, (unsigned)part, key);
			rc = storage_put(txn, STORAGE_DB_IDEMPOTENCY, key,
			    sizeof(key), val, k * IDEM_HASH_BYTES,
			    STORAGE_NOOVERWRITE);
		}
		if (rc != -EEXIST || part > 1 || tries == 3)
			return rc;
	}
}

int
idem_index_precommit(struct idem_index *ix, struct storage_txn *txn)
{
	size_t	i, from, n;
	int	rc;

	ix->ix_nkept = 0;
	ix->ix_nwritten = 0;
	if (ix->ix_txn.is_n == 0)
		return 0;
	if ((rc = storage_txn_notes(txn, idem_keep, ix)) != 0)
		return rc;
	/* None but those written already: ix_kept may be NULL. */
	if (ix->ix_nkept > 1)
		qsort(ix->ix_kept, ix->ix_nkept, sizeof(*ix->ix_kept),
		    idem_entry_cmp);
	/* A hash noted twice (idem_put refuses that) is written once. */
	for (i = 0, n = 0; i < ix->ix_nkept; i++)
		if (n == 0 || idem_entry_cmp(&ix->ix_kept[n - 1],
		    &ix->ix_kept[i]) != 0)
			ix->ix_kept[n++] = ix->ix_kept[i];
	ix->ix_nkept = n;
	for (from = 0; from < ix->ix_nkept; from = i) {
		for (i = from; i < ix->ix_nkept &&
		    ix->ix_kept[i].ie_day == ix->ix_kept[from].ie_day; i++)
			;
		if ((rc = idem_write_day(txn, &ix->ix_kept[from],
		    i - from)) != 0)
			return rc;
	}
	/*
	 * Those written already join the index with the rest after it: a
	 * second walk only when the first met any.
	 */
	if (ix->ix_nwritten == 0)
		return 0;
	return storage_txn_notes(txn, idem_keep_written, ix);
}

void
idem_index_done(struct idem_index *ix, int rc)
{
	int64_t		today = util_today();
	size_t		i;

	for (i = 0; rc == 0 && i < ix->ix_nkept; i++)
		if (idem_set_add(&ix->ix_done, ix->ix_kept[i].ie_hash,
		    ix->ix_kept[i].ie_day) != 0) {
			/* Read it all again in the next transaction. */
			ix->ix_loaded = false;
			idem_set_rebuild(&ix->ix_done, IDEM_SET_MIN,
			    UINT32_MAX);
			break;
		}
	/* A list a big batch grew is given back, as idem_set_clear does. */
	if (ix->ix_ckept > 16 * IDEM_SET_MIN) {
		free(ix->ix_kept);
		ix->ix_kept = NULL;
		ix->ix_ckept = 0;
	}
	ix->ix_nkept = 0;
	idem_set_clear(&ix->ix_txn);
	if (ix->ix_loaded && ix->ix_expired != today) {
		/* Shrinks too, when a busy fortnight has passed. */
		i = IDEM_SET_MIN;
		while (i < 4 * ix->ix_done.is_n)
			i *= 2;
		if (idem_set_rebuild(&ix->ix_done, i, idem_keep_from()) == 0)
			ix->ix_expired = today;
	}
}

/* ---------------------------------------------------------- sweep */

/*
 * A record older than the day *arg, in any layout. An unreadable day is
 * no reason to keep a record. Records of the later two layouts are in
 * day order, so the first that is not old ends the walk.
 */
static int
idem_pick_old(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	const uint8_t	*k = key;
	uint32_t	 before = *(const uint32_t *)arg;

	if (k[0] == IDEM_REC_TAG)
		return klen != IDEM_REC_KEYLEN || idem_unbe32(k + 1) < before ?
		    STORAGE_PICK_DELETE : STORAGE_PICK_STOP;
	if (k[0] == IDEM_KEY_TAG)
		return klen != IDEM_KEYLEN || idem_unbe32(k + 1) < before ?
		    STORAGE_PICK_DELETE : STORAGE_PICK_STOP;
	return klen != IDEM_OLD_KEYLEN || vlen != 4 ||
	    idem_unbe32(val) < before ? STORAGE_PICK_DELETE :
	    STORAGE_PICK_KEEP;
}

int
idem_sweep(struct storage_txn *txn, uint32_t before, size_t max,
    size_t *n_out, bool *more)
{
	static const uint8_t	tags[] = { IDEM_OLD_TAG, IDEM_KEY_TAG,
	    IDEM_REC_TAG };
	size_t			n = 0, got, t;
	bool			left = false;
	int			ret;

	for (t = 0; t < sizeof(tags) && !left; t++) {
		if ((ret = storage_del_prefix(txn, STORAGE_DB_IDEMPOTENCY,
		    &tags[t], 1, idem_pick_old, &before, max - n, &got,
		    &left)) != 0)
			return ret;
		n += got;
	}
	*n_out = n;
	*more = left;
	return 0;
}
