/*
 * string.c — helpers the fuzz targets share.
 */
#include <config.h>

#include <string.h>

#include "fuzz/fuzz.h"

char *
fuzz_string(const uint8_t *data, size_t size)
{
	size_t	 n = 0;
	char	*s;

	while (n < size && data[n] != '\0')
		n++;
	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}
