/*
 * test_codes.c — enrollment and invitation codes, form slugs: shape,
 * alphabet, normalisation of what people type back in, the invitation
 * code's check symbol and the typing errors it catches. The CSPRNG is
 * replaced (-Wl,--wrap) where a test needs to know the draw.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/codes.h"

/* With scripted set, randombytes_uniform returns 0, 1, 2, ... */
static bool	scripted;
static uint32_t	next_draw;

uint32_t	__wrap_randombytes_uniform(uint32_t upper);
uint32_t	__real_randombytes_uniform(uint32_t upper);

uint32_t
__wrap_randombytes_uniform(uint32_t upper)
{
	if (scripted)
		return next_draw++ % upper;
	return __real_randombytes_uniform(upper);
}

static void
test_alphabet(void **state)
{
	const char	*bad = "01OIL";
	size_t		 i;

	assert_int_equal(strlen(CODES_ALPHABET), CODES_ALPHABET_LEN);
	for (i = 0; bad[i] != '\0'; i++)
		assert_null(strchr(CODES_ALPHABET, bad[i]));
	/* No symbol twice, so every draw is one distinct symbol. */
	for (i = 0; i < CODES_ALPHABET_LEN; i++)
		assert_ptr_equal(strchr(CODES_ALPHABET, CODES_ALPHABET[i]),
		    CODES_ALPHABET + i);
}

static void
test_generate_is_the_draw(void **state)
{
	char	buf[64];

	scripted = true;
	next_draw = 0;
	assert_int_equal(codes_generate(10, 5, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "23456-789AB");
	next_draw = 0;
	assert_int_equal(codes_generate(12, 4, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2345-6789-ABCD");
	next_draw = 30;
	assert_int_equal(codes_generate(3, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Z23");
	/* An invitation: 12 drawn, the check joins the last group. */
	next_draw = 0;
	assert_int_equal(codes_generate_checked(CODES_INVITE_FULL_LEN,
	    CODES_INVITE_GROUP, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2345-6789-ABCDM");
	next_draw = 0;
	assert_int_equal(codes_generate_checked(9, 4, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2345-67894");
	scripted = false;
}

static void
test_generate_shape(void **state)
{
	char	buf[CODES_MAX_FORMATTED], seen[256];
	size_t	i, j;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 2000; i++) {
		assert_int_equal(codes_generate_checked(CODES_INVITE_FULL_LEN,
		    CODES_INVITE_GROUP, buf, sizeof(buf)), 0);
		/* "XXXX-XXXX-XXXXC": 13 symbols, two dashes. */
		assert_int_equal(strlen(buf), 15);
		assert_int_equal(strlen(buf) + 1, CODES_MAX_FORMATTED);
		for (j = 0; j < 15; j++) {
			if (j == 4 || j == 9) {
				assert_int_equal(buf[j], '-');
				continue;
			}
			assert_non_null(memchr(CODES_ALPHABET, buf[j],
			    CODES_ALPHABET_LEN));
			seen[(unsigned char)buf[j]] = 1;
		}
	}
	/* 26000 symbols: every one shows up (a miss is a 1e-300 event). */
	for (i = 0; i < CODES_ALPHABET_LEN; i++)
		assert_true(seen[(unsigned char)CODES_ALPHABET[i]]);
	assert_int_equal(codes_generate(CODES_ENROLL_LEN, CODES_ENROLL_GROUP,
	    buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), 11);
	assert_int_equal(buf[5], '-');
}

static void
test_generate_small_buffer(void **state)
{
	char	buf[14];

	/* 12 symbols and 2 dashes need 15 bytes. */
	assert_int_equal(codes_generate(12, 4, buf, sizeof(buf)),
	    -ENAMETOOLONG);
	assert_int_equal(codes_generate(0, 4, buf, sizeof(buf)),
	    -ENAMETOOLONG);
	assert_int_equal(codes_generate(13, 0, buf, sizeof(buf)), 0);
	/* 13 symbols and 2 dashes need 16. */
	assert_int_equal(codes_generate_checked(13, 4, buf, sizeof(buf)),
	    -ENAMETOOLONG);
	assert_int_equal(codes_generate_checked(1, 4, buf, sizeof(buf)),
	    -EINVAL);
	assert_int_equal(codes_generate_checked(CODES_CHECK_MAX + 1, 0, buf,
	    sizeof(buf)), -EINVAL);
}

static void
test_normalize(void **state)
{
	char	out[CODES_MAX_FORMATTED];

	assert_int_equal(codes_normalize("ABCD-EFGH-JKMN", 12, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "ABCDEFGHJKMN");
	/* Typed on a phone: lower case, spaces, dashes anywhere. */
	assert_int_equal(codes_normalize(" abcd efgh-jk-mn ", 12, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "ABCDEFGHJKMN");
	assert_int_equal(codes_normalize("23456-789ab", 10, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "23456789AB");
	/* Symbols the alphabet leaves out never match a code. */
	assert_int_equal(codes_normalize("ABCD-EFGH-JKM0", 12, out,
	    sizeof(out)), -EINVAL);
	assert_int_equal(codes_normalize("ABCD-EFGH-JKMO", 12, out,
	    sizeof(out)), -EINVAL);
	assert_int_equal(codes_normalize("ABCD-EFGH-JKM1", 12, out,
	    sizeof(out)), -EINVAL);
	assert_int_equal(codes_normalize("ABCD-EFGH-JKM!", 12, out,
	    sizeof(out)), -EINVAL);
	assert_int_equal(codes_normalize("ABCD-EFGH-JKMNP", 12, out,
	    sizeof(out)), -EINVAL);
	assert_int_equal(codes_normalize("ABCD-EFGH-JKM", 12, out,
	    sizeof(out)), -EINVAL);
	assert_int_equal(codes_normalize("", 12, out, sizeof(out)), -EINVAL);
	assert_int_equal(codes_normalize("ABCDEFGHJKMN", 12, out, 12),
	    -ENAMETOOLONG);
}

static void
test_generate_then_normalize(void **state)
{
	char	code[CODES_MAX_FORMATTED], norm[CODES_MAX_FORMATTED];
	size_t	i;

	for (i = 0; i < 100; i++) {
		assert_int_equal(codes_generate_checked(CODES_INVITE_FULL_LEN,
		    CODES_INVITE_GROUP, code, sizeof(code)), 0);
		assert_int_equal(codes_normalize(code, CODES_INVITE_FULL_LEN,
		    norm, sizeof(norm)), 0);
		assert_int_equal(strlen(norm), CODES_INVITE_FULL_LEN);
		assert_int_equal(memcmp(norm, code, 4), 0);
		assert_true(codes_check_ok(norm, CODES_INVITE_FULL_LEN));
	}
}

/*
 * Reference values, worked out by hand from the definition in codes.h
 * (sum (i + 1) * v_i == 0 mod 31); tests/browser/invitations.test.js
 * holds the same for the form's JavaScript.
 */
static const struct {
	const char	*body;
	char		 check;
} check_vectors[] = {
	{ "222222222222", '2' },	/* every value 0 */
	{ "23456789ABCD", 'M' },
	{ "ZZZZZZZZZZZZ", '8' },
	{ "ABCDEFGHJKMN", '3' },
	{ "K7QX2MWT9HRP", 'H' },
	{ "2", '2' },
	{ "Z3", 'C' },
};

static void
test_check_vectors(void **state)
{
	char	code[CODES_CHECK_MAX + 1];
	size_t	i, n;

	for (i = 0; i < sizeof(check_vectors) / sizeof(check_vectors[0]);
	    i++) {
		n = strlen(check_vectors[i].body);
		assert_int_equal(codes_check_symbol(check_vectors[i].body, n),
		    check_vectors[i].check);
		memcpy(code, check_vectors[i].body, n);
		code[n] = check_vectors[i].check;
		assert_true(codes_check_ok(code, n + 1));
		code[n] = CODES_ALPHABET[(strchr(CODES_ALPHABET,
		    check_vectors[i].check) - CODES_ALPHABET + 1) %
		    CODES_ALPHABET_LEN];
		assert_false(codes_check_ok(code, n + 1));
	}
	/* Symbols outside the alphabet and lengths out of range. */
	assert_int_equal(codes_check_symbol("ABCDEFGHJKM0", 12), '\0');
	assert_int_equal(codes_check_symbol("abcdefghjkmn", 12), '\0');
	assert_int_equal(codes_check_symbol("", 0), '\0');
	assert_false(codes_check_ok("2", 1));
	assert_false(codes_check_ok("ABCDEFGHJKMO3", 13));
	memset(code, '2', sizeof(code));
	assert_true(codes_check_ok(code, CODES_CHECK_MAX));
	assert_false(codes_check_ok(code, CODES_CHECK_MAX + 1));
	assert_int_equal(codes_check_symbol(code, CODES_CHECK_MAX), '\0');
	assert_int_equal(codes_check_symbol(code, CODES_CHECK_MAX - 1), '2');
}

/* The 13 symbols of a new invitation code, normalised. */
static void
new_invitation(char sym[CODES_INVITE_FULL_LEN + 1])
{
	char	buf[CODES_MAX_FORMATTED];

	assert_int_equal(codes_generate_checked(CODES_INVITE_FULL_LEN,
	    CODES_INVITE_GROUP, buf, sizeof(buf)), 0);
	assert_int_equal(codes_normalize(buf, CODES_INVITE_FULL_LEN, sym,
	    CODES_INVITE_FULL_LEN + 1), 0);
	assert_true(codes_check_ok(sym, CODES_INVITE_FULL_LEN));
}

/* Every code with one symbol changed to any other fails the check. */
static void
test_check_catches_every_single_error(void **state)
{
	char	sym[CODES_INVITE_FULL_LEN + 1], keep;
	size_t	n, i, v, caught = 0;

	for (n = 0; n < 500; n++) {
		new_invitation(sym);
		for (i = 0; i < CODES_INVITE_FULL_LEN; i++) {
			keep = sym[i];
			for (v = 0; v < CODES_ALPHABET_LEN; v++) {
				if (CODES_ALPHABET[v] == keep)
					continue;
				sym[i] = CODES_ALPHABET[v];
				assert_false(codes_check_ok(sym,
				    CODES_INVITE_FULL_LEN));
				caught++;
			}
			sym[i] = keep;
		}
	}
	assert_int_equal(caught, 500 * CODES_INVITE_FULL_LEN *
	    (CODES_ALPHABET_LEN - 1));
}

/*
 * Every swap of two different symbols fails the check, adjacent or not,
 * and so does a twin error (aa -> bb).
 */
static void
test_check_catches_transpositions(void **state)
{
	char	sym[CODES_INVITE_FULL_LEN + 1], a, b;
	size_t	n, i, j, v, swaps = 0;

	for (n = 0; n < 2000; n++) {
		new_invitation(sym);
		for (i = 0; i < CODES_INVITE_FULL_LEN; i++)
			for (j = i + 1; j < CODES_INVITE_FULL_LEN; j++) {
				if ((a = sym[i]) == (b = sym[j]))
					continue;
				sym[i] = b;
				sym[j] = a;
				assert_false(codes_check_ok(sym,
				    CODES_INVITE_FULL_LEN));
				sym[i] = a;
				sym[j] = b;
				swaps += j == i + 1;
			}
	}
	/* Adjacent symbols differ 30 times in 31: most swaps were made. */
	assert_true(swaps > 2000 * 12 * 9 / 10);
	/* Twins: a code whose first two symbols are alike, both changed. */
	memcpy(sym, "22ABCDEFGHJK", 12);
	sym[12] = codes_check_symbol(sym, 12);
	for (v = 1; v < CODES_ALPHABET_LEN; v++) {
		sym[0] = sym[1] = CODES_ALPHABET[v];
		assert_false(codes_check_ok(sym, CODES_INVITE_FULL_LEN));
	}
}

/* A code without a check passes it one time in 31, no more. */
static void
test_check_random_strings(void **state)
{
	char	sym[CODES_INVITE_FULL_LEN];
	size_t	n, i, passed = 0;

	for (n = 0; n < 31000; n++) {
		for (i = 0; i < sizeof(sym); i++)
			sym[i] = CODES_ALPHABET[randombytes_uniform(
			    CODES_ALPHABET_LEN)];
		passed += codes_check_ok(sym, sizeof(sym));
	}
	/* Expect 1000; a count outside 800..1200 is a 1e-9 event. */
	assert_true(passed > 800 && passed < 1200);
}

static void
test_slug(void **state)
{
	char	slugs[200][CODES_SLUG_LEN + 1], small[CODES_SLUG_LEN];
	size_t	i, j;

	/* 128 bits: at least the 96 the contract asks for. */
	assert_true(CODES_SLUG_BYTES * 8 >= 96);
	for (i = 0; i < 200; i++) {
		assert_int_equal(codes_slug(slugs[i], sizeof(slugs[i])), 0);
		assert_int_equal(strlen(slugs[i]), CODES_SLUG_LEN);
		assert_true(codes_slug_valid(slugs[i]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(slugs[i], slugs[j]);
	}
	assert_int_equal(codes_slug(small, sizeof(small)), -ENAMETOOLONG);
}

static void
test_slug_valid(void **state)
{
	assert_true(codes_slug_valid("AAAAAAAAAAAAAAAAAAAAAA"));
	assert_true(codes_slug_valid("a-_Z09aaaaaaaaaaaaaaaa"));
	assert_false(codes_slug_valid("AAAAAAAAAAAAAAAAAAAAA"));
	assert_false(codes_slug_valid("AAAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(codes_slug_valid("AAAAAAAAAAAAAAAAAAAAA="));
	assert_false(codes_slug_valid("AAAAAAAAAAAAAAAAAAAA/A"));
	assert_false(codes_slug_valid("AAAAAAAAAAAAAAAAAAAA.."));
	assert_false(codes_slug_valid(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alphabet),
		cmocka_unit_test(test_generate_is_the_draw),
		cmocka_unit_test(test_generate_shape),
		cmocka_unit_test(test_generate_small_buffer),
		cmocka_unit_test(test_check_vectors),
		cmocka_unit_test(test_check_catches_every_single_error),
		cmocka_unit_test(test_check_catches_transpositions),
		cmocka_unit_test(test_check_random_strings),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_generate_then_normalize),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_slug_valid),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
