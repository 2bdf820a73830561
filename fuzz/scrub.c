/*
 * scrub.c — fuzz target: the free-text scrubber (core/scrub.h).
 *
 * Properties: the quick look (scrub_plain()) passes over no text the
 * rules' scan would change; what it leaves holds nothing it would scrub
 * (a second pass changes nothing, else the first one let a number or an
 * address through); valid UTF-8 stays valid UTF-8; the result is no longer than
 * scrub_max_length() of the input, in bytes and, for UTF-8, in code
 * points; with a limit (scrub_text_max(), the third byte picks it), the
 * result keeps it and the same holds. Then the same input again with an
 * identity code planted in it, in one of the spellings people type: the
 * same properties hold, and the planted code does not survive, whatever
 * the text around it.
 */
#include <config.h>

#include <string.h>

#include "core/scrub.h"
#include "fuzz/fuzz.h"

/* Each spelling of the rules in scrub.h; the first byte of an input picks. */
static const char *const	fuzz_plants[] = {
	"131052-308T",
	"131052\xe2\x80\x91" "308T",		/* non-breaking hyphen */
	"131052\xe2\x88\x92" "308t",		/* minus sign */
	"131052\xe2\x80\x93" "308T",		/* en dash */
	"131052-\n308T",			/* wrapped */
	"13105\xe2\x80\x8b" "2-308T",		/* zero-width space */
	"\xef\xbc\x91\xef\xbc\x93\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95"
	    "\xef\xbc\x92\xef\xbc\x8d\xef\xbc\x93\xef\xbc\x90\xef\xbc\x98"
	    "\xef\xbc\xb4",			/* full-width */
	"150306A12\xc2\xad" "3L",		/* soft hyphen */
	"040 709 5109",
	"040.709.5109",
	"040/709 5109",
	"09/123 4567",
	"040\xe2\x80\x92" "709\xe2\x80\x92" "5109",	/* figure dash */
	"040 709\r\n5109",			/* wrapped */
	"0407\xe2\x81\xa0" "095109",		/* word joiner */
	"\xef\xbb\xbf" "0407095109",		/* byte order mark */
	"040\xe2\x80\x8d" "7095109",		/* zero-width joiner */
	"\xef\xbc\x90\xef\xbc\x94\xef\xbc\x90 \xef\xbc\x97\xef\xbc\x90"
	    "\xef\xbc\x99 \xef\xbc\x95\xef\xbc\x91\xef\xbc\x90\xef\xbc\x99",
	"\xef\xbc\x8b\xef\xbc\x93\xef\xbc\x95\xef\xbc\x98 40 709 5109",
	"+358\xc2\xa0" "40\xe2\x80\xaf" "709\xe2\x80\xaf" "5109",
	"(09) 123 4567",
	"matti.virtanen@kela.fi",
	"matti.virtanen\xef\xbc\xa0kela.fi",	/* full-width @ */
	"matti.virtanen(at)kela(dot)fi",
	"matti.virtanen [at] kela [dot] fi",
	"Matti.Virtanen {AT} kela.fi",
	"matti.virtanen at kela.fi",
	"matti at kela dot fi",
	"FI21 1234 5600 0007 85",
	"fi2112345600000785",
	"FI21\xc2\xa0" "1234\xc2\xa0" "5600\xc2\xa0" "0007\xc2\xa0" "85",
	"\xef\xbc\xa6\xef\xbc\xa9" "21 1234 5600 0007 85",
};

#define FUZZ_NPLANTS	(sizeof(fuzz_plants) / sizeof(fuzz_plants[0]))

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool
fuzz_utf8(const unsigned char *s)
{
	unsigned	c, need, min;
	uint32_t	cp;

	while ((c = *s++) != 0) {
		if (c < 0x80)
			continue;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			min = 0x80;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			min = 0x800;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			min = 0x10000;
			cp = c & 0x07;
		} else
			return false;
		while (need-- > 0) {
			if ((*s & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (*s++ & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
	}
	return true;
}

/* Code points of a valid UTF-8 string: the bytes that start one. */
static size_t
fuzz_code_points(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static size_t
fuzz_count(const char *s, const char *what)
{
	size_t	n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s++;
	}
	return n;
}

/* Scrub in, check every property, return what the first pass left. */
static char *
fuzz_scrub(const char *in)
{
	char	*once = NULL, *twice = NULL, *scanned = NULL;

	FUZZ_CHECK(scrub_text(in, &once) == 0);
	/* The quick look passes over nothing the rules' scan would take. */
	FUZZ_CHECK(scrub_scan(in, &scanned) == 0);
	if (strcmp(once, scanned) != 0)
		fprintf(stderr, "in:      %s\nonce:    %s\nscanned: %s\n", in,
		    once, scanned);
	FUZZ_CHECK(strcmp(once, scanned) == 0);
	FUZZ_CHECK(!scrub_plain(in) || strcmp(in, scanned) == 0);
	free(scanned);
	FUZZ_CHECK(scrub_text(once, &twice) == 0);
	if (strcmp(once, twice) != 0)
		fprintf(stderr, "in:    %s\nonce:  %s\ntwice: %s\n", in, once,
		    twice);
	FUZZ_CHECK(strcmp(once, twice) == 0);
	FUZZ_CHECK(strlen(once) <= scrub_max_length(strlen(in)));
	if (fuzz_utf8((const unsigned char *)in)) {
		FUZZ_CHECK(fuzz_utf8((const unsigned char *)once));
		FUZZ_CHECK(fuzz_code_points(once) <=
		    scrub_max_length(fuzz_code_points(in)));
	}
	free(twice);
	return once;
}

/*
 * in with plant put in at cut, a space either side so that neither
 * glues to the text: the plant must be gone once scrubbed (unless in
 * held it already, where it may stay for reasons of its own).
 */
static void
fuzz_plant(const char *in, const char *plant, size_t cut)
{
	size_t	 len = strlen(in), plen = strlen(plant);
	char	*buf, *once;

	if ((buf = malloc(len + plen + 3)) == NULL)
		abort();
	cut %= len + 1;
	memcpy(buf, in, cut);
	buf[cut] = ' ';
	memcpy(buf + cut + 1, plant, plen);
	buf[cut + 1 + plen] = ' ';
	memcpy(buf + cut + plen + 2, in + cut, len - cut + 1);
	once = fuzz_scrub(buf);
	if (fuzz_count(once, plant) > fuzz_count(in, plant))
		fprintf(stderr, "in:    %s\nonce:  %s\n", buf, once);
	FUZZ_CHECK(fuzz_count(once, plant) <= fuzz_count(in, plant));
	free(once);
	free(buf);
}

/* With a limit of max code points, kept whatever the text. */
static void
fuzz_scrub_max(const char *in, size_t max)
{
	char	*out = NULL, *again = NULL;

	FUZZ_CHECK(scrub_text_max(in, max, &out) == 0);
	FUZZ_CHECK(fuzz_code_points(out) <= max);
	FUZZ_CHECK(scrub_text(out, &again) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
	if (fuzz_utf8((const unsigned char *)in))
		FUZZ_CHECK(fuzz_utf8((const unsigned char *)out));
	free(again);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in = fuzz_string(data, size);

	free(fuzz_scrub(in));
	if (size >= 3)
		fuzz_scrub_max(in, data[2] % 64);
	if (size >= 2)
		fuzz_plant(in, fuzz_plants[data[0] % FUZZ_NPLANTS], data[1]);
	free(in);
	return 0;
}
