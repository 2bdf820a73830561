/*
 * log.c — levelled logging to stderr, one line per message. Under systemd,
 * journald adds the time and unit; by hand, stderr is what the operator sees.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static const char	*log_procname = "palaute";
static int		 log_verbose;

static void	log_vwrite(const char *prefix, const char *fmt, va_list ap,
		    int errnum) __attribute__((format(printf, 2, 0)));

void
log_init(const char *progname, int verbose)
{
	log_procname = progname;
	log_verbose = verbose;
	/* Line-buffered so that lines of two threads do not interleave. */
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void
log_set_verbose(int verbose)
{
	log_verbose = verbose;
}

static void
log_vwrite(const char *prefix, const char *fmt, va_list ap, int errnum)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0)
		fprintf(stderr, "%s: %s%s: %s\n", log_procname, prefix, msg,
		    strerror(errnum));
	else
		fprintf(stderr, "%s: %s%s\n", log_procname, prefix, msg);
}

void
log_warn(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite("warning: ", fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite("warning: ", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite("debug: ", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
