/*
 * config.c — the key table, the defaults and the `key = value` parser.
 * Every default lives in config_defaults() with its reason beside it.
 */
#include <config.h>

#include <arpa/inet.h>

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

/*
 * A configuration file is a few dozen short lines of text: anything much
 * larger, or a line longer than any value allows, is not one (a binary
 * or a log given by mistake), and is refused before it is parsed.
 */
#define CONFIG_FILE_MAX		(64 << 10)
#define CONFIG_LINE_MAX		1024

enum config_type { CT_STR, CT_SIZE, CT_INT, CT_BOOL };

/* A string key's own check of its value: 0, or -EINVAL with err set. */
typedef int	(*config_check_fn)(const char *key, const char *value,
		    char *err, size_t errlen);

struct config_key {
	const char		*ck_name;
	enum config_type	 ck_type;
	size_t			 ck_off;
	long long		 ck_min;
	long long		 ck_max;
	config_check_fn		 ck_check;
};

static int	config_check_listen(const char *, const char *, char *,
		    size_t);
static int	config_check_path(const char *, const char *, char *,
		    size_t);

#define K_OFF(f)		offsetof(struct config, f)
#define K_STR(n, f, c)		{ n, CT_STR, K_OFF(f), 0, 0, c }
#define K_SIZE(n, f, lo, hi)	{ n, CT_SIZE, K_OFF(f), lo, hi, NULL }
#define K_INT(n, f, lo, hi)	{ n, CT_INT, K_OFF(f), lo, hi, NULL }
#define K_BOOL(n, f)		{ n, CT_BOOL, K_OFF(f), 0, 1, NULL }

static const struct config_key config_keys[] = {
	K_STR("listen", cf_listen, config_check_listen),
	K_STR("state_dir", cf_state_dir, config_check_path),
	K_STR("kek_file", cf_kek_file, config_check_path),
	/* Empty: no root key. */
	K_STR("root_key_file", cf_root_key_file, NULL),
	K_STR("www_dir", cf_www_dir, config_check_path),
	K_STR("chartjs_dir", cf_chartjs_dir, config_check_path),
	K_STR("cors_origins", cf_cors_origins, NULL),
	K_SIZE("map_size", cf_map_size, 1LL << 20, 1LL << 40),
	K_SIZE("disk_reserve", cf_disk_reserve, 256LL << 10, 1LL << 30),
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
	/*
	 * A login writes a few pages, most of them reused: 2 MiB of disk
	 * kept for them lets managers log in for as long as a full disk
	 * takes to notice and clear.
	 */
	cf->cf_disk_reserve = 2ULL << 20;
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

/*
 * Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF):
 * 0 when s[0..len) is, else the offset of the first bad byte plus one.
 */
static size_t
config_utf8_bad(const unsigned char *s, size_t len)
{
	size_t		i = 0, n, k;
	unsigned	cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return i + 1;
		if (len - i <= n)
			return i + 1;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i + 1;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i + 1;
		i += n + 1;
	}
	return 0;
}

/*
 * What makes text unfit for a value or a line: a NUL (C strings would
 * end there, and the rest of the line would be dropped unseen), another
 * control character (a tab is white space), bytes that are not UTF-8.
 * 0, or -EINVAL with the reason in err.
 */
static int
config_text_check(const char *s, size_t len, char *err, size_t errlen)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (u[i] == '\0') {
			snprintf(err, errlen, "contains a NUL byte");
			return -EINVAL;
		}
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f) {
			snprintf(err, errlen, "contains the control character "
			    "0x%02x", u[i]);
			return -EINVAL;
		}
	}
	if (config_utf8_bad(u, len) != 0) {
		snprintf(err, errlen, "contains bytes that are not UTF-8");
		return -EINVAL;
	}
	return 0;
}

/*
 * host:port, as server_listen() and the man page take it: an IPv4
 * address, an IPv6 address in brackets or a host name, then a port of
 * decimal digits from 0 to 65535 (0: the kernel picks a free one, which
 * the log then names).
 */
static int
config_check_listen(const char *key, const char *value, char *err,
    size_t errlen)
{
	const char		*colon, *p;
	char			 host[256];
	unsigned char		 addr[16];
	unsigned long		 port = 0;
	size_t			 n;

	if ((colon = strrchr(value, ':')) == NULL)
		goto bad;
	n = (size_t)(colon - value);
	if (n >= 2 && value[0] == '[' && value[n - 1] == ']') {
		if (n - 2 >= sizeof(host))
			goto bad;
		memcpy(host, value + 1, n - 2);
		host[n - 2] = '\0';
		if (inet_pton(AF_INET6, host, addr) != 1)
			goto bad;
	} else {
		if (n == 0 || n >= sizeof(host))
			goto bad;
		memcpy(host, value, n);
		host[n] = '\0';
		/* Not an address: then a name, letters, digits, - and . */
		if (inet_pton(AF_INET, host, addr) != 1)
			for (p = host; *p != '\0'; p++)
				if (!isalnum((unsigned char)*p) && *p != '-' &&
				    *p != '.')
					goto bad;
	}
	p = colon + 1;
	if (*p == '\0' || strlen(p) > 5)
		goto badport;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			goto badport;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port > 65535)
		goto badport;
	return 0;
badport:
	snprintf(err, errlen, "%s: '%s': the port must be a number from 0 "
	    "to 65535", key, value);
	return -EINVAL;
bad:
	snprintf(err, errlen, "%s: '%s' is not host:port (an IPv4 address, "
	    "[an IPv6 address] or a host name, then the port)", key, value);
	return -EINVAL;
}

/* A file or directory: empty would name the current directory. */
static int
config_check_path(const char *key, const char *value, char *err,
    size_t errlen)
{
	if (*value != '\0')
		return 0;
	snprintf(err, errlen, "%s: needs a path", key);
	return -EINVAL;
}

static int
config_set_key(struct config *cf, const struct config_key *ck,
    const char *value, char *err, size_t errlen)
{
	const char	*key = ck->ck_name;
	char		*base = (char *)cf;
	char		 why[128];
	long long	 ll;
	uint64_t	 sz;
	int		 rc;

	if (config_text_check(value, strlen(value), why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: the value %s", key, why);
		return -EINVAL;
	}
	switch (ck->ck_type) {
	case CT_STR:
		if (strlen(value) >= CONFIG_STR_MAX) {
			snprintf(err, errlen, "%s: value too long (at most %d "
			    "bytes)", key, CONFIG_STR_MAX - 1);
			return -EINVAL;
		}
		if (ck->ck_check != NULL &&
		    (rc = ck->ck_check(key, value, err, errlen)) != 0)
			return rc;
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

int
config_set(struct config *cf, const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct config_key	*ck;
	char			 why[128];

	if (config_text_check(key, strlen(key), why, sizeof(why)) != 0) {
		snprintf(err, errlen, "the key %s", why);
		return -EINVAL;
	}
	if ((ck = config_find(key)) == NULL) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	return config_set_key(cf, ck, value, err, errlen);
}

/* Where the text from s to end ends once trailing blanks are dropped. */
static const char *
config_trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

static char *
config_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/*
 * One line (without its newline) of a file or one -o argument: the
 * text checks, then `key = value` (for -o, `key=value`). seen[] holds
 * where each key was set before (0: not yet); a key set twice is
 * refused, since which of the two wins is a guess the reader of the file
 * should not have to make. 0, or -EINVAL with the message in err.
 */
static int
config_line(struct config *cf, const char *text, size_t len, bool file,
    size_t where, size_t *seen, char *err, size_t errlen)
{
	const struct config_key	*ck;
	char			 line[CONFIG_LINE_MAX + 1];
	char			*key, *value, *eq;
	int			 rc;

	/* A file written on Windows: its CR LF ends the line like LF. */
	if (len > 0 && text[len - 1] == '\r')
		len--;
	/* Binary junk is told as such, before its "line" is too long. */
	if ((rc = config_text_check(text, len, err, errlen)) != 0)
		return rc;
	if (len > CONFIG_LINE_MAX) {
		snprintf(err, errlen, "line too long (more than %d bytes)",
		    CONFIG_LINE_MAX);
		return -EINVAL;
	}
	memcpy(line, text, len);
	line[len] = '\0';
	key = config_trim(line);
	if (file && (*key == '\0' || *key == '#'))
		return 0;
	if ((eq = strchr(key, '=')) == NULL || config_trim_end(key, eq) ==
	    key) {
		if (file)
			snprintf(err, errlen, "expected 'key = value'");
		else
			snprintf(err, errlen, "'%s': expected key=value", key);
		return -EINVAL;
	}
	*eq = '\0';
	key = config_trim(key);
	value = config_trim(eq + 1);
	if ((ck = config_find(key)) == NULL) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	if (seen[ck - config_keys] != 0 && file) {
		snprintf(err, errlen, "'%s' is set twice (first on line %zu)",
		    key, seen[ck - config_keys]);
		return -EINVAL;
	}
	if (seen[ck - config_keys] != 0) {
		snprintf(err, errlen, "'%s' is given twice", key);
		return -EINVAL;
	}
	seen[ck - config_keys] = where;
	return config_set_key(cf, ck, value, err, errlen);
}

int
config_load(const char *path, struct config *cf, char *err, size_t errlen)
{
	FILE		*fp = NULL;
	char		*buf = NULL, msg[512];
	const char	*p, *end, *nl;
	size_t		 len = 0, lineno = 0, seen[CONFIG_NKEYS];
	int		 ret = -1;

	memset(seen, 0, sizeof(seen));
	if ((fp = fopen(path, "re")) == NULL) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	/* One byte more than allowed tells a file that is too large. */
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		goto done;
	}
	len = fread(buf, 1, CONFIG_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
		goto done;
	}
	if (len > CONFIG_FILE_MAX) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: larger than %d KiB: not a "
		    "configuration file", path, CONFIG_FILE_MAX >> 10);
		goto done;
	}
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (config_line(cf, p, (size_t)(nl - p), true, lineno, seen,
		    msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "%s:%zu: %s", path, lineno, msg);
			ret = -EINVAL;
			goto done;
		}
	}
	ret = 0;
done:
	free(buf);
	if (fp != NULL)
		fclose(fp);
	return ret;
}

int
config_overrides(struct config *cf, const char *const *args, size_t n,
    char *err, size_t errlen)
{
	char		 msg[512];
	size_t		 i, seen[CONFIG_NKEYS];

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		/* The same checks as a line of the file. */
		if (config_line(cf, args[i], strlen(args[i]), false, i + 1,
		    seen, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "-o %s", msg);
			return -EINVAL;
		}
	}
	return 0;
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
