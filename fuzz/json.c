/*
 * json.c — the property of the quick reader (codec_load()) that the
 * targets which read JSON check on every input: a text it takes is one
 * jansson takes, read to an equal value with its members in the same
 * order; any other text it leaves (-EAGAIN), having changed nothing.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/codec.h"
#include "fuzz/fuzz.h"

void
fuzz_same_load(const uint8_t *data, size_t size, const json_t *slow)
{
	json_t	*quick = NULL;
	char	*a, *b;
	int	 rc;

	rc = codec_load((const char *)data, size, &quick);
	FUZZ_CHECK(rc == 0 || rc == -EAGAIN || rc == -ENOMEM);
	if (rc != 0) {
		FUZZ_CHECK(quick == NULL);
		return;
	}
	FUZZ_CHECK(json_is_object(slow));
	FUZZ_CHECK(json_equal(quick, slow));
	a = codec_dump(quick, NULL);
	b = codec_dump(slow, NULL);
	FUZZ_CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
	free(a);
	free(b);
	json_decref(quick);
}
