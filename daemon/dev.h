/*
 * dev.h — `palauted --dev`: a data directory under the current folder, a
 * generated key, and demo data, so the daemon runs with no set-up at all.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_DEV_H
#define PALAUTE_DEV_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct api_ctx;

/* Defaults for --dev (before any -f file or -o override applies). */
int	dev_config(struct config *cf, char *err, size_t errlen);

/*
 * On first start, load the demo: units, surveys, a kiosk, a link, an
 * admin and (history: the dev_history setting) a year of responses
 * (daemon/demo.h); print what to open (bound is the listening
 * "host:port").
 */
int	dev_seed(struct api_ctx *ctx, const char *bound, bool history);

#endif /* PALAUTE_DEV_H */
