/*
 * test_keys.c — key files, the key hierarchy, KEK rotation and its crash
 * recovery, and crypto-shredding, on real files in a temporary directory.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "storage/keys.h"
#include "storage/kv.h"
#include "storage/seal.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

/* Fixed days, never the clock: 2024-03-10 and 2024-04-20. */
#define DAY_MARCH	19792
#define DAY_APRIL	19833
#define SURVEY		42

struct fixture {
	char	dir[256];	/* temporary root */
	char	state[300];	/* <dir>/state: the store */
	char	kek[320];	/* <state>/kek */
};

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    tmpdir_make(f->dir, sizeof(f->dir), "keys") != 0)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	snprintf(f->kek, sizeof(f->kek), "%s/kek", f->state);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	unsetenv("CREDENTIALS_DIRECTORY");
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void
write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int	fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
copy_file(const char *from, const char *to)
{
	void	*buf;
	size_t	 len;

	assert_int_equal(util_read_file(from, 1 << 26, &buf, &len), 0);
	write_file(to, buf, len, 0600);
	free(buf);
}

static bool
same_file(const char *a, const char *b)
{
	void	*x, *y;
	size_t	 xl, yl;
	bool	 same;

	assert_int_equal(util_read_file(a, 1 << 26, &x, &xl), 0);
	assert_int_equal(util_read_file(b, 1 << 26, &y, &yl), 0);
	same = xl == yl && memcmp(x, y, xl) == 0;
	free(x);
	free(y);
	return same;
}

static bool
exists(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0;
}

static void
opts_init(struct fixture *f, struct storage_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->so_dir = f->state;
	o->so_create = true;
}

/* A store with one unit and one response in March and one in April. */
static void
populate(const struct storage_opts *o)
{
	struct storage		*st = NULL;
	struct storage_txn	*txn;

	assert_int_equal(storage_open(o, &st), 0);
	assert_int_equal(storage_txn_begin(st, true, &txn), 0);
	assert_int_equal(storage_put(txn, STORAGE_DB_UNITS, "unit/1", 6,
	    "Kallio", 6, 0), 0);
	assert_int_equal(storage_response_put(txn, SURVEY, DAY_MARCH,
	    "march", 5), 0);
	assert_int_equal(storage_response_put(txn, SURVEY, DAY_APRIL,
	    "april", 5), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	storage_close(st);
}


/* Responses of SURVEY on day, each of which must open to expect. */
static int
count_day(struct storage *st, uint32_t day, const char *expect)
{
	struct storage_txn	*txn;
	struct storage_iter	*it;
	const void		*k, *v;
	size_t			 kl, vl;
	int			 n = 0, rc;

	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	assert_int_equal(storage_response_iter(txn, SURVEY, day, day, &it), 0);
	while ((rc = storage_iter_next(it, &k, &kl, &v, &vl)) == 0) {
		assert_int_equal(storage_response_key_day(k), day);
		assert_int_equal(vl, strlen(expect));
		assert_memory_equal(v, expect, vl);
		n++;
	}
	assert_int_equal(rc, -ENOENT);
	storage_iter_free(it);
	storage_txn_abort(txn);
	return n;
}

/* The store opens with o, and holds the unit and these responses. */
static void
expect_open(const struct storage_opts *o, int march, int april)
{
	struct storage		*st = NULL;
	struct storage_txn	*txn;
	void			*val;
	size_t			 len;

	assert_int_equal(storage_open(o, &st), 0);
	assert_int_equal(storage_txn_begin(st, false, &txn), 0);
	assert_int_equal(storage_get(txn, STORAGE_DB_UNITS, "unit/1", 6, &val,
	    &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(val, "Kallio", 6);
	free(val);
	storage_txn_abort(txn);
	assert_int_equal(count_day(st, DAY_MARCH, "march"), march);
	assert_int_equal(count_day(st, DAY_APRIL, "april"), april);
	storage_close(st);
}

/* kv names in the order storage.c opens them. */
static void
kv_names(const char **names)
{
	unsigned	i;

	for (i = 0; i < STORAGE_DB_COUNT; i++)
		names[i] = storage_db_name(i);
	names[KEYS_DB] = KEYS_DB_NAME;
}

/* Open the store's kv and keys directly, as storage_open() would. */
static void
raw_open(const struct storage_opts *o, struct kv_env **kv, struct keys **k)
{
	const char		*names[STORAGE_DB_COUNT + 1];
	struct keys_opts	 ko;

	kv_names(names);
	assert_int_equal(kv_open(o->so_dir, 0, names, STORAGE_DB_COUNT + 1,
	    kv), 0);
	memset(&ko, 0, sizeof(ko));
	ko.ko_dir = o->so_dir;
	ko.ko_kek_path = o->so_kek_path;
	ko.ko_root_key_path = o->so_root_key_path;
	assert_int_equal(keys_open(*kv, &ko, k), 0);
}

static void
test_key_file_mode(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage		*st = NULL;
	unsigned char		*key = NULL;
	char			 path[400];
	struct stat		 sb;

	snprintf(path, sizeof(path), "%s/k", f->dir);
	assert_int_equal(storage_keygen(path), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, KEYS_LEN);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), 0);
	sodium_free(key);
	key = NULL;
	/* A key file is never overwritten. */
	assert_int_equal(storage_keygen(path), -EEXIST);

	/* Readable by others: refused, by keys and by storage_open(). */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), -EACCES);
	assert_null(key);
	opts_init(f, &o);
	o.so_kek_path = path;
	assert_int_equal(storage_open(&o, &st), -EACCES);
	assert_null(st);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), -EACCES);
	assert_int_equal(chmod(path, 0700), 0);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), -EACCES);
	assert_null(key);
	/* Stricter than 0600 is fine (systemd credentials are 0400). */
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), 0);
	sodium_free(key);
	/* A KEK made by keygen becomes the new store's KEK. */
	assert_int_equal(storage_open(&o, &st), 0);
	storage_close(st);
}

static void
test_key_file_size(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage		*st = NULL;
	unsigned char		*key = NULL;
	unsigned char		 bytes[KEYS_LEN + 1];
	char			 path[400];

	memset(bytes, 0x33, sizeof(bytes));
	snprintf(path, sizeof(path), "%s/short", f->dir);
	write_file(path, bytes, KEYS_LEN - 1, 0600);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), -EINVAL);
	opts_init(f, &o);
	o.so_kek_path = path;
	assert_int_equal(storage_open(&o, &st), -EINVAL);
	assert_null(st);
	write_file(path, bytes, KEYS_LEN + 1, 0600);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), -EINVAL);
	write_file(path, bytes, 0, 0600);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), -EINVAL);
	/* Not a regular file. */
	assert_int_equal(keys_file_read(f->dir, KEYS_LEN, &key), -EINVAL);
	assert_null(key);
	snprintf(path, sizeof(path), "%s/missing", f->dir);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &key), -ENOENT);
}

static void
test_create(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage		*st = NULL;
	struct stat		 sb;
	char			 aside[400];

	opts_init(f, &o);
	o.so_create = false;
	assert_int_equal(storage_open(&o, &st), -ENOENT);
	assert_false(exists(f->state));
	o.so_create = true;
	populate(&o);
	/* A 0600 KEK in a directory only the owner can enter. */
	assert_int_equal(stat(f->kek, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, KEYS_LEN);
	assert_int_equal(stat(f->state, &sb), 0);
	assert_int_equal(sb.st_mode & 0077, 0);
	o.so_create = false;
	expect_open(&o, 1, 1);

	/* A store whose KEK is gone is never given a new one. */
	snprintf(aside, sizeof(aside), "%s/kek.aside", f->dir);
	assert_int_equal(rename(f->kek, aside), 0);
	o.so_create = true;
	assert_int_equal(storage_open(&o, &st), -ENOENT);
	assert_false(exists(f->kek));
	assert_int_equal(rename(aside, f->kek), 0);
	expect_open(&o, 1, 1);
}

/* Data keys: one per (survey, month), stored wrapped, stable. */
static void
test_data_keys(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct kv_env		*kv = NULL;
	struct keys		*k = NULL;
	struct kv_txn		*txn;
	unsigned char		*a, *b, *c;
	unsigned char		 name[9] = { 'd', 0, 0, 0, 7,
				    0, 0, 0x5f, 0x10 };
	const void		*v;
	size_t			 vl;
	uint32_t		 month = 0x5f10;

	opts_init(f, &o);
	populate(&o);
	raw_open(&o, &kv, &k);
	a = sodium_malloc(KEYS_LEN);
	b = sodium_malloc(KEYS_LEN);
	c = sodium_malloc(KEYS_LEN);

	assert_int_equal(kv_txn_begin(kv, NULL, true, &txn), 0);
	assert_int_equal(keys_data_key(k, txn, 7, month, false, a), -ENOENT);
	assert_int_equal(keys_data_key(k, txn, 7, month, true, a), 0);
	assert_int_equal(keys_data_key(k, txn, 7, month, true, b), 0);
	assert_memory_equal(a, b, KEYS_LEN);
	/* Another month, another survey: other keys. */
	assert_int_equal(keys_data_key(k, txn, 7, month + 1, true, c), 0);
	assert_memory_not_equal(a, c, KEYS_LEN);
	assert_int_equal(keys_data_key(k, txn, 8, month, true, c), 0);
	assert_memory_not_equal(a, c, KEYS_LEN);
	/* Stored wrapped: the record is not the key. */
	assert_int_equal(kv_get(txn, KEYS_DB, name, sizeof(name), &v, &vl), 0);
	assert_int_equal(vl, SEAL_WRAPPEDBYTES);
	assert_null(memmem(v, vl, a, 8));
	assert_int_equal(kv_txn_commit(txn), 0);

	/* The same key comes back in a later transaction. */
	assert_int_equal(kv_txn_begin(kv, NULL, false, &txn), 0);
	assert_int_equal(keys_data_key(k, txn, 7, month, false, b), 0);
	assert_memory_equal(a, b, KEYS_LEN);
	/* Read transactions do not create keys. */
	assert_int_equal(keys_data_key(k, txn, 9, month, true, b), -EINVAL);
	kv_txn_abort(txn);

	assert_int_equal(kv_txn_begin(kv, NULL, true, &txn), 0);
	assert_int_equal(keys_data_key_del(txn, 7, month), 0);
	assert_int_equal(keys_data_key_del(txn, 7, month), -ENOENT);
	assert_int_equal(keys_data_key(k, txn, 7, month, false, b), -ENOENT);
	kv_txn_abort(txn);

	sodium_free(a);
	sodium_free(b);
	sodium_free(c);
	keys_close(k);
	kv_close(kv);
}

static void
test_rotate(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o, old;
	struct storage		*st = NULL;
	char			 oldkek[400], newpath[400];

	opts_init(f, &o);
	populate(&o);
	snprintf(oldkek, sizeof(oldkek), "%s/kek.old", f->dir);
	snprintf(newpath, sizeof(newpath), "%s.new", f->kek);
	copy_file(f->kek, oldkek);

	assert_int_equal(storage_open(&o, &st), 0);
	assert_int_equal(storage_rotate_kek(st), 0);
	/* The open store goes on reading and writing across the swap. */
	assert_int_equal(count_day(st, DAY_MARCH, "march"), 1);
	assert_int_equal(storage_rotate_kek(st), 0);
	storage_close(st);

	assert_false(same_file(f->kek, oldkek));
	assert_false(exists(newpath));
	/* Everything opens with the new KEK file... */
	expect_open(&o, 1, 1);
	/* ...and nothing with the old one. */
	old = o;
	old.so_kek_path = oldkek;
	old.so_create = false;
	st = NULL;
	assert_int_equal(storage_open(&old, &st), -EBADMSG);
	assert_null(st);
}

/*
 * Crypto-shredding: a byte copy of the state directory taken before the
 * shred, paired with the KEK after shred + rotation, yields nothing of the
 * shredded month.
 */
static void
test_shred_rotate(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o, c;
	struct storage		*st = NULL;
	struct kv_env		*kv = NULL;
	struct kv_txn		*txn;
	unsigned char		*newkek = NULL, *oldkek = NULL, *dk;
	unsigned char		 name[9];
	char			 copy[300], path[400], from[400];
	const char		*names[STORAGE_DB_COUNT + 1];
	const void		*v;
	size_t			 vl;
	uint32_t		 march = storage_day_month(DAY_MARCH);

	opts_init(f, &o);
	populate(&o);
	/* The copy an attacker or an old backup keeps: data.mdb and kek. */
	snprintf(copy, sizeof(copy), "%s/copy", f->dir);
	assert_int_equal(mkdir(copy, 0700), 0);
	snprintf(from, sizeof(from), "%s/data.mdb", f->state);
	snprintf(path, sizeof(path), "%s/data.mdb", copy);
	copy_file(from, path);
	snprintf(path, sizeof(path), "%s/kek.old", copy);
	copy_file(f->kek, path);

	assert_int_equal(storage_open(&o, &st), 0);
	assert_int_equal(storage_shred(st, SURVEY, march), 0);
	/* Shredding twice is harmless (retention jobs rerun). */
	assert_int_equal(storage_shred(st, SURVEY, march), 0);
	assert_int_equal(storage_rotate_kek(st), 0);
	assert_int_equal(count_day(st, DAY_MARCH, "march"), 0);
	assert_int_equal(count_day(st, DAY_APRIL, "april"), 1);
	storage_close(st);
	expect_open(&o, 0, 1);

	/* The old copy with the new KEK does not open at all. */
	snprintf(path, sizeof(path), "%s/kek", copy);
	copy_file(f->kek, path);
	memset(&c, 0, sizeof(c));
	c.so_dir = copy;
	st = NULL;
	assert_int_equal(storage_open(&c, &st), -EBADMSG);
	assert_null(st);

	/*
	 * Nor does the shredded month's wrapped key in it, tried directly
	 * with the new KEK, past the check record. The old KEK does unwrap
	 * it: the copy really holds the key, and the old key file is what
	 * must be expired.
	 */
	assert_int_equal(keys_file_read(f->kek, KEYS_LEN, &newkek), 0);
	snprintf(path, sizeof(path), "%s/kek.old", copy);
	assert_int_equal(keys_file_read(path, KEYS_LEN, &oldkek), 0);
	dk = sodium_malloc(KEYS_LEN);
	assert_non_null(dk);
	name[0] = 'd';
	name[1] = 0; name[2] = 0; name[3] = 0; name[4] = SURVEY;
	name[5] = (unsigned char)(march >> 24);
	name[6] = (unsigned char)(march >> 16);
	name[7] = (unsigned char)(march >> 8);
	name[8] = (unsigned char)march;
	kv_names(names);
	assert_int_equal(kv_open(copy, 0, names, STORAGE_DB_COUNT + 1, &kv), 0);
	assert_int_equal(kv_txn_begin(kv, NULL, false, &txn), 0);
	assert_int_equal(kv_get(txn, KEYS_DB, name, sizeof(name), &v, &vl), 0);
	assert_int_equal(seal_unwrap(newkek, name, sizeof(name), v, vl, dk),
	    -EBADMSG);
	assert_int_equal(seal_unwrap(oldkek, name, sizeof(name), v, vl, dk), 0);
	kv_txn_abort(txn);
	kv_close(kv);

	/* And the live store has no such key left to unwrap. */
	kv = NULL;
	assert_int_equal(kv_open(f->state, 0, names, STORAGE_DB_COUNT + 1,
	    &kv), 0);
	assert_int_equal(kv_txn_begin(kv, NULL, false, &txn), 0);
	assert_int_equal(kv_get(txn, KEYS_DB, name, sizeof(name), &v, &vl),
	    -ENOENT);
	kv_txn_abort(txn);
	kv_close(kv);

	sodium_free(dk);
	sodium_free(newkek);
	sodium_free(oldkek);
}

static void
test_root_key(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o, w;
	struct storage		*st = NULL;
	struct stat		 sb;
	char			 root[400], wrong[400], saved[400];

	snprintf(root, sizeof(root), "%s/root.key", f->dir);
	snprintf(wrong, sizeof(wrong), "%s/wrong.key", f->dir);
	snprintf(saved, sizeof(saved), "%s/root.saved", f->dir);
	assert_int_equal(storage_keygen(root), 0);
	assert_int_equal(storage_keygen(wrong), 0);
	copy_file(root, saved);

	opts_init(f, &o);
	o.so_root_key_path = root;
	populate(&o);
	/* The KEK file is sealed (nonce | key | tag), not raw. */
	assert_int_equal(stat(f->kek, &sb), 0);
	assert_int_equal(sb.st_size, SEAL_WRAPPEDBYTES);
	expect_open(&o, 1, 1);

	/* A wrong root key does not open the KEK file. */
	w = o;
	w.so_root_key_path = wrong;
	assert_int_equal(storage_open(&w, &st), -EBADMSG);
	/* Nor does reading the sealed file as a raw KEK. */
	w.so_root_key_path = NULL;
	assert_int_equal(storage_open(&w, &st), -EINVAL);
	assert_null(st);

	/* Rotation rewrites the KEK file, never the root key. */
	assert_int_equal(storage_open(&o, &st), 0);
	assert_int_equal(storage_rotate_kek(st), 0);
	storage_close(st);
	assert_true(same_file(root, saved));
	assert_int_equal(stat(f->kek, &sb), 0);
	assert_int_equal(sb.st_size, SEAL_WRAPPEDBYTES);
	expect_open(&o, 1, 1);
}

static void
test_credentials(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage		*st = NULL;
	char			 creds[300], path[400], buf[512];

	snprintf(creds, sizeof(creds), "%s/creds", f->dir);
	assert_int_equal(mkdir(creds, 0700), 0);
	snprintf(path, sizeof(path), "%s/root.key", creds);
	assert_int_equal(storage_keygen(path), 0);

	/* Without $CREDENTIALS_DIRECTORY a relative path stays relative. */
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(keys_resolve_path("root.key", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "root.key");

	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", creds, 1), 0);
	assert_int_equal(keys_resolve_path("root.key", buf, sizeof(buf)), 0);
	assert_string_equal(buf, path);
	/* Absolute paths are never redirected. */
	assert_int_equal(keys_resolve_path(f->kek, buf, sizeof(buf)), 0);
	assert_string_equal(buf, f->kek);

	opts_init(f, &o);
	o.so_root_key_path = "root.key";
	populate(&o);
	expect_open(&o, 1, 1);
	/*
	 * The credential was what opened it: without it, "root.key" is
	 * looked for in the working directory, where there is none.
	 */
	unsetenv("CREDENTIALS_DIRECTORY");
	o.so_create = false;
	assert_int_equal(storage_open(&o, &st), -ENOENT);
	assert_null(st);
}

/* A crash after the re-wrap commit, before the rename: finish it. */
static void
test_recover_committed(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o, old;
	struct storage		*st = NULL;
	struct kv_env		*kv = NULL;
	struct keys		*k = NULL;
	char			 newpath[400], saved[400], oldkek[400];

	opts_init(f, &o);
	populate(&o);
	snprintf(newpath, sizeof(newpath), "%s.new", f->kek);
	snprintf(saved, sizeof(saved), "%s/new.saved", f->dir);
	snprintf(oldkek, sizeof(oldkek), "%s/kek.old", f->dir);
	copy_file(f->kek, oldkek);

	raw_open(&o, &kv, &k);
	assert_int_equal(keys_rotate(k, kv, KEYS_ROTATE_COMMITTED), 0);
	keys_close(k);
	kv_close(kv);
	assert_true(exists(newpath));
	assert_true(same_file(f->kek, oldkek));
	copy_file(newpath, saved);

	/* The store is re-wrapped: the old KEK alone no longer opens it. */
	old = o;
	old.so_kek_path = oldkek;
	assert_int_equal(storage_open(&old, &st), -EBADMSG);

	/* Opening finishes the rotation: .new becomes the KEK. */
	expect_open(&o, 1, 1);
	assert_false(exists(newpath));
	assert_true(same_file(f->kek, saved));
	expect_open(&o, 1, 1);
}

/* A crash before the re-wrap commit: the .new file is dropped. */
static void
test_recover_written(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct kv_env		*kv = NULL;
	struct keys		*k = NULL;
	char			 newpath[400], saved[400];

	opts_init(f, &o);
	populate(&o);
	snprintf(newpath, sizeof(newpath), "%s.new", f->kek);
	snprintf(saved, sizeof(saved), "%s/kek.saved", f->dir);
	copy_file(f->kek, saved);

	raw_open(&o, &kv, &k);
	assert_int_equal(keys_rotate(k, kv, KEYS_ROTATE_WRITTEN), 0);
	keys_close(k);
	kv_close(kv);
	assert_true(exists(newpath));

	expect_open(&o, 1, 1);
	assert_false(exists(newpath));
	assert_true(same_file(f->kek, saved));
}

/* A .new that opens nothing, beside a KEK that opens nothing: refuse. */
static void
test_recover_neither(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage		*st = NULL;
	struct kv_env		*kv = NULL;
	struct keys		*k = NULL;
	unsigned char		 junk[KEYS_LEN];
	char			 newpath[400];

	opts_init(f, &o);
	populate(&o);
	snprintf(newpath, sizeof(newpath), "%s.new", f->kek);
	raw_open(&o, &kv, &k);
	assert_int_equal(keys_rotate(k, kv, KEYS_ROTATE_COMMITTED), 0);
	keys_close(k);
	kv_close(kv);
	memset(junk, 0x44, sizeof(junk));
	write_file(newpath, junk, sizeof(junk), 0600);
	assert_int_equal(storage_open(&o, &st), -EBADMSG);
	assert_null(st);
	/* Nothing was renamed over the evidence. */
	assert_true(exists(newpath));
}

struct reader {
	struct storage	*st;
	int		 rc;
};

static void *
rotate_thread(void *arg)
{
	struct reader	*r = arg;

	r->rc = storage_rotate_kek(r->st);
	return NULL;
}

/*
 * A rotation waits for transactions that began before it: they keep
 * unwrapping data keys with the KEK of their snapshot. The assertions hold
 * for any scheduling; the short sleep only gives a broken gate the chance
 * to show itself.
 */
static void
test_rotate_waits(void **state)
{
	struct fixture		*f = *state;
	struct storage_opts	 o;
	struct storage_txn	*txn;
	struct storage_iter	*it;
	struct reader		 r;
	pthread_t		 t;
	const void		*k, *v;
	size_t			 kl, vl;
	char			 saved[400];

	opts_init(f, &o);
	populate(&o);
	snprintf(saved, sizeof(saved), "%s/kek.saved", f->dir);
	copy_file(f->kek, saved);
	memset(&r, 0, sizeof(r));
	r.rc = 1;
	assert_int_equal(storage_open(&o, &r.st), 0);
	assert_int_equal(storage_txn_begin(r.st, false, &txn), 0);
	assert_int_equal(pthread_create(&t, NULL, rotate_thread, &r), 0);
	usleep(50000);
	assert_true(same_file(f->kek, saved));
	assert_int_equal(storage_response_iter(txn, SURVEY, DAY_APRIL,
	    DAY_APRIL, &it), 0);
	assert_int_equal(storage_iter_next(it, &k, &kl, &v, &vl), 0);
	assert_memory_equal(v, "april", 5);
	storage_iter_free(it);
	storage_txn_abort(txn);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.rc, 0);
	assert_false(same_file(f->kek, saved));
	assert_int_equal(count_day(r.st, DAY_APRIL, "april"), 1);
	storage_close(r.st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_file_mode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_key_file_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shred_rotate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_root_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_credentials, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_committed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_written, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_neither, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotate_waits, setup,
		    teardown),
	};

	log_init("test_keys", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
