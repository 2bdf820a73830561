/*
 * error.h — the API's error table: one code per kind of failure, each with
 * its HTTP status, written as {"error":{"code","message","field"}}.
 * Return convention of the api layer: 0 or a negative errno-style code; a
 * function that can fail for a reason the client must see also fills a
 * struct api_err.
 */
#ifndef PALAUTE_API_ERROR_H
#define PALAUTE_API_ERROR_H

enum api_errcode {
	APIE_NONE = 0,
	APIE_MALFORMED_JSON,	/* 400 not parseable JSON, or duplicate keys */
	APIE_BAD_REQUEST,	/* 400 bad query parameter, bad path id */
	APIE_UNKNOWN_FIELD,	/* 400 a member the contract does not know */
	APIE_WRONG_TYPE,	/* 400 a member of the wrong JSON type */
	APIE_MISSING_FIELD,	/* 400 a required member is absent */
	APIE_INVALID,		/* 422 well-formed but not acceptable */
	APIE_INVALID_ANSWER,	/* 422 an answer that breaks its question */
	APIE_MISALIGNED_RANGE,	/* 422 from/to not on period buckets */
	APIE_UNAUTHORIZED,	/* 401 no, expired or revoked credentials */
	APIE_BAD_CREDENTIALS,	/* 401 wrong user name or password */
	APIE_FORBIDDEN,		/* 403 authenticated but not allowed */
	APIE_NOT_FOUND,		/* 404 */
	APIE_METHOD_NOT_ALLOWED,/* 405 */
	APIE_CONFLICT,		/* 409 state forbids it (in use, exists) */
	APIE_ALREADY_USED,	/* 409 an invitation code already burned */
	APIE_GONE,		/* 410 an enrollment code used or expired */
	APIE_TOO_LARGE,		/* 413 body over the route's limit */
	APIE_UNSUPPORTED_MEDIA,	/* 415 body is not application/json */
	APIE_RATE_LIMITED,	/* 429 with Retry-After */
	APIE_INTERNAL,		/* 500 */
	APIE_UNAVAILABLE,	/* 503 not ready, storage failing */
	APIE_STORAGE_FULL,	/* 507 */
	APIE_COUNT
};

struct api_err {
	enum api_errcode	ae_code;
	char			ae_field[128];	/* "" when no single field */
	char			ae_message[256];
};

/* Fill e (field may be NULL). Always returns -EINVAL for tail calls. */
int		 api_err_set(struct api_err *e, enum api_errcode code,
		    const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
int		 api_err_status(enum api_errcode code);
const char	*api_err_name(enum api_errcode code);
/* The code for a negative errno from storage (-ENOSPC -> STORAGE_FULL...). */
enum api_errcode api_err_from_errno(int err);

#endif /* PALAUTE_API_ERROR_H */
