/*
 * log.h — the one log module: levels, to stderr (journald captures it).
 * Never pass a token, password, answer, comment, IP address or user agent.
 * log_warn() appends strerror(errno); log_warnx() does not.
 */
#ifndef PALAUTE_LOG_H
#define PALAUTE_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void	log_init(const char *progname, int verbose);
void	log_set_verbose(int verbose);
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* PALAUTE_LOG_H */
