/*
 * fuzz.h — the entry point every fuzz target defines (README.md,
 * "Fuzzing"). Built two ways from the same source: with clang's libFuzzer
 * (configure --enable-fuzzing, scripts/fuzz) it explores; otherwise
 * fuzz/replay.c calls it on each file of the target's corpus, so that make
 * check replays every input ever kept, under the sanitizers in the ASan
 * build.
 *
 * A target returns 0 and aborts (FUZZ_CHECK) when a property it checks
 * does not hold; the sanitizers report the rest.
 */
#ifndef PALAUTE_FUZZ_H
#define PALAUTE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property broken: say which, then abort so that both drivers stop. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: fuzz property failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* data as a NUL-terminated string (cut at its first NUL), malloc()ed. */
char	*fuzz_string(const uint8_t *data, size_t size);

/*
 * codec_load() of data against slow, json_loadb()'s value of the same
 * text with duplicates refused (NULL when it refused it): fuzz/json.c.
 */
struct json_t;
void	fuzz_same_load(const uint8_t *data, size_t size,
	    const struct json_t *slow);

#endif /* PALAUTE_FUZZ_H */
