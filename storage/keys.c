/*
 * keys.c — the KEK file, the keys it wraps, and KEK rotation that a crash
 * at any instant leaves openable. Wrapping itself is seal.c's.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "storage/keys.h"
#include "storage/kv.h"
#include "storage/seal.h"

_Static_assert(KEYS_LEN == SEAL_KEYBYTES, "one key size throughout");

struct keys {
	char		 kk_kek_path[PATH_MAX];
	char		 kk_new_path[PATH_MAX];	/* "<kek>.new" */
	unsigned char	*kk_root;	/* NULL: the KEK file is raw */
	unsigned char	*kk_kek;
	unsigned char	*kk_store;
};

/*
 * Records of the keys database. Each value is a key wrapped under the KEK
 * with its record name as associated data. "check" wraps random bytes that
 * nothing uses: it opens only under the right KEK, so a wrong key file is
 * reported as such at open instead of as a damaged store.
 */
static const char	keys_rec_check[] = "check";
static const char	keys_rec_store[] = "store";
#define KEYS_REC_DATA	'd'	/* 'd' | survey BE | month BE */
#define KEYS_DATA_NAMELEN 9
/* What the root key wraps in a sealed KEK file. */
static const char	keys_what_kekfile[] = "kek-file";

/* Group and other bits, and the owner's execute bit. */
#define KEYS_MODE_BAD	(S_IXUSR | S_IRWXG | S_IRWXO)

static void	keys_data_name(uint32_t, uint32_t, unsigned char *);
static unsigned char *keys_alloc(void);
static int	keys_kek_read(const struct keys *, const char *,
		    unsigned char **);
static int	keys_kek_write(const struct keys *, const char *,
		    const unsigned char *);
static int	keys_record_get(struct kv_env *, const char *,
		    unsigned char *);
static int	keys_init_store(struct keys *, struct kv_env *);
static int	keys_rewrap(struct kv_env *, const unsigned char *,
		    const unsigned char *, bool *);

static void
keys_data_name(uint32_t survey, uint32_t month, unsigned char *name)
{
	name[0] = KEYS_REC_DATA;
	name[1] = (unsigned char)(survey >> 24);
	name[2] = (unsigned char)(survey >> 16);
	name[3] = (unsigned char)(survey >> 8);
	name[4] = (unsigned char)survey;
	name[5] = (unsigned char)(month >> 24);
	name[6] = (unsigned char)(month >> 16);
	name[7] = (unsigned char)(month >> 8);
	name[8] = (unsigned char)month;
}

/* Guarded memory for one key: no core dumps, no swap, canaries. */
static unsigned char *
keys_alloc(void)
{
	return sodium_malloc(KEYS_LEN);
}

int
keys_resolve_path(const char *path, char *buf, size_t len)
{
	const char	*cred;

	if (path == NULL || *path == '\0' || buf == NULL)
		return -EINVAL;
	cred = getenv("CREDENTIALS_DIRECTORY");
	if (path[0] != '/' && cred != NULL && *cred != '\0')
		return util_snprintf(buf, len, "%s/%s", cred, path);
	return util_snprintf(buf, len, "%s", path);
}

int
keys_file_read(const char *path, size_t len, unsigned char **key_out)
{
	struct stat	 sb;
	unsigned char	*key = NULL;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd = -1, ret = -1;

	if (path == NULL || len == 0 || key_out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		ret = -errno;
		if (ret != -ENOENT)
			log_warn("%s", path);
		goto done;
	}
	/* Checked on the open descriptor, so the file cannot change between. */
	if (fstat(fd, &sb) == -1) {
		ret = -errno;
		log_warn("%s", path);
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s: a key file must be a regular file", path);
		ret = -EINVAL;
		goto done;
	}
	if ((sb.st_mode & KEYS_MODE_BAD) != 0) {
		log_warnx("%s: mode %04o lets others read the key; it must be "
		    "0600 or stricter (chmod 600 %s)", path,
		    (unsigned)(sb.st_mode & 07777), path);
		ret = -EACCES;
		goto done;
	}
	if (sb.st_size < 0 || (uint64_t)sb.st_size != len) {
		log_warnx("%s: holds %lld bytes, expected %zu", path,
		    (long long)sb.st_size, len);
		ret = -EINVAL;
		goto done;
	}
	if ((key = sodium_malloc(len)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	while (off < len) {
		n = read(fd, key + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ret = -errno;
			log_warn("%s", path);
			goto done;
		}
		if (n == 0) {
			log_warnx("%s: shrank while being read", path);
			ret = -EINVAL;
			goto done;
		}
		off += (size_t)n;
	}
	*key_out = key;
	key = NULL;
	ret = 0;
done:
	if (fd != -1)
		close(fd);
	sodium_free(key);
	return ret;
}

int
keys_keygen(const char *path)
{
	unsigned char	*key = NULL;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd = -1, ret = -1;
	bool		 created = false;

	if (path == NULL || *path == '\0') {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = seal_init()) != 0)
		goto done;
	if ((key = keys_alloc()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	randombytes_buf(key, KEYS_LEN);
	/* O_EXCL: never overwrite a key, which could destroy a store. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		ret = -errno;
		goto done;
	}
	created = true;
	while (off < KEYS_LEN) {
		n = write(fd, key + off, KEYS_LEN - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ret = -errno;
			goto done;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		ret = -errno;
		goto done;
	}
	n = close(fd);
	fd = -1;
	if (n == -1) {
		ret = -errno;
		goto done;
	}
	ret = util_fsync_parent(path);
done:
	if (fd != -1)
		close(fd);
	if (ret != 0 && created)
		(void)unlink(path);
	sodium_free(key);
	return ret;
}

/* Read the KEK from path: raw, or sealed by the root key when one is set. */
static int
keys_kek_read(const struct keys *k, const char *path, unsigned char **kek_out)
{
	unsigned char	*sealed = NULL, *kek = NULL;
	int		 ret = -1;

	if (k->kk_root == NULL) {
		ret = keys_file_read(path, KEYS_LEN, kek_out);
		goto done;
	}
	if ((ret = keys_file_read(path, SEAL_WRAPPEDBYTES, &sealed)) != 0)
		goto done;
	if ((kek = keys_alloc()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ret = seal_unwrap(k->kk_root, keys_what_kekfile,
	    sizeof(keys_what_kekfile) - 1, sealed, SEAL_WRAPPEDBYTES, kek);
	if (ret != 0) {
		log_warnx("%s: does not open with the root key", path);
		goto done;
	}
	*kek_out = kek;
	kek = NULL;
	ret = 0;
done:
	sodium_free(sealed);
	sodium_free(kek);
	return ret;
}

/* Write kek to path atomically (temp file, fsync, rename), mode 0600. */
static int
keys_kek_write(const struct keys *k, const char *path,
    const unsigned char *kek)
{
	unsigned char	sealed[SEAL_WRAPPEDBYTES];
	int		ret = -1;

	if (k->kk_root == NULL) {
		ret = util_write_file_atomic(path, kek, KEYS_LEN, 0600);
		goto done;
	}
	ret = seal_wrap(k->kk_root, keys_what_kekfile,
	    sizeof(keys_what_kekfile) - 1, kek, sealed);
	if (ret != 0)
		goto done;
	ret = util_write_file_atomic(path, sealed, sizeof(sealed), 0600);
done:
	if (ret != 0)
		log_warnx("%s: cannot write the KEK file: %s", path,
		    strerror(-ret));
	sodium_memzero(sealed, sizeof(sealed));
	return ret;
}

/* Copy out the wrapped key of record name; -ENOENT if there is none. */
static int
keys_record_get(struct kv_env *kv, const char *name, unsigned char *out)
{
	struct kv_txn	*txn = NULL;
	const void	*val;
	size_t		 vlen;
	int		 ret = -1;

	if ((ret = kv_txn_begin(kv, NULL, false, &txn)) != 0)
		goto done;
	ret = kv_get(txn, KEYS_DB, name, strlen(name), &val, &vlen);
	if (ret != 0)
		goto done;
	if (vlen != SEAL_WRAPPEDBYTES) {
		log_warnx("keys: record %s has %zu bytes, expected %d", name,
		    vlen, SEAL_WRAPPEDBYTES);
		ret = -EBADMSG;
		goto done;
	}
	memcpy(out, val, vlen);
	ret = 0;
done:
	kv_txn_abort(txn);
	return ret;
}

/* A new store: a random store key and the check record, in one commit. */
static int
keys_init_store(struct keys *k, struct kv_env *kv)
{
	struct kv_txn	*txn = NULL;
	unsigned char	*filler = NULL;
	unsigned char	 wrapped[SEAL_WRAPPEDBYTES];
	int		 ret = -1;

	if ((k->kk_store = keys_alloc()) == NULL ||
	    (filler = keys_alloc()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	randombytes_buf(k->kk_store, KEYS_LEN);
	randombytes_buf(filler, KEYS_LEN);
	if ((ret = kv_txn_begin(kv, NULL, true, &txn)) != 0)
		goto done;
	if ((ret = seal_wrap(k->kk_kek, keys_rec_store,
	    sizeof(keys_rec_store) - 1, k->kk_store, wrapped)) != 0)
		goto done;
	if ((ret = kv_put(txn, KEYS_DB, keys_rec_store,
	    sizeof(keys_rec_store) - 1, wrapped, sizeof(wrapped),
	    KV_NOOVERWRITE)) != 0)
		goto done;
	if ((ret = seal_wrap(k->kk_kek, keys_rec_check,
	    sizeof(keys_rec_check) - 1, filler, wrapped)) != 0)
		goto done;
	if ((ret = kv_put(txn, KEYS_DB, keys_rec_check,
	    sizeof(keys_rec_check) - 1, wrapped, sizeof(wrapped),
	    KV_NOOVERWRITE)) != 0)
		goto done;
	ret = kv_txn_commit(txn);
	txn = NULL;
done:
	kv_txn_abort(txn);
	sodium_free(filler);
	return ret;
}

int
keys_open(struct kv_env *kv, const struct keys_opts *o, struct keys **out)
{
	struct keys	*k = NULL;
	struct stat	 sb;
	char		 path[PATH_MAX + 8];
	unsigned char	 check[SEAL_WRAPPEDBYTES];
	unsigned char	 wrapped[SEAL_WRAPPEDBYTES];
	unsigned char	*scratch = NULL, *newkek = NULL;
	bool		 have_check = false, have_new = false;
	int		 rc, ret = -1;

	if (kv == NULL || o == NULL || out == NULL ||
	    (o->ko_kek_path == NULL && o->ko_dir == NULL)) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = seal_init()) != 0)
		goto done;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if (o->ko_kek_path != NULL)
		ret = keys_resolve_path(o->ko_kek_path, k->kk_kek_path,
		    sizeof(k->kk_kek_path));
	else
		ret = util_snprintf(k->kk_kek_path, sizeof(k->kk_kek_path),
		    "%s/kek", o->ko_dir);
	if (ret != 0)
		goto done;
	if ((ret = util_snprintf(k->kk_new_path, sizeof(k->kk_new_path),
	    "%s.new", k->kk_kek_path)) != 0)
		goto done;
	if (o->ko_root_key_path != NULL) {
		if ((ret = keys_resolve_path(o->ko_root_key_path, path,
		    sizeof(path))) != 0)
			goto done;
		if ((ret = keys_file_read(path, KEYS_LEN, &k->kk_root)) != 0) {
			if (ret == -ENOENT)
				log_warnx("%s: no root key file", path);
			goto done;
		}
		sodium_mprotect_readonly(k->kk_root);
	}
	/*
	 * Temp files of an atomic write that a crash interrupted hold keys
	 * that never protected a commit: nothing needs them.
	 */
	if (util_snprintf(path, sizeof(path), "%s.tmp", k->kk_kek_path) == 0)
		(void)unlink(path);
	if (util_snprintf(path, sizeof(path), "%s.tmp", k->kk_new_path) == 0)
		(void)unlink(path);
	if ((scratch = keys_alloc()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}

	rc = keys_record_get(kv, keys_rec_check, check);
	if (rc != 0 && rc != -ENOENT) {
		ret = rc;
		goto done;
	}
	have_check = rc == 0;
	have_new = stat(k->kk_new_path, &sb) == 0;

	rc = keys_kek_read(k, k->kk_kek_path, &k->kk_kek);
	if (rc == -ENOENT && have_check && !have_new) {
		log_warnx("%s: no KEK file, and this store cannot be opened "
		    "without it", k->kk_kek_path);
		ret = rc;
		goto done;
	} else if (rc == -ENOENT && !have_check && !o->ko_create) {
		log_warnx("%s: no KEK file", k->kk_kek_path);
		ret = rc;
		goto done;
	} else if (rc == -ENOENT && !have_check) {
		if ((k->kk_kek = keys_alloc()) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		randombytes_buf(k->kk_kek, KEYS_LEN);
		/* File first: a crash now leaves a KEK and an empty store. */
		if ((ret = keys_kek_write(k, k->kk_kek_path, k->kk_kek)) != 0)
			goto done;
		log_info("%s: new KEK written", k->kk_kek_path);
	} else if (rc != 0 && rc != -ENOENT) {
		ret = rc;
		goto done;
	}

	if (!have_check) {
		if (!o->ko_create) {
			log_warnx("%s: the store is not initialised",
			    o->ko_dir != NULL ? o->ko_dir : k->kk_kek_path);
			ret = -ENOENT;
			goto done;
		}
		/* A .new without a store behind it protects nothing. */
		if (have_new)
			(void)unlink(k->kk_new_path);
		if ((ret = keys_init_store(k, kv)) != 0)
			goto done;
		goto protect;
	}

	if (k->kk_kek != NULL && seal_unwrap(k->kk_kek, keys_rec_check,
	    sizeof(keys_rec_check) - 1, check, sizeof(check), scratch) == 0) {
		/* A rotation that crashed before its commit: undo it. */
		if (have_new) {
			(void)unlink(k->kk_new_path);
			log_info("%s: removed the KEK of an unfinished "
			    "rotation", k->kk_new_path);
		}
	} else if (have_new) {
		/* It crashed after the commit: the new KEK is the key now. */
		if ((ret = keys_kek_read(k, k->kk_new_path, &newkek)) != 0)
			goto done;
		if (seal_unwrap(newkek, keys_rec_check,
		    sizeof(keys_rec_check) - 1, check, sizeof(check),
		    scratch) != 0) {
			log_warnx("%s: neither it nor %s opens this store",
			    k->kk_kek_path, k->kk_new_path);
			ret = -EBADMSG;
			goto done;
		}
		if (rename(k->kk_new_path, k->kk_kek_path) == -1) {
			ret = -errno;
			log_warn("rename %s", k->kk_new_path);
			goto done;
		}
		if ((ret = util_fsync_parent(k->kk_kek_path)) != 0)
			goto done;
		sodium_free(k->kk_kek);
		k->kk_kek = newkek;
		newkek = NULL;
		log_info("%s: finished an interrupted KEK rotation",
		    k->kk_kek_path);
	} else {
		log_warnx("%s: this KEK does not open the store (wrong key "
		    "file, or a KEK older than the last rotation)",
		    k->kk_kek_path);
		ret = -EBADMSG;
		goto done;
	}

	if ((ret = keys_record_get(kv, keys_rec_store, wrapped)) != 0) {
		if (ret == -ENOENT) {
			log_warnx("keys: the store key is missing");
			ret = -EIO;
		}
		goto done;
	}
	if ((k->kk_store = keys_alloc()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = seal_unwrap(k->kk_kek, keys_rec_store,
	    sizeof(keys_rec_store) - 1, wrapped, sizeof(wrapped),
	    k->kk_store)) != 0) {
		log_warnx("keys: the store key does not unwrap");
		goto done;
	}
protect:
	sodium_mprotect_readonly(k->kk_kek);
	sodium_mprotect_readonly(k->kk_store);
	*out = k;
	k = NULL;
	ret = 0;
done:
	sodium_free(scratch);
	sodium_free(newkek);
	keys_close(k);
	return ret;
}

void
keys_close(struct keys *k)
{
	if (k == NULL)
		return;
	/* sodium_free() makes the pages writable again and wipes them. */
	sodium_free(k->kk_root);
	sodium_free(k->kk_kek);
	sodium_free(k->kk_store);
	free(k);
}

const unsigned char *
keys_store_key(const struct keys *k)
{
	return k != NULL ? k->kk_store : NULL;
}

int
keys_data_key(struct keys *k, struct kv_txn *txn, uint32_t survey,
    uint32_t month, bool create, unsigned char *dk_out)
{
	unsigned char	 name[KEYS_DATA_NAMELEN];
	unsigned char	 wrapped[SEAL_WRAPPEDBYTES];
	const void	*val;
	size_t		 vlen;
	int		 ret = -1;

	if (k == NULL || txn == NULL || dk_out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	keys_data_name(survey, month, name);
	ret = kv_get(txn, KEYS_DB, name, sizeof(name), &val, &vlen);
	if (ret == 0) {
		ret = seal_unwrap(k->kk_kek, name, sizeof(name), val, vlen,
		    dk_out);
		if (ret != 0)
			log_warnx("keys: data key of survey %u month %u does "
			    "not unwrap", survey, month);
		goto done;
	}
	if (ret != -ENOENT || !create)
		goto done;
	if (!kv_txn_write(txn)) {
		ret = -EINVAL;
		goto done;
	}
	randombytes_buf(dk_out, KEYS_LEN);
	if ((ret = seal_wrap(k->kk_kek, name, sizeof(name), dk_out,
	    wrapped)) != 0)
		goto done;
	ret = kv_put(txn, KEYS_DB, name, sizeof(name), wrapped,
	    sizeof(wrapped), KV_NOOVERWRITE);
done:
	if (ret != 0 && dk_out != NULL)
		sodium_memzero(dk_out, KEYS_LEN);
	return ret;
}

int
keys_data_key_del(struct kv_txn *txn, uint32_t survey, uint32_t month)
{
	unsigned char	name[KEYS_DATA_NAMELEN];

	if (txn == NULL)
		return -EINVAL;
	keys_data_name(survey, month, name);
	return kv_del(txn, KEYS_DB, name, sizeof(name));
}

/*
 * Re-wrap every record of the keys database from kek to newkek in one
 * transaction. Record names are collected first so that no put happens
 * under an open cursor. *committing tells whether the commit was tried:
 * a commit that reports failure (an fsync error) may still be on disk.
 */
static int
keys_rewrap(struct kv_env *kv, const unsigned char *kek,
    const unsigned char *newkek, bool *committing)
{
	struct kv_txn		*txn = NULL;
	struct kv_cursor	*cur = NULL;
	unsigned char		*names = NULL, *p, *key = NULL;
	unsigned char		 wrapped[SEAL_WRAPPEDBYTES];
	const void		*k, *v;
	size_t			 klen, vlen, off, n = 0;
	size_t			 used = 0, cap = 0;
	int			 rc, ret = -1;

	if ((key = keys_alloc()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = kv_txn_begin(kv, NULL, true, &txn)) != 0)
		goto done;
	if ((ret = kv_cursor_open(txn, KEYS_DB, NULL, 0, &cur)) != 0)
		goto done;
	/* names: u16 length | name, one after another. */
	while ((rc = kv_cursor_next(cur, &k, &klen, &v, &vlen)) == 0) {
		if (used + 2 + klen > cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			if (cap < used + 2 + klen)
				cap = used + 2 + klen;
			if ((p = realloc(names, cap)) == NULL) {
				ret = -ENOMEM;
				goto done;
			}
			names = p;
		}
		names[used] = (unsigned char)(klen >> 8);
		names[used + 1] = (unsigned char)klen;
		memcpy(names + used + 2, k, klen);
		used += 2 + klen;
		n++;
	}
	if (rc != -ENOENT) {
		ret = rc;
		goto done;
	}
	kv_cursor_close(cur);
	cur = NULL;
	if (n < 2) {
		log_warnx("keys: the keys database is incomplete");
		ret = -EIO;
		goto done;
	}
	for (off = 0; off < used; off += 2 + klen) {
		klen = (size_t)names[off] << 8 | names[off + 1];
		p = names + off + 2;
		if ((ret = kv_get(txn, KEYS_DB, p, klen, &v, &vlen)) != 0)
			goto done;
		if ((ret = seal_unwrap(kek, p, klen, v, vlen, key)) != 0) {
			log_warnx("keys: a wrapped key does not unwrap; "
			    "rotation abandoned");
			goto done;
		}
		if ((ret = seal_wrap(newkek, p, klen, key, wrapped)) != 0)
			goto done;
		if ((ret = kv_put(txn, KEYS_DB, p, klen, wrapped,
		    sizeof(wrapped), 0)) != 0)
			goto done;
	}
	*committing = true;
	ret = kv_txn_commit(txn);
	txn = NULL;
done:
	kv_cursor_close(cur);
	kv_txn_abort(txn);
	free(names);
	sodium_free(key);
	return ret;
}

int
keys_rotate(struct keys *k, struct kv_env *kv, enum keys_rotate_stop stop)
{
	unsigned char	*newkek = NULL;
	bool		 written = false, committing = false;
	int		 ret = -1;

	if (k == NULL || kv == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((newkek = keys_alloc()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	randombytes_buf(newkek, KEYS_LEN);
	/*
	 * 1. The new KEK reaches the disk before anything is wrapped under
	 * it, so no commit can depend on a key that a crash lost.
	 */
	if ((ret = keys_kek_write(k, k->kk_new_path, newkek)) != 0)
		goto done;
	written = true;
	if (stop == KEYS_ROTATE_WRITTEN) {
		written = false;	/* leave it, as a crash would */
		ret = 0;
		goto done;
	}
	/* 2. One commit switches every wrapped key to the new KEK. */
	if ((ret = keys_rewrap(kv, k->kk_kek, newkek, &committing)) != 0) {
		/*
		 * -EDQUOT: the disk was full and the store is sound, so the
		 * commit is known not to be on disk (kv.h): the old KEK
		 * holds, and the new file goes as if never written.
		 */
		if (committing && ret != -EDQUOT) {
			/*
			 * Maybe on disk, maybe not: keep both files and let
			 * the check record decide at the next open.
			 */
			written = false;
			log_warnx("%s: KEK rotation commit failed (%s); "
			    "restart to settle which KEK holds",
			    k->kk_kek_path, strerror(-ret));
			ret = -EIO;
		}
		goto done;
	}
	written = false;
	sodium_free(k->kk_kek);
	k->kk_kek = newkek;
	newkek = NULL;
	sodium_mprotect_readonly(k->kk_kek);
	if (stop == KEYS_ROTATE_COMMITTED) {
		ret = 0;
		goto done;
	}
	/*
	 * 3. The new file replaces the old. Until this rename is durable,
	 * keys_open() tells the two apart by the check record.
	 */
	if (rename(k->kk_new_path, k->kk_kek_path) == -1) {
		ret = -errno;
		log_warn("rename %s (the next open finishes the rotation)",
		    k->kk_new_path);
		goto done;
	}
	if ((ret = util_fsync_parent(k->kk_kek_path)) != 0)
		goto done;
	log_info("%s: KEK rotated", k->kk_kek_path);
	ret = 0;
done:
	if (written)
		(void)unlink(k->kk_new_path);
	sodium_free(newkek);
	return ret;
}
