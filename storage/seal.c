/*
 * seal.c — the only caller of an AEAD: XChaCha20-Poly1305-IETF, whose
 * 192-bit nonce is safe to draw at random for every value.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "storage/seal.h"

_Static_assert(SEAL_KEYBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    "key size");
_Static_assert(SEAL_NONCEBYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    "nonce size");
_Static_assert(SEAL_TAGBYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
    "tag size");

/*
 * Associated data layouts. Each starts with a 16-byte domain string, so a
 * wrapped key can never open as a value or the other way round; every
 * variable field is length-prefixed, so no two places encode alike.
 *   value: "palaute.value.v1" | u8 len | db | u32 kid | u16 len | key
 *   wrap:  "palaute.wrap.v1\0" | u16 len | what
 */
#define SEAL_DOMAINLEN	16
#define SEAL_DB_MAX	64
#define SEAL_AD_MAX	\
	(SEAL_DOMAINLEN + 1 + SEAL_DB_MAX + 4 + 2 + SEAL_KEY_MAX)

static const unsigned char seal_dom_value[SEAL_DOMAINLEN] = "palaute.value.v1";
static const unsigned char seal_dom_wrap[SEAL_DOMAINLEN] = "palaute.wrap.v1";

/*
 * Bytes stored in the clear (nonces, the random tails of keys) come from a
 * per-thread pool: a getrandom() call per value was a tenth of the writer's
 * time. They need to be unpredictable and never repeat, not secret.
 */
#define SEAL_POOL_BYTES	4096

static _Thread_local unsigned char	seal_pool[SEAL_POOL_BYTES];
static _Thread_local size_t		seal_pool_left;
static pthread_once_t			seal_fork_once = PTHREAD_ONCE_INIT;

static void	seal_pool_forget(void);
static void	seal_fork_register(void);
static int	seal_ad_value(const struct seal_ad *, unsigned char *,
		    size_t *);
static int	seal_ad_wrap(const void *, size_t, unsigned char *, size_t *);
static int	seal_encrypt(const unsigned char *, const unsigned char *,
		    size_t, const void *, size_t, unsigned char *);
static int	seal_decrypt(const unsigned char *, const unsigned char *,
		    size_t, const unsigned char *, size_t, unsigned char *);

int
seal_init(void)
{
	/* 0: initialised now, 1: already; -1 only without an entropy source. */
	if (sodium_init() < 0)
		return -EIO;
	pthread_once(&seal_fork_once, seal_fork_register);
	return 0;
}

/*
 * A forked child would draw the parent's unused nonces again: a nonce
 * reused under one key gives away both plaintexts' XOR and the MAC key.
 * The handler runs in the child's only thread, whose pool it empties.
 */
static void
seal_pool_forget(void)
{
	sodium_memzero(seal_pool, sizeof(seal_pool));
	seal_pool_left = 0;
}

static void
seal_fork_register(void)
{
	pthread_atfork(NULL, NULL, seal_pool_forget);
}

void
seal_random_public(void *buf, size_t n)
{
	unsigned char	*out = buf;
	size_t		 take;

	/* Larger draws than a pool's worth go straight to the kernel. */
	if (n > SEAL_POOL_BYTES / 4) {
		randombytes_buf(out, n);
		return;
	}
	while (n > 0) {
		if (seal_pool_left == 0) {
			randombytes_buf(seal_pool, sizeof(seal_pool));
			seal_pool_left = sizeof(seal_pool);
		}
		take = n < seal_pool_left ? n : seal_pool_left;
		memcpy(out, seal_pool + seal_pool_left - take, take);
		seal_pool_left -= take;
		out += take;
		n -= take;
	}
}

static int
seal_ad_value(const struct seal_ad *ad, unsigned char *buf, size_t *len_out)
{
	size_t	dblen, off = 0;

	if (ad == NULL || ad->sad_db == NULL)
		return -EINVAL;
	dblen = strlen(ad->sad_db);
	if (dblen == 0 || dblen > SEAL_DB_MAX || ad->sad_klen > SEAL_KEY_MAX ||
	    (ad->sad_key == NULL && ad->sad_klen != 0))
		return -EINVAL;
	memcpy(buf, seal_dom_value, SEAL_DOMAINLEN);
	off = SEAL_DOMAINLEN;
	buf[off++] = (unsigned char)dblen;
	memcpy(buf + off, ad->sad_db, dblen);
	off += dblen;
	buf[off++] = (unsigned char)(ad->sad_kid >> 24);
	buf[off++] = (unsigned char)(ad->sad_kid >> 16);
	buf[off++] = (unsigned char)(ad->sad_kid >> 8);
	buf[off++] = (unsigned char)ad->sad_kid;
	buf[off++] = (unsigned char)(ad->sad_klen >> 8);
	buf[off++] = (unsigned char)ad->sad_klen;
	if (ad->sad_klen > 0)
		memcpy(buf + off, ad->sad_key, ad->sad_klen);
	*len_out = off + ad->sad_klen;
	return 0;
}

static int
seal_ad_wrap(const void *what, size_t wlen, unsigned char *buf,
    size_t *len_out)
{
	if (what == NULL || wlen == 0 || wlen > SEAL_KEY_MAX)
		return -EINVAL;
	memcpy(buf, seal_dom_wrap, SEAL_DOMAINLEN);
	buf[SEAL_DOMAINLEN] = (unsigned char)(wlen >> 8);
	buf[SEAL_DOMAINLEN + 1] = (unsigned char)wlen;
	memcpy(buf + SEAL_DOMAINLEN + 2, what, wlen);
	*len_out = SEAL_DOMAINLEN + 2 + wlen;
	return 0;
}

/* out = nonce | ciphertext | tag; out holds ptlen + SEAL_OVERHEAD bytes. */
static int
seal_encrypt(const unsigned char *key, const unsigned char *ad, size_t adlen,
    const void *pt, size_t ptlen, unsigned char *out)
{
	static const unsigned char	 empty;
	unsigned long long		 clen;

	seal_random_public(out, SEAL_NONCEBYTES);
	/* libsodium reads no plaintext when ptlen is 0, but wants a pointer. */
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + SEAL_NONCEBYTES,
	    &clen, ptlen > 0 ? pt : &empty, ptlen, ad, adlen, NULL, out,
	    key) != 0)
		return -EIO;
	return 0;
}

static int
seal_decrypt(const unsigned char *key, const unsigned char *ad, size_t adlen,
    const unsigned char *in, size_t inlen, unsigned char *out)
{
	unsigned char		 sink;
	unsigned long long	 mlen;

	if (inlen < SEAL_OVERHEAD)
		return -EBADMSG;
	/* The tag is verified before any plaintext is written. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	    inlen > SEAL_OVERHEAD ? out : &sink, &mlen, NULL,
	    in + SEAL_NONCEBYTES, inlen - SEAL_NONCEBYTES, ad, adlen, in,
	    key) != 0)
		return -EBADMSG;
	return 0;
}

int
seal_value(const unsigned char *key, const struct seal_ad *ad,
    const void *pt, size_t ptlen, void *out, size_t outlen)
{
	unsigned char	adbuf[SEAL_AD_MAX];
	size_t		adlen;
	int		ret = -1;

	if (key == NULL || out == NULL || (pt == NULL && ptlen != 0) ||
	    ptlen > SIZE_MAX - SEAL_OVERHEAD ||
	    outlen < ptlen + SEAL_OVERHEAD) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = seal_ad_value(ad, adbuf, &adlen)) != 0)
		goto done;
	ret = seal_encrypt(key, adbuf, adlen, pt, ptlen, out);
done:
	return ret;
}

int
seal_open(const unsigned char *key, const struct seal_ad *ad,
    const void *in, size_t inlen, void *out, size_t outcap,
    size_t *outlen_out)
{
	unsigned char	adbuf[SEAL_AD_MAX];
	size_t		adlen;
	int		ret = -1;

	if (key == NULL || in == NULL || outlen_out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if (inlen < SEAL_OVERHEAD) {
		ret = -EBADMSG;
		goto done;
	}
	if (outcap < inlen - SEAL_OVERHEAD || (out == NULL && outcap != 0)) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = seal_ad_value(ad, adbuf, &adlen)) != 0)
		goto done;
	if ((ret = seal_decrypt(key, adbuf, adlen, in, inlen, out)) != 0)
		goto done;
	*outlen_out = inlen - SEAL_OVERHEAD;
	ret = 0;
done:
	if (ret != 0 && out != NULL && outcap > 0)
		sodium_memzero(out, outcap);
	return ret;
}

int
seal_wrap(const unsigned char *kek, const void *what, size_t wlen,
    const unsigned char *key, unsigned char *out)
{
	unsigned char	adbuf[SEAL_AD_MAX];
	size_t		adlen;
	int		ret = -1;

	if (kek == NULL || key == NULL || out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = seal_ad_wrap(what, wlen, adbuf, &adlen)) != 0)
		goto done;
	ret = seal_encrypt(kek, adbuf, adlen, key, SEAL_KEYBYTES, out);
done:
	return ret;
}

int
seal_unwrap(const unsigned char *kek, const void *what, size_t wlen,
    const void *in, size_t inlen, unsigned char *key_out)
{
	unsigned char	adbuf[SEAL_AD_MAX];
	size_t		adlen;
	int		ret = -1;

	if (kek == NULL || in == NULL || key_out == NULL) {
		ret = -EINVAL;
		goto done;
	}
	if (inlen != SEAL_WRAPPEDBYTES) {
		ret = -EBADMSG;
		goto done;
	}
	if ((ret = seal_ad_wrap(what, wlen, adbuf, &adlen)) != 0)
		goto done;
	ret = seal_decrypt(kek, adbuf, adlen, in, inlen, key_out);
done:
	if (ret != 0 && key_out != NULL)
		sodium_memzero(key_out, SEAL_KEYBYTES);
	return ret;
}
