/*
 * error.c — what went wrong, in words a client can act on: the codes of
 * DESIGN.md section 7 and their names. The HTTP status of each code is
 * the api layer's business (api_status()).
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"

static const char *const error_names[ERR_COUNT] = {
	[ERR_NONE]                 = "ok",
	[ERR_MALFORMED_JSON]       = "malformed_json",
	[ERR_BAD_REQUEST]          = "bad_request",
	[ERR_UNKNOWN_FIELD]        = "unknown_field",
	[ERR_WRONG_TYPE]           = "wrong_type",
	[ERR_MISSING_FIELD]        = "missing_field",
	[ERR_INVALID]              = "invalid",
	[ERR_INVALID_ANSWER]       = "invalid_answer",
	[ERR_MISALIGNED_RANGE]     = "misaligned_range",
	[ERR_PASSWORD_TOO_SHORT]   = "password_too_short",
	[ERR_PASSWORD_TOO_LONG]    = "password_too_long",
	[ERR_PASSWORD_BLANK]       = "password_blank",
	[ERR_PASSWORD_USERNAME]    = "password_contains_username",
	[ERR_PASSWORD_COMMON]      = "password_common",
	[ERR_UNAUTHORIZED]         = "unauthorized",
	[ERR_BAD_CREDENTIALS]      = "bad_credentials",
	[ERR_FORBIDDEN]            = "forbidden",
	[ERR_NOT_FOUND]            = "not_found",
	[ERR_METHOD_NOT_ALLOWED]   = "method_not_allowed",
	[ERR_CONFLICT]             = "conflict",
	[ERR_ALREADY_USED]         = "already_used",
	[ERR_GONE]                 = "gone",
	[ERR_LENGTH_REQUIRED]      = "length_required",
	[ERR_TOO_LARGE]            = "too_large",
	[ERR_UNSUPPORTED_MEDIA]    = "unsupported_media_type",
	[ERR_RATE_LIMITED]         = "rate_limited",
	[ERR_INTERNAL]             = "internal",
	[ERR_UNAVAILABLE]          = "unavailable",
	[ERR_STORAGE_FULL]         = "storage_full",
};

int
error_set(struct error *e, enum error_code code, const char *field,
    const char *fmt, ...)
{
	va_list	ap;

	e->er_code = code;
	snprintf(e->er_field, sizeof(e->er_field), "%s",
	    field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->er_message, sizeof(e->er_message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *
error_name(enum error_code code)
{
	if ((unsigned)code >= ERR_COUNT)
		return "internal";
	return error_names[code];
}

enum error_code
error_from_errno(int err)
{
	switch (err) {
	case -ENOENT:	return ERR_NOT_FOUND;
	case -EEXIST:	return ERR_CONFLICT;
	case -ENOSPC:			/* the map */
	case -EDQUOT:	return ERR_STORAGE_FULL;	/* the disk */
	case -EINVAL:	return ERR_BAD_REQUEST;
	case -EIO:
	case -EBADMSG:
	case -EAGAIN:	return ERR_UNAVAILABLE;
	default:	return ERR_INTERNAL;
	}
}
