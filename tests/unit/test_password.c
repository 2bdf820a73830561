/*
 * test_password.c — the password policy (users_check_password): each
 * rule with its near misses, against the system's real cracklib
 * dictionary; calls from many threads at once; and a dictionary that
 * cannot be read, by replacing pwquality_check (-Wl,--wrap).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pwquality.h>

#include "common/error.h"
#include "core/users.h"

/* Set: every check fails as cracklib does without its dictionary. */
static bool	no_dictionary;

int	__wrap_pwquality_check(pwquality_settings_t *pwq, const char *password,
	    const char *old, const char *user, void **auxerror);
int	__real_pwquality_check(pwquality_settings_t *pwq, const char *password,
	    const char *old, const char *user, void **auxerror);

int
__wrap_pwquality_check(pwquality_settings_t *pwq, const char *password,
    const char *old, const char *user, void **auxerror)
{
	if (!no_dictionary)
		return __real_pwquality_check(pwq, password, old, user,
		    auxerror);
	*auxerror = (void *)"error loading dictionary";
	return PWQ_ERROR_CRACKLIB_CHECK;
}

/* The code name's policy gives password: ERR_NONE when it passes. */
static enum error_code
verdict(const char *name, const char *password)
{
	struct error	err;
	int		rc;

	memset(&err, 0, sizeof(err));
	rc = users_check_password(name, password, &err);
	if (rc == 0) {
		assert_int_equal(err.er_code, ERR_NONE);
		return ERR_NONE;
	}
	assert_int_not_equal(err.er_code, ERR_NONE);
	assert_true(err.er_message[0] != '\0');
	if (err.er_code != ERR_UNAVAILABLE) {
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err.er_field, "password");
	}
	return err.er_code;
}

#define PASSES(name, pw)	assert_int_equal(verdict(name, pw), ERR_NONE)
#define REFUSED(name, pw, code)	assert_int_equal(verdict(name, pw), code)

/* Characters are code points: 11 of them refused however many bytes. */
static void
test_length_counts_characters(void **state)
{
	struct error	err;
	char		pw[USERS_PASSWORD_MAX + 2];
	const char	*phrase = "kuusi koivua ja manty ";
	size_t		i;

	/* 12 characters in 15 bytes, and 11 in 14. */
	PASSES("anna.k", "\xc3\x84\xc3\x96-kuu-l\xc3\xb6yly");
	REFUSED("anna.k", "\xc3\x84\xc3\x96-kuu-l\xc3\xb6yl",
	    ERR_PASSWORD_TOO_SHORT);
	/* A four-byte character (U+1F332) counts once too. */
	PASSES("anna.k", "\xf0\x9f\x8c\xb2mets\xc3\xa4-j\xc3\xa4rvi");
	REFUSED("anna.k", "\xf0\x9f\x8c\xb2mets\xc3\xa4-j\xc3\xa4rv",
	    ERR_PASSWORD_TOO_SHORT);
	REFUSED("anna.k", "", ERR_PASSWORD_TOO_SHORT);

	memset(&err, 0, sizeof(err));
	assert_int_equal(users_check_password("anna.k", "lyhyt", &err),
	    -EINVAL);
	assert_non_null(strstr(err.er_message, "12 characters"));

	/* USERS_PASSWORD_MAX bytes pass; one more does not. */
	for (i = 0; i < USERS_PASSWORD_MAX; i++)
		pw[i] = phrase[i % strlen(phrase)];
	pw[i] = '\0';
	PASSES("anna.k", pw);
	pw[i] = 'x';
	pw[i + 1] = '\0';
	REFUSED("anna.k", pw, ERR_PASSWORD_TOO_LONG);
}

static void
test_blank(void **state)
{
	REFUSED("anna.k", "            ", ERR_PASSWORD_BLANK);
	/*
	 * Tab, space, no-break space, ideographic space, zero-width space,
	 * BOM, em space, line feed, soft hyphen, word joiner, two spaces.
	 */
	REFUSED("anna.k", "\t \xc2\xa0\xe3\x80\x80\xe2\x80\x8b\xef\xbb\xbf"
	    "\xe2\x80\x83\n\xc2\xad\xe2\x81\xa0  ", ERR_PASSWORD_BLANK);
	/* Too short comes first. */
	REFUSED("anna.k", "           ", ERR_PASSWORD_TOO_SHORT);
	/* Spaces around words are allowed, and counted. */
	PASSES("anna.k", "   kissa istuu ikkunalla   ");
	REFUSED("anna.k", "           x", ERR_PASSWORD_COMMON);
}

/* The name or its reverse, anywhere, in any case. */
static void
test_user_name(void **state)
{
	REFUSED("liisa.virtanen", "LIISA.VIRTANEN", ERR_PASSWORD_USERNAME);
	REFUSED("liisa.virtanen", "liisa.virtanen!", ERR_PASSWORD_USERNAME);
	REFUSED("m.virtanen", "M.Virtanen-kev\xc3\xa4t",
	    ERR_PASSWORD_USERNAME);
	REFUSED("m.virtanen", "NENATRIV.M kev\xc3\xa4t",
	    ERR_PASSWORD_USERNAME);
	REFUSED("anna", "anna lukee kirjaa", ERR_PASSWORD_USERNAME);
	/* A part of the name is not the name. */
	PASSES("m.virtanen", "virtanen kev\xc3\xa4t 2024");
	/* Three letters turn up inside words by chance: not looked for. */
	PASSES("ann", "ann lukee kirjaa");
	/* Another user may have it. */
	PASSES("m.korhonen", "M.Virtanen-kev\xc3\xa4t");
}

static void
test_common(void **state)
{
	struct error	err;

	/* cracklib's dictionary, and its manglings of a word. */
	REFUSED("anna.k", "administrator", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "Administrator1", ERR_PASSWORD_COMMON);
	memset(&err, 0, sizeof(err));
	assert_int_equal(users_check_password("anna.k", "administrator",
	    &err), -EINVAL);
	assert_non_null(strstr(err.er_message, "too easy to guess"));
	assert_non_null(strstr(err.er_message, "dictionary"));
	/*
	 * A word with digits or symbols around it. cracklib alone takes
	 * these: its manglings strip no more than three characters.
	 */
	REFUSED("anna.k", "password1234", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "Password1234", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "Summer2024!!", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "2024!sunshine", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "letmein12345", ERR_PASSWORD_COMMON);
	/*
	 * Debian's dictionary (cracklib-small) has no Finnish: "salasana"
	 * is caught for its four different letters, not as a word.
	 */
	REFUSED("anna.k", "salasana1234", ERR_PASSWORD_COMMON);
	/* Runs, repeats, too few different characters, palindromes. */
	REFUSED("anna.k", "123456789012", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "abcdefghijkl", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "aaaaaaaaaaaa", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "abababababab", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "saippuakauppias", ERR_PASSWORD_COMMON);
	/* The service's own name. */
	REFUSED("anna.k", "Palaute-kysely-2024", ERR_PASSWORD_COMMON);
	REFUSED("anna.k", "etualap on hyva", ERR_PASSWORD_COMMON);

	/* Near misses: no class of character is required. */
	PASSES("anna.k", "correct horse battery staple");
	PASSES("anna.k", "kissa istuu ikkunalla");
	PASSES("anna.k", "kolme-kirjainta-ja-numero-7");
	PASSES("anna.k", "Xq7#vLp2!zR9");
	/* Whole words with digits inside, and a core too short to judge. */
	PASSES("anna.k", "pass1234word");
	PASSES("anna.k", "xkcd20240917");
}

static void
test_not_utf8(void **state)
{
	REFUSED("anna.k", "\xffkissa istuu ikkunalla", ERR_INVALID);
	/* Overlong '/', a surrogate, a sequence cut short at the end. */
	REFUSED("anna.k", "\xc0\xafkissa istuu ikkunalla", ERR_INVALID);
	REFUSED("anna.k", "\xed\xa0\x80kissa istuu ikkunalla", ERR_INVALID);
	REFUSED("anna.k", "kissa istuu ikkunalla\xc3", ERR_INVALID);
}

/* cracklib keeps static state: many threads must get the right answers. */
#define NTHREADS	4
#define ROUNDS		8

static void *
checker(void *arg)
{
	int	*wrong = arg, i;

	for (i = 0; i < ROUNDS; i++) {
		struct error	err;

		memset(&err, 0, sizeof(err));
		if (users_check_password("anna.k", "password1234", &err) !=
		    -EINVAL || err.er_code != ERR_PASSWORD_COMMON)
			(*wrong)++;
		if (users_check_password("anna.k", "kissa istuu ikkunalla",
		    &err) != 0)
			(*wrong)++;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t	t[NTHREADS];
	int		wrong[NTHREADS] = { 0 }, i;

	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, checker,
		    &wrong[i]), 0);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(wrong[i], 0);
	}
}

/* No dictionary: no password is taken, and none is called weak for it. */
static void
test_no_dictionary(void **state)
{
	struct error	err;

	memset(&err, 0, sizeof(err));
	no_dictionary = true;
	assert_int_equal(users_check_password("anna.k",
	    "kissa istuu ikkunalla", &err), -EIO);
	assert_int_equal(err.er_code, ERR_UNAVAILABLE);
	/* The rules before the dictionary still say what they say. */
	REFUSED("anna.k", "lyhyt", ERR_PASSWORD_TOO_SHORT);
	no_dictionary = false;
	PASSES("anna.k", "kissa istuu ikkunalla");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_counts_characters),
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_user_name),
		cmocka_unit_test(test_common),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_no_dictionary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
