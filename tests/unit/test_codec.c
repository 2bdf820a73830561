/*
 * test_codec.c — the quick reader of request bodies (codec_load()):
 * what it takes it reads as jansson does, and what it leaves is left
 * whole, for jansson's verdict.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/codec.h"

/* text, read by both: equal values, members in the same order. */
static void
same_as_jansson(const char *text, size_t len)
{
	json_error_t	 jerr;
	json_t		*quick = NULL, *slow;
	char		*a, *b;

	if (codec_load(text, len, &quick) != 0)
		fail_msg("the quick reader left %.*s", (int)len, text);
	slow = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(slow);
	assert_true(json_equal(quick, slow));
	a = codec_dump(quick, NULL);
	b = codec_dump(slow, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(quick);
	json_decref(slow);
}

static void
test_takes_plain_bodies(void **state)
{
	static const char *const texts[] = {
		"{}",
		" \t\r\n{ } \n",
		"{\"id\":\"bench-1-2-3\",\"lang\":\"fi\",\"answers\":"
		    "{\"visit\":5,\"reason\":\"advice\",\"helped\":\"yes\","
		    "\"comment\":\"Sain hyv\xc3\xa4\xc3\xa4 neuvontaa.\"}}",
		"{\"items\":[{\"id\":\"k-1\",\"day\":\"2026-12-04\","
		    "\"answers\":{\"face\":3}},{\"id\":\"k-2\",\"day\":"
		    "\"2026-12-05\",\"answers\":{\"many\":[\"a\",\"c\"]}}]}",
		"{\"b\":true,\"f\":false,\"n\":null,\"e\":[],\"o\":{},"
		    "\"z\":0,\"m\":-7,\"big\":999999999999999999,"
		    "\"neg\":-999999999999999999}",
		"{\"esc\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\","
		    "\"\\n\":\"key with an escape\",\"\":\"empty key\"}",
		"{\"only escapes\":\"\\n\\n\",\"last\":\"x\\t\"}",
		/* Two, three and four bytes; U+FFFF and U+10FFFF. */
		"{\"u\":\"\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xef\xbf\xbf "
		    "\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\"}",
		"{\"del\":\"\x7f\"}",
		"{ \"a\" : [ 1 , [ 2 , { \"b\" : [ ] } ] ] , \"c\" : \"d\" }",
	};
	size_t	i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		same_as_jansson(texts[i], strlen(texts[i]));
}

/* Nested n deep: {"a":{"a":...{}...}}. */
static char *
nested(size_t n)
{
	char	*t = malloc(n * 6 + 1), *p = t;
	size_t	 i;

	assert_non_null(t);
	for (i = 0; i < n; i++) {
		if (i + 1 < n) {
			memcpy(p, "{\"a\":", 5);
			p += 5;
		} else
			*p++ = '{';
	}
	for (i = 0; i < n; i++)
		*p++ = '}';
	*p = '\0';
	return t;
}

static void
test_depth(void **state)
{
	json_t	*v = (json_t *)state;	/* a canary: left as it was */
	char	*t;

	t = nested(CODEC_MAX_DEPTH);
	same_as_jansson(t, strlen(t));
	assert_int_equal(codec_depth(t, strlen(t)), CODEC_MAX_DEPTH);
	free(t);
	t = nested(CODEC_MAX_DEPTH + 1);
	assert_int_equal(codec_load(t, strlen(t), &v), -EAGAIN);
	assert_ptr_equal(v, (json_t *)state);
	free(t);
}

/*
 * Everything the reader leaves: jansson refuses each of the mistakes,
 * and reads the rest (escapes, reals) the way only it reads them.
 */
static void
test_leaves_the_rest(void **state)
{
	static const struct {
		const char	*text;
		size_t		 len;	/* 0: strlen */
		bool		 valid;	/* jansson takes it */
	} cases[] = {
		{ "", 0, false },
		{ "   ", 0, false },
		{ "[]", 0, true },
		{ "[{\"a\":1}]", 0, true },
		{ "\"s\"", 0, false },
		{ "{\"u\":\"\\u00e4\"}", 0, true },
		{ "{\"u\":\"\\ud83d\\ude00\"}", 0, true },
		{ "{\"u\":\"\\u0000\"}", 0, false },
		{ "{\"r\":1.5}", 0, true },
		{ "{\"r\":1e3}", 0, true },
		{ "{\"r\":1E3}", 0, true },
		{ "{\"r\":-0}", 0, true },
		{ "{\"r\":1234567890123456789}", 0, true },
		{ "{\"r\":01}", 0, false },
		{ "{\"r\":-01}", 0, false },
		{ "{\"r\":-}", 0, false },
		{ "{\"r\":+1}", 0, false },
		{ "{\"r\":1.}", 0, false },
		{ "{\"r\":.5}", 0, false },
		{ "{\"a\":1,\"a\":2}", 0, false },
		{ "{\"a\":1}x", 0, false },
		{ "{\"a\":1}{}", 0, false },
		{ "{\"a\":1,}", 0, false },
		{ "{\"a\" 1}", 0, false },
		{ "{\"a\":[1,]}", 0, false },
		{ "{\"a\":[1 2]}", 0, false },
		{ "{\"a\":tru}", 0, false },
		{ "{\"a\":truex}", 0, false },
		{ "{\"a\":nul}", 0, false },
		{ "{\"a\":1", 0, false },
		{ "{\"a\":\"b", 0, false },
		{ "{\"a\":\"b\\", 0, false },
		{ "{\"a\":\"b\\x\"}", 0, false },
		{ "{a:1}", 0, false },
		{ "{'a':1}", 0, false },
		{ "{\"a\":\"tab\there\"}", 0, false },
		{ "{\"a\":\"nl\nhere\"}", 0, false },
		{ "{\"a\":\"n\0l\"}", 11, false },
		{ "{\"a\":1}\0", 8, false },
		{ "{\"a\":\"\xc0\x80\"}", 0, false },		/* overlong */
		{ "{\"a\":\"\xe0\x9f\xbf\"}", 0, false },	/* overlong */
		{ "{\"a\":\"\xed\xa0\x80\"}", 0, false },	/* surrogate */
		{ "{\"a\":\"\xf4\x90\x80\x80\"}", 0, false },	/* > U+10FFFF */
		{ "{\"a\":\"\xf5\x80\x80\x80\"}", 0, false },
		{ "{\"a\":\"\x80\"}", 0, false },
		{ "{\"a\":\"\xc3\"}", 0, false },		/* cut short */
		{ "{\"a\":\"\xe2\x82\"}", 0, false },
		{ "{\"\xff\":1}", 0, false },
		{ "\xef\xbb\xbf{}", 0, false },			/* a BOM */
		{ "{\"a\":1}\xc2\xa0", 0, false },
	};
	json_error_t	 jerr;
	json_t		*v, *j;
	size_t		 i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		v = (json_t *)state;
		if (codec_load(cases[i].text, len, &v) != -EAGAIN)
			fail_msg("case %zu taken: %s", i, cases[i].text);
		assert_ptr_equal(v, (json_t *)state);
		j = json_loadb(cases[i].text, len, JSON_REJECT_DUPLICATES,
		    &jerr);
		if ((j != NULL) != cases[i].valid)
			fail_msg("case %zu: jansson %s it", i,
			    j != NULL ? "takes" : "refuses");
		json_decref(j);
	}
}

/* A long string with escapes: decoded whole, and in order. */
static void
test_long_escaped_string(void **state)
{
	char	*t, *p;
	size_t	 i;

	t = malloc(8 + 3000 * 3 + 3);
	assert_non_null(t);
	p = t;
	memcpy(p, "{\"t\":\"", 6);
	p += 6;
	for (i = 0; i < 3000; i++) {
		*p++ = (char)('a' + i % 26);
		*p++ = '\\';
		*p++ = i % 2 ? 'n' : '"';
	}
	memcpy(p, "\"}", 3);
	same_as_jansson(t, strlen(t));
	free(t);
}

int
main(void)
{
	static int	canary;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_takes_plain_bodies, &canary),
		cmocka_unit_test_prestate(test_depth, &canary),
		cmocka_unit_test_prestate(test_leaves_the_rest, &canary),
		cmocka_unit_test_prestate(test_long_escaped_string, &canary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
