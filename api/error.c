/*
 * error.c — the error table of DESIGN.md section 7.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/error.h"

static const struct {
	int		 status;
	const char	*name;
} api_err_table[APIE_COUNT] = {
	[APIE_NONE]		  = { 200, "ok" },
	[APIE_MALFORMED_JSON]	  = { 400, "malformed_json" },
	[APIE_BAD_REQUEST]	  = { 400, "bad_request" },
	[APIE_UNKNOWN_FIELD]	  = { 400, "unknown_field" },
	[APIE_WRONG_TYPE]	  = { 400, "wrong_type" },
	[APIE_MISSING_FIELD]	  = { 400, "missing_field" },
	[APIE_INVALID]		  = { 422, "invalid" },
	[APIE_INVALID_ANSWER]	  = { 422, "invalid_answer" },
	[APIE_MISALIGNED_RANGE]	  = { 422, "misaligned_range" },
	[APIE_UNAUTHORIZED]	  = { 401, "unauthorized" },
	[APIE_BAD_CREDENTIALS]	  = { 401, "bad_credentials" },
	[APIE_FORBIDDEN]	  = { 403, "forbidden" },
	[APIE_NOT_FOUND]	  = { 404, "not_found" },
	[APIE_METHOD_NOT_ALLOWED] = { 405, "method_not_allowed" },
	[APIE_CONFLICT]		  = { 409, "conflict" },
	[APIE_ALREADY_USED]	  = { 409, "already_used" },
	[APIE_GONE]		  = { 410, "gone" },
	[APIE_TOO_LARGE]	  = { 413, "too_large" },
	[APIE_UNSUPPORTED_MEDIA]  = { 415, "unsupported_media_type" },
	[APIE_RATE_LIMITED]	  = { 429, "rate_limited" },
	[APIE_INTERNAL]		  = { 500, "internal" },
	[APIE_UNAVAILABLE]	  = { 503, "unavailable" },
	[APIE_STORAGE_FULL]	  = { 507, "storage_full" },
};

int
api_err_set(struct api_err *e, enum api_errcode code, const char *field,
    const char *fmt, ...)
{
	va_list	ap;

	e->ae_code = code;
	snprintf(e->ae_field, sizeof(e->ae_field), "%s",
	    field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->ae_message, sizeof(e->ae_message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
api_err_status(enum api_errcode code)
{
	if ((unsigned)code >= APIE_COUNT)
		return 500;
	return api_err_table[code].status;
}

const char *
api_err_name(enum api_errcode code)
{
	if ((unsigned)code >= APIE_COUNT)
		return "internal";
	return api_err_table[code].name;
}

enum api_errcode
api_err_from_errno(int err)
{
	switch (err) {
	case -ENOENT:	return APIE_NOT_FOUND;
	case -EEXIST:	return APIE_CONFLICT;
	case -ENOSPC:	return APIE_STORAGE_FULL;
	case -EINVAL:	return APIE_BAD_REQUEST;
	case -EIO:
	case -EBADMSG:
	case -EAGAIN:	return APIE_UNAVAILABLE;
	default:	return APIE_INTERNAL;
	}
}
