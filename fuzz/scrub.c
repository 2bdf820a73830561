/*
 * scrub.c — fuzz target: the free-text scrubber (core/scrub.h).
 *
 * Properties: what it leaves holds nothing it would scrub (a second pass
 * changes nothing, else the first one let a number or an address
 * through), and valid UTF-8 stays valid UTF-8.
 */
#include <config.h>

#include <string.h>

#include "core/scrub.h"
#include "fuzz/fuzz.h"

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in = fuzz_string(data, size), *once = NULL, *twice = NULL;

	FUZZ_CHECK(scrub_text(in, &once) == 0);
	FUZZ_CHECK(scrub_text(once, &twice) == 0);
	if (strcmp(once, twice) != 0)
		fprintf(stderr, "in:    %s\nonce:  %s\ntwice: %s\n", in, once,
		    twice);
	FUZZ_CHECK(strcmp(once, twice) == 0);
	if (fuzz_utf8((const unsigned char *)in))
		FUZZ_CHECK(fuzz_utf8((const unsigned char *)once));
	free(twice);
	free(once);
	free(in);
	return 0;
}
