/*
 * test_seal.c — seal.c alone: values open only with their key, in their
 * place, untouched; wrapped keys likewise.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "storage/seal.h"

struct fixture {
	unsigned char	*key;
	unsigned char	*other;
};

static int
setup(void **state)
{
	struct fixture	*f;

	if (seal_init() != 0 || (f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->key = sodium_malloc(SEAL_KEYBYTES);
	f->other = sodium_malloc(SEAL_KEYBYTES);
	if (f->key == NULL || f->other == NULL)
		return -1;
	/* Fixed keys: the tests must not depend on what randomness gives. */
	memset(f->key, 0x11, SEAL_KEYBYTES);
	memset(f->other, 0x22, SEAL_KEYBYTES);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	sodium_free(f->key);
	sodium_free(f->other);
	free(f);
	return 0;
}

static const char	plain[] = "kiva käynti, kiitos";

static void
ad_set(struct seal_ad *ad, const char *db, uint32_t kid, const char *key)
{
	ad->sad_db = db;
	ad->sad_kid = kid;
	ad->sad_key = key;
	ad->sad_klen = strlen(key);
}

static void
test_round_trip(void **state)
{
	struct fixture	*f = *state;
	struct seal_ad	 ad;
	unsigned char	 sealed[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char	 again[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char	 out[sizeof(plain)];
	size_t		 len = 0;

	ad_set(&ad, "units", SEAL_KID_STORE, "unit/1");
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed)), 0);
	/* The plaintext does not appear in the sealed bytes. */
	assert_null(memmem(sealed, sizeof(sealed), "kiitos", 6));
	assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed), out,
	    sizeof(out), &len), 0);
	assert_int_equal(len, sizeof(plain));
	assert_memory_equal(out, plain, sizeof(plain));

	/* A fresh nonce each time: equal values do not seal alike. */
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    again, sizeof(again)), 0);
	assert_memory_not_equal(sealed, again, SEAL_NONCEBYTES);
	assert_memory_not_equal(sealed + SEAL_NONCEBYTES,
	    again + SEAL_NONCEBYTES, sizeof(plain));
}

static void
test_tamper(void **state)
{
	struct fixture	*f = *state;
	struct seal_ad	 ad;
	unsigned char	 sealed[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char	 out[sizeof(plain)];
	/* One byte of the nonce, of the ciphertext, of the tag. */
	const size_t	 where[] = { 0, SEAL_NONCEBYTES - 1,
			    SEAL_NONCEBYTES, SEAL_NONCEBYTES + 5,
			    sizeof(sealed) - SEAL_TAGBYTES,
			    sizeof(sealed) - 1 };
	size_t		 i, len;

	ad_set(&ad, "responses", 24300, "0123456789abcdef");
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed)), 0);
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		sealed[where[i]] ^= 0x01;
		memset(out, 'x', sizeof(out));
		assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed),
		    out, sizeof(out), &len), -EBADMSG);
		/* Nothing of a failed open is left for a careless caller. */
		assert_int_equal(out[0], 0);
		assert_int_equal(out[sizeof(out) - 1], 0);
		sealed[where[i]] ^= 0x01;
	}
	/* Truncated: shorter than nonce + tag, or by one byte. */
	assert_int_equal(seal_open(f->key, &ad, sealed, SEAL_OVERHEAD - 1,
	    out, sizeof(out), &len), -EBADMSG);
	assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed) - 1,
	    out, sizeof(out), &len), -EBADMSG);
	/* Untouched, it still opens. */
	assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed), out,
	    sizeof(out), &len), 0);
}

static void
test_moved(void **state)
{
	struct fixture	*f = *state;
	struct seal_ad	 ad, moved;
	unsigned char	 sealed[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char	 out[sizeof(plain)];
	size_t		 len;

	ad_set(&ad, "users", SEAL_KID_STORE, "user/anna");
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed)), 0);

	/* Same database, another key. */
	ad_set(&moved, "users", SEAL_KID_STORE, "user/anni");
	assert_int_equal(seal_open(f->key, &moved, sealed, sizeof(sealed),
	    out, sizeof(out), &len), -EBADMSG);
	/* A key that is a prefix of the original. */
	ad_set(&moved, "users", SEAL_KID_STORE, "user/ann");
	assert_int_equal(seal_open(f->key, &moved, sealed, sizeof(sealed),
	    out, sizeof(out), &len), -EBADMSG);
	/* Same key, another database. */
	ad_set(&moved, "tokens", SEAL_KID_STORE, "user/anna");
	assert_int_equal(seal_open(f->key, &moved, sealed, sizeof(sealed),
	    out, sizeof(out), &len), -EBADMSG);
	/* Same place, claimed to be sealed by another key id. */
	ad_set(&moved, "users", 1, "user/anna");
	assert_int_equal(seal_open(f->key, &moved, sealed, sizeof(sealed),
	    out, sizeof(out), &len), -EBADMSG);
	/*
	 * Length prefixes keep db "ab" + key "c" apart from db "a" + key
	 * "bc", although both concatenate to "abc".
	 */
	ad_set(&ad, "ab", SEAL_KID_STORE, "c");
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed)), 0);
	ad_set(&moved, "a", SEAL_KID_STORE, "bc");
	assert_int_equal(seal_open(f->key, &moved, sealed, sizeof(sealed),
	    out, sizeof(out), &len), -EBADMSG);
	assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed),
	    out, sizeof(out), &len), 0);
}

static void
test_wrong_key(void **state)
{
	struct fixture	*f = *state;
	struct seal_ad	 ad;
	unsigned char	 sealed[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char	 out[sizeof(plain)];
	size_t		 len;

	ad_set(&ad, "cells", SEAL_KID_STORE, "c");
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed)), 0);
	assert_int_equal(seal_open(f->other, &ad, sealed, sizeof(sealed),
	    out, sizeof(out), &len), -EBADMSG);
}

static void
test_empty(void **state)
{
	struct fixture	*f = *state;
	struct seal_ad	 ad;
	unsigned char	 sealed[SEAL_OVERHEAD];
	size_t		 len = 99;

	ad_set(&ad, "meta", SEAL_KID_STORE, "empty");
	assert_int_equal(seal_value(f->key, &ad, NULL, 0, sealed,
	    sizeof(sealed)), 0);
	assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed), NULL,
	    0, &len), 0);
	assert_int_equal(len, 0);
	/* Even an empty value is authenticated. */
	sealed[SEAL_NONCEBYTES] ^= 0x80;
	assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed), NULL,
	    0, &len), -EBADMSG);
	/* An empty database key is fine too (the db name is not). */
	ad.sad_key = NULL;
	ad.sad_klen = 0;
	assert_int_equal(seal_value(f->key, &ad, NULL, 0, sealed,
	    sizeof(sealed)), 0);
	ad.sad_db = "";
	assert_int_equal(seal_value(f->key, &ad, NULL, 0, sealed,
	    sizeof(sealed)), -EINVAL);
}

static void
test_bad_args(void **state)
{
	struct fixture	*f = *state;
	struct seal_ad	 ad;
	unsigned char	 sealed[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char	 out[sizeof(plain)];
	char		 longkey[SEAL_KEY_MAX + 2];
	size_t		 len;

	ad_set(&ad, "units", SEAL_KID_STORE, "u");
	/* Output one byte short. */
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed) - 1), -EINVAL);
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed)), 0);
	assert_int_equal(seal_open(f->key, &ad, sealed, sizeof(sealed), out,
	    sizeof(out) - 1, &len), -EINVAL);
	/* Keys longer than LMDB allows are refused, not truncated. */
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	ad_set(&ad, "units", SEAL_KID_STORE, longkey);
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain),
	    sealed, sizeof(sealed)), -EINVAL);
}

static void
test_wrap(void **state)
{
	struct fixture	*f = *state;
	struct seal_ad	 ad;
	unsigned char	*dk, *back;
	unsigned char	 wrapped[SEAL_WRAPPEDBYTES];
	unsigned char	 out[SEAL_KEYBYTES];
	size_t		 len;

	dk = sodium_malloc(SEAL_KEYBYTES);
	back = sodium_malloc(SEAL_KEYBYTES);
	assert_non_null(dk);
	assert_non_null(back);
	memset(dk, 0x5a, SEAL_KEYBYTES);

	assert_int_equal(seal_wrap(f->key, "store", 5, dk, wrapped), 0);
	assert_null(memmem(wrapped, sizeof(wrapped), dk, 8));
	assert_int_equal(seal_unwrap(f->key, "store", 5, wrapped,
	    sizeof(wrapped), back), 0);
	assert_memory_equal(back, dk, SEAL_KEYBYTES);

	/* Another slot, another KEK, a flipped byte, a short blob: no. */
	assert_int_equal(seal_unwrap(f->key, "check", 5, wrapped,
	    sizeof(wrapped), back), -EBADMSG);
	assert_int_equal(back[0], 0);
	assert_int_equal(seal_unwrap(f->other, "store", 5, wrapped,
	    sizeof(wrapped), back), -EBADMSG);
	wrapped[30] ^= 0x04;
	assert_int_equal(seal_unwrap(f->key, "store", 5, wrapped,
	    sizeof(wrapped), back), -EBADMSG);
	wrapped[30] ^= 0x04;
	assert_int_equal(seal_unwrap(f->key, "store", 5, wrapped,
	    sizeof(wrapped) - 1, back), -EBADMSG);

	/*
	 * Domains are separate: a value sealed in a database named like a
	 * wrap slot does not unwrap as a key, nor a key open as a value.
	 */
	ad_set(&ad, "store", SEAL_KID_STORE, "");
	assert_int_equal(seal_value(f->key, &ad, dk, SEAL_KEYBYTES, wrapped,
	    sizeof(wrapped)), 0);
	assert_int_equal(seal_unwrap(f->key, "store", 5, wrapped,
	    sizeof(wrapped), back), -EBADMSG);
	assert_int_equal(seal_wrap(f->key, "store", 5, dk, wrapped), 0);
	assert_int_equal(seal_open(f->key, &ad, wrapped, sizeof(wrapped), out,
	    sizeof(out), &len), -EBADMSG);

	sodium_free(dk);
	sodium_free(back);
}

/*
 * Nonces from the pool: none repeats across refills, two seals of one
 * value differ, and a forked child does not reuse its parent's pool.
 */
static void
test_random_public(void **state)
{
	enum { N = 2000 };	/* 48 000 bytes: a dozen refills */
	static unsigned char	 seen[N][SEAL_NONCEBYTES];
	struct fixture		*f = *state;
	struct seal_ad		 ad;
	unsigned char		 a[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char		 b[sizeof(plain) + SEAL_OVERHEAD];
	unsigned char		 mine[SEAL_NONCEBYTES], theirs[SEAL_NONCEBYTES];
	int			 fds[2], status, i, j;
	pid_t			 pid;

	for (i = 0; i < N; i++) {
		seal_random_public(seen[i], SEAL_NONCEBYTES);
		for (j = 0; j < i; j++)
			assert_memory_not_equal(seen[i], seen[j],
			    SEAL_NONCEBYTES);
	}
	ad_set(&ad, "responses", 7, "k");
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain), a,
	    sizeof(a)), 0);
	assert_int_equal(seal_value(f->key, &ad, plain, sizeof(plain), b,
	    sizeof(b)), 0);
	assert_memory_not_equal(a, b, SEAL_NONCEBYTES);

	/* The pool holds unused bytes now; the child must not see them. */
	seal_random_public(mine, 1);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		seal_random_public(theirs, sizeof(theirs));
		_exit(write(fds[1], theirs, sizeof(theirs)) ==
		    (ssize_t)sizeof(theirs) ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], theirs, sizeof(theirs)),
	    (ssize_t)sizeof(theirs));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	seal_random_public(mine, sizeof(mine));
	assert_memory_not_equal(mine, theirs, sizeof(mine));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_public, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
