/*
 * error.h — why a request was refused: one code per kind of failure
 * (DESIGN.md section 7), the field it names and a message. Every layer
 * fills a struct error; only the api layer turns a code into an HTTP
 * status (api_status()), and the comment beside each code says which.
 * Return convention: a function that can fail for a reason the client
 * must see returns a negative errno-style code and fills a struct error.
 */
#ifndef PALAUTE_COMMON_ERROR_H
#define PALAUTE_COMMON_ERROR_H

enum error_code {
	ERR_NONE = 0,
	ERR_MALFORMED_JSON,	/* 400 not parseable JSON, or duplicate keys */
	ERR_BAD_REQUEST,	/* 400 bad query parameter, bad path id */
	ERR_UNKNOWN_FIELD,	/* 400 a member the contract does not know */
	ERR_WRONG_TYPE,		/* 400 a member of the wrong JSON type */
	ERR_MISSING_FIELD,	/* 400 a required member is absent */
	ERR_INVALID,		/* 422 well-formed but not acceptable */
	ERR_INVALID_ANSWER,	/* 422 an answer that breaks its question */
	ERR_MISALIGNED_RANGE,	/* 422 from/to not on period buckets */
	/* 422 a new password refused by the policy (core/users.h): one each */
	ERR_PASSWORD_TOO_SHORT,
	ERR_PASSWORD_TOO_LONG,
	ERR_PASSWORD_BLANK,
	ERR_PASSWORD_USERNAME,
	ERR_PASSWORD_COMMON,
	ERR_UNAUTHORIZED,	/* 401 no, expired or revoked credentials */
	ERR_BAD_CREDENTIALS,	/* 401 wrong user name or password */
	ERR_FORBIDDEN,		/* 403 authenticated but not allowed */
	ERR_NOT_FOUND,		/* 404 */
	ERR_METHOD_NOT_ALLOWED,	/* 405 */
	ERR_CONFLICT,		/* 409 state forbids it (in use, exists) */
	ERR_ALREADY_USED,	/* 409 an invitation code already burned */
	ERR_GONE,		/* 410 an enrollment code used or expired */
	ERR_LENGTH_REQUIRED,	/* 411 a body without a Content-Length */
	ERR_TOO_LARGE,		/* 413 body over the route's limit */
	ERR_UNSUPPORTED_MEDIA,	/* 415 body is not application/json */
	ERR_RATE_LIMITED,	/* 429 with Retry-After */
	ERR_INTERNAL,		/* 500 */
	ERR_UNAVAILABLE,	/* 503 not ready, storage failing */
	ERR_STORAGE_FULL,	/* 507 */
	ERR_COUNT
};

/* A field path longer than this is cut, and ends in "..." (codec_path()). */
#define ERROR_FIELD_MAX	128

struct error {
	enum error_code	er_code;
	char		er_field[ERROR_FIELD_MAX];	/* "" when none */
	char		er_message[256];
};

/* Fill e (field may be NULL). Always returns -EINVAL for tail calls. */
int		 error_set(struct error *e, enum error_code code,
		    const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
const char	*error_name(enum error_code code);
/*
 * The code for a negative errno from storage (-ENOSPC, a full map, and
 * -EDQUOT, a full disk -> STORAGE_FULL; -EIO -> UNAVAILABLE...).
 */
enum error_code error_from_errno(int err);

#endif /* PALAUTE_COMMON_ERROR_H */
