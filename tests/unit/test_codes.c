/*
 * test_codes.c — enrollment and invitation codes, form slugs: shape,
 * alphabet, normalisation of what people type back in. The CSPRNG is
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
	scripted = false;
}

static void
test_generate_shape(void **state)
{
	char	buf[CODES_MAX_FORMATTED], seen[256];
	size_t	i, j;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 2000; i++) {
		assert_int_equal(codes_generate(CODES_INVITE_LEN,
		    CODES_INVITE_GROUP, buf, sizeof(buf)), 0);
		assert_int_equal(strlen(buf), 14);
		for (j = 0; j < 14; j++) {
			if (j == 4 || j == 9) {
				assert_int_equal(buf[j], '-');
				continue;
			}
			assert_non_null(memchr(CODES_ALPHABET, buf[j],
			    CODES_ALPHABET_LEN));
			seen[(unsigned char)buf[j]] = 1;
		}
	}
	/* 24000 draws: every symbol shows up (a miss is a 1e-300 event). */
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
		assert_int_equal(codes_generate(CODES_INVITE_LEN,
		    CODES_INVITE_GROUP, code, sizeof(code)), 0);
		assert_int_equal(codes_normalize(code, CODES_INVITE_LEN, norm,
		    sizeof(norm)), 0);
		assert_int_equal(strlen(norm), CODES_INVITE_LEN);
		assert_int_equal(memcmp(norm, code, 4), 0);
	}
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
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_generate_then_normalize),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_slug_valid),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
