/*
 * config.h — palauted's configuration: one struct, defaults in one function,
 * a `key = value` file parser that reports errors as `file:line: message`.
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_CONFIG_H
#define PALAUTE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_STR_MAX	512

struct config {
	char		cf_listen[CONFIG_STR_MAX];	/* host:port */
	char		cf_state_dir[CONFIG_STR_MAX];
	char		cf_kek_file[CONFIG_STR_MAX];
	char		cf_root_key_file[CONFIG_STR_MAX];
	char		cf_www_dir[CONFIG_STR_MAX];
	char		cf_chartjs_dir[CONFIG_STR_MAX];
	char		cf_cors_origins[CONFIG_STR_MAX];	/* space separated */
	uint64_t	cf_map_size;
	uint64_t	cf_disk_reserve;	/* for reads on a full disk */
	uint64_t	cf_max_body;
	uint64_t	cf_max_body_batch;
	uint64_t	cf_max_headers;
	long long	cf_read_timeout;	/* seconds */
	long long	cf_write_timeout;
	long long	cf_request_deadline;
	long long	cf_max_connections;
	long long	cf_session_ttl;		/* seconds */
	long long	cf_login_workers;
	long long	cf_kiosk_rate;		/* requests per minute per device */
	long long	cf_form_rate;		/* requests per minute per link */
	long long	cf_login_attempts;	/* failures before throttling */
	bool		cf_bench;		/* POST /bench/noop (bench/) */
	bool		cf_dev_history;		/* --dev: the demo's year */
	bool		cf_verbose;
};

/* Fill every field with its default (see config.c for the reasons). */
void	config_defaults(struct config *cf);

/*
 * Parse path into cf (which the caller has filled with defaults). On error
 * returns -EINVAL (or -errno for an unreadable file) and writes
 * "file:line: message" into err; cf may then be partly changed, so parse
 * into a scratch struct and swap on success (that is what reload does).
 * Strict: the file is refused, whole, for a NUL byte, another control
 * character than a tab (CR only before LF), bytes that are not UTF-8 (in
 * comments too), a line over 1024 bytes, a file over 64 KiB, a line that
 * is not `key = value`, an unknown key, a key set twice, or a value that
 * its key does not take (a number out of range, a listen address whose
 * port is not 0-65535, an empty path).
 */
int	config_load(const char *path, struct config *cf, char *err,
	    size_t errlen);

/*
 * Apply `key=value` arguments (-o) in order, each checked as a line of
 * the file is; a key given twice is refused. On error -EINVAL and err is
 * "-o message".
 */
int	config_overrides(struct config *cf, const char *const *args,
	    size_t n, char *err, size_t errlen);

/* Set one key from a string, with the checks of the file; for tests. */
int	config_set(struct config *cf, const char *key, const char *value,
	    char *err, size_t errlen);

/* Number of keys and the name and default of the i-th; for docs and tests. */
size_t		 config_nkeys(void);
const char	*config_key_name(size_t i);

/* Write the effective configuration, one `key = value` a line. */
void	config_dump(const struct config *cf, void (*out)(const char *line,
	    void *arg), void *arg);

#endif /* PALAUTE_CONFIG_H */
