/*
 * config.c — the key table, the defaults and the `key = value` parser.
 * Every default lives in config_defaults() with its reason beside it.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "daemon/config.h"

#ifndef PALAUTE_DATADIR
#define PALAUTE_DATADIR "/usr/share/palaute"
#endif

enum config_type { CT_STR, CT_SIZE, CT_INT, CT_BOOL };

struct config_key {
	const char		*ck_name;
	enum config_type	 ck_type;
	size_t			 ck_off;
	long long		 ck_min;
	long long		 ck_max;
};

#define K_STR(n, f)		{ n, CT_STR, offsetof(struct config, f), 0, 0 }
#define K_SIZE(n, f, lo, hi)	{ n, CT_SIZE, offsetof(struct config, f), lo, hi }
#define K_INT(n, f, lo, hi)	{ n, CT_INT, offsetof(struct config, f), lo, hi }
#define K_BOOL(n, f)		{ n, CT_BOOL, offsetof(struct config, f), 0, 1 }

static const struct config_key config_keys[] = {
	K_STR("listen", cf_listen),
	K_STR("state_dir", cf_state_dir),
	K_STR("kek_file", cf_kek_file),
	K_STR("root_key_file", cf_root_key_file),
	K_STR("www_dir", cf_www_dir),
	K_STR("chartjs_dir", cf_chartjs_dir),
	K_STR("cors_origins", cf_cors_origins),
	K_SIZE("map_size", cf_map_size, 1LL << 20, 1LL << 40),
	K_SIZE("max_body", cf_max_body, 1024, 16LL << 20),
	K_SIZE("max_body_batch", cf_max_body_batch, 1024, 64LL << 20),
	K_SIZE("max_headers", cf_max_headers, 1024, 1LL << 20),
	K_INT("read_timeout", cf_read_timeout, 1, 3600),
	K_INT("write_timeout", cf_write_timeout, 1, 3600),
	K_INT("request_deadline", cf_request_deadline, 1, 3600),
	K_INT("max_connections", cf_max_connections, 1, 1000000),
	K_INT("session_ttl", cf_session_ttl, 60, 30 * 86400),
	K_INT("login_workers", cf_login_workers, 1, 64),
	K_INT("kiosk_rate", cf_kiosk_rate, 1, 1000000),
	K_INT("form_rate", cf_form_rate, 1, 1000000),
	K_INT("login_attempts", cf_login_attempts, 1, 1000),
	K_BOOL("verbose", cf_verbose),
	K_BOOL("bench", cf_bench),
	K_BOOL("dev_history", cf_dev_history),
};

#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

void
config_defaults(struct config *cf)
{
	memset(cf, 0, sizeof(*cf));
	/* Loopback only: a reverse proxy terminates TLS in front of us. */
	snprintf(cf->cf_listen, sizeof(cf->cf_listen), "127.0.0.1:8080");
	/* systemd's StateDirectory=palaute. */
	snprintf(cf->cf_state_dir, sizeof(cf->cf_state_dir), "/var/lib/palaute");
	/* Relative: found in $CREDENTIALS_DIRECTORY, else in state_dir. */
	snprintf(cf->cf_kek_file, sizeof(cf->cf_kek_file), "kek");
	snprintf(cf->cf_www_dir, sizeof(cf->cf_www_dir), "%s/www",
	    PALAUTE_DATADIR);
	/* Debian's libjs-chart.js, the convention for shared JavaScript. */
	snprintf(cf->cf_chartjs_dir, sizeof(cf->cf_chartjs_dir),
	    "/usr/share/javascript/chart.js");
	/* --dev: a year of made-up history, unless tests want speed. */
	cf->cf_dev_history = true;
	/* The map is sparse: its size is a ceiling, not an allocation. */
	cf->cf_map_size = 8ULL << 30;
	/* A long staff survey with comments fits in 64 KiB many times over. */
	cf->cf_max_body = 64 << 10;
	/* 500 kiosk responses with comments of 1000 characters (4 B each). */
	cf->cf_max_body_batch = 4 << 20;
	/* Browsers send 1-2 KiB; 16 KiB leaves room for cookies we ignore. */
	cf->cf_max_headers = 16 << 10;
	/* Idle time between bytes before a connection is dropped. */
	cf->cf_read_timeout = 10;
	cf->cf_write_timeout = 10;
	/* A whole request must arrive within this, however it trickles. */
	cf->cf_request_deadline = 15;
	/* ~40 KiB per connection: 4096 connections stay under 200 MiB. */
	cf->cf_max_connections = 4096;
	/* A working day: managers log in once in the morning. */
	cf->cf_session_ttl = 8 * 3600;
	/* Argon2id takes ~64 MiB and ~0.1 s each; two keep a core free. */
	cf->cf_login_workers = 2;
	/* A kiosk flushing its offline queue sends batches, not a flood. */
	cf->cf_kiosk_rate = 120;
	/* A public link: a lobby of people answering at once, not a bot. */
	cf->cf_form_rate = 600;
	/* Failed logins per account before back-off starts. */
	cf->cf_login_attempts = 5;
	cf->cf_verbose = false;
	/* The benchmark's no-work route exists only when asked for. */
	cf->cf_bench = false;
}

size_t
config_nkeys(void)
{
	return CONFIG_NKEYS;
}

const char *
config_key_name(size_t i)
{
	return i < CONFIG_NKEYS ? config_keys[i].ck_name : NULL;
}

static const struct config_key *
config_find(const char *name)
{
	size_t	i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].ck_name, name) == 0)
			return &config_keys[i];
	return NULL;
}

int
config_set(struct config *cf, const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct config_key	*ck;
	char			*base = (char *)cf;
	long long		 ll;
	uint64_t		 sz;
	int			 rc;

	if ((ck = config_find(key)) == NULL) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	switch (ck->ck_type) {
	case CT_STR:
		if (strlen(value) >= CONFIG_STR_MAX) {
			snprintf(err, errlen, "%s: value too long", key);
			return -EINVAL;
		}
		memcpy(base + ck->ck_off, value, strlen(value) + 1);
		break;
	case CT_SIZE:
		rc = util_parse_size(value, (uint64_t)ck->ck_min,
		    (uint64_t)ck->ck_max, &sz);
		if (rc != 0) {
			snprintf(err, errlen, "%s: '%s' is not a size between "
			    "%lld and %lld bytes (suffixes k, M, G)", key, value,
			    ck->ck_min, ck->ck_max);
			return -EINVAL;
		}
		memcpy(base + ck->ck_off, &sz, sizeof(sz));
		break;
	case CT_INT:
		rc = util_parse_ll(value, ck->ck_min, ck->ck_max, &ll);
		if (rc != 0) {
			snprintf(err, errlen, "%s: '%s' is not a whole number "
			    "between %lld and %lld", key, value, ck->ck_min,
			    ck->ck_max);
			return -EINVAL;
		}
		memcpy(base + ck->ck_off, &ll, sizeof(ll));
		break;
	case CT_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
			*(bool *)(base + ck->ck_off) = true;
		else if (strcmp(value, "no") == 0 ||
		    strcmp(value, "false") == 0)
			*(bool *)(base + ck->ck_off) = false;
		else {
			snprintf(err, errlen, "%s: '%s' is not yes or no", key,
			    value);
			return -EINVAL;
		}
		break;
	}
	return 0;
}

static char *
config_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int
config_load(const char *path, struct config *cf, char *err, size_t errlen)
{
	FILE	*fp = NULL;
	char	 line[2048], msg[512];
	char	*key, *value, *eq;
	size_t	 lineno = 0;
	int	 ret = -1;

	if ((fp = fopen(path, "re")) == NULL) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s:%zu: line too long", path,
			    lineno);
			ret = -EINVAL;
			goto done;
		}
		key = config_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errlen, "%s:%zu: expected 'key = value'",
			    path, lineno);
			ret = -EINVAL;
			goto done;
		}
		*eq = '\0';
		key = config_trim(key);
		value = config_trim(eq + 1);
		if (config_set(cf, key, value, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "%s:%zu: %s", path, lineno, msg);
			ret = -EINVAL;
			goto done;
		}
	}
	if (ferror(fp)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
		goto done;
	}
	ret = 0;
done:
	if (fp != NULL)
		fclose(fp);
	return ret;
}

void
config_dump(const struct config *cf, void (*out)(const char *, void *),
    void *arg)
{
	const char		*base = (const char *)cf;
	const struct config_key	*ck;
	char			 line[CONFIG_STR_MAX + 64];
	uint64_t		 sz;
	long long		 ll;
	size_t			 i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		ck = &config_keys[i];
		switch (ck->ck_type) {
		case CT_STR:
			snprintf(line, sizeof(line), "%s = %s", ck->ck_name,
			    base + ck->ck_off);
			break;
		case CT_SIZE:
			memcpy(&sz, base + ck->ck_off, sizeof(sz));
			snprintf(line, sizeof(line), "%s = %llu", ck->ck_name,
			    (unsigned long long)sz);
			break;
		case CT_INT:
			memcpy(&ll, base + ck->ck_off, sizeof(ll));
			snprintf(line, sizeof(line), "%s = %lld", ck->ck_name,
			    ll);
			break;
		case CT_BOOL:
			snprintf(line, sizeof(line), "%s = %s", ck->ck_name,
			    *(const bool *)(base + ck->ck_off) ? "yes" : "no");
			break;
		}
		out(line, arg);
	}
}
