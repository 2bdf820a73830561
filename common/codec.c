/*
 * codec.c — typed access to JSON members, with one wording for errors.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/codec.h"

size_t
codec_depth(const char *text, size_t len)
{
	size_t	i, depth = 0, max = 0;
	bool	in_str = false, esc = false;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '{': case '[':
			if (++depth > max)
				max = depth;
			break;
		case '}': case ']':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return max;
}

/*
 * The quick reader (codec_load()). Each function returns 0, -EAGAIN for
 * a text it leaves to jansson, or -ENOMEM; what it built is freed on
 * the way out of a refusal.
 */
struct codec_rd {
	const unsigned char	*rd_p;
	const unsigned char	*rd_end;
};

static int	codec_rd_value(struct codec_rd *, unsigned, json_t **);

static void
codec_rd_space(struct codec_rd *rd)
{
	while (rd->rd_p < rd->rd_end && (*rd->rd_p == ' ' ||
	    *rd->rd_p == '\n' || *rd->rd_p == '\r' || *rd->rd_p == '\t'))
		rd->rd_p++;
}

/*
 * The length of the UTF-8 sequence at p (at most n bytes there), 0 when
 * it is not one jansson takes (utf8_check_full(): no overlong form, no
 * surrogate, nothing past U+10FFFF).
 */
static size_t
codec_rd_utf8(const unsigned char *p, size_t n)
{
	uint32_t	cp;
	size_t		len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return 0;
	return len;
}

/*
 * The string at rd (past its opening quote), its bytes in *s and *n:
 * the text itself when it has no escape, else buf (wiped and freed by
 * the caller: a string may be an answer).
 */
static int
codec_rd_string(struct codec_rd *rd, const char **s, size_t *n,
    struct codec_buf *buf)
{
	const unsigned char	*from = rd->rd_p;
	size_t			 len;
	char			 c;

	for (;;) {
		if (rd->rd_p == rd->rd_end)
			return -EAGAIN;
		if (*rd->rd_p == '"')
			break;
		if (*rd->rd_p < 0x20)
			return -EAGAIN;
		if (*rd->rd_p < 0x80 && *rd->rd_p != '\\') {
			rd->rd_p++;
			continue;
		}
		if (*rd->rd_p >= 0x80) {
			len = codec_rd_utf8(rd->rd_p,
			    (size_t)(rd->rd_end - rd->rd_p));
			if (len == 0)
				return -EAGAIN;
			rd->rd_p += len;
			continue;
		}
		/* An escape: what came before it, then what it stands for. */
		if (rd->rd_end - rd->rd_p < 2)
			return -EAGAIN;
		switch (rd->rd_p[1]) {
		case '"':	c = '"'; break;
		case '\\':	c = '\\'; break;
		case '/':	c = '/'; break;
		case 'b':	c = '\b'; break;
		case 'f':	c = '\f'; break;
		case 'n':	c = '\n'; break;
		case 'r':	c = '\r'; break;
		case 't':	c = '\t'; break;
		default:
			return -EAGAIN;
		}
		codec_buf_raw(buf, (const char *)from,
		    (size_t)(rd->rd_p - from));
		codec_buf_raw(buf, &c, 1);
		rd->rd_p += 2;
		from = rd->rd_p;
	}
	if (buf->cb_p != NULL || buf->cb_failed) {
		codec_buf_raw(buf, (const char *)from,
		    (size_t)(rd->rd_p - from));
		if (buf->cb_failed)
			return -ENOMEM;
		*s = buf->cb_p;
		*n = buf->cb_len;
	} else {
		*s = (const char *)from;
		*n = (size_t)(rd->rd_p - from);
	}
	rd->rd_p++;
	return 0;
}

/* An integer of at most 18 digits: no overflow to think of. */
static int
codec_rd_int(struct codec_rd *rd, json_t **out)
{
	long long	v = 0;
	bool		neg = false;
	int		digits = 0;

	if (*rd->rd_p == '-') {
		neg = true;
		rd->rd_p++;
	}
	while (rd->rd_p < rd->rd_end && *rd->rd_p >= '0' &&
	    *rd->rd_p <= '9') {
		if (++digits > 18 || (digits == 2 && v == 0))
			return -EAGAIN;
		v = v * 10 + (*rd->rd_p++ - '0');
	}
	/* A fraction or an exponent makes a real: jansson's. */
	if (digits == 0 || (neg && v == 0) || (rd->rd_p < rd->rd_end &&
	    (*rd->rd_p == '.' || *rd->rd_p == 'e' || *rd->rd_p == 'E')))
		return -EAGAIN;
	if ((*out = json_integer(neg ? -v : v)) == NULL)
		return -ENOMEM;
	return 0;
}

static int
codec_rd_word(struct codec_rd *rd, const char *word, json_t *(*make)(void),
    json_t **out)
{
	size_t	n = strlen(word);

	if ((size_t)(rd->rd_end - rd->rd_p) < n ||
	    memcmp(rd->rd_p, word, n) != 0)
		return -EAGAIN;
	rd->rd_p += n;
	if ((*out = make()) == NULL)
		return -ENOMEM;
	return 0;
}

/* The members of the object at rd, past its '{'. */
static int
codec_rd_object(struct codec_rd *rd, unsigned depth, json_t **out)
{
	struct codec_buf	 kbuf;
	json_t			*obj, *v = NULL;
	const char		*key;
	size_t			 klen;
	int			 ret = -ENOMEM;

	memset(&kbuf, 0, sizeof(kbuf));
	if ((obj = json_object()) == NULL)
		goto done;
	codec_rd_space(rd);
	if (rd->rd_p < rd->rd_end && *rd->rd_p == '}') {
		rd->rd_p++;
		ret = 0;
		goto done;
	}
	for (;;) {
		ret = -EAGAIN;
		if (rd->rd_p == rd->rd_end || *rd->rd_p++ != '"')
			goto done;
		if ((ret = codec_rd_string(rd, &key, &klen, &kbuf)) != 0)
			goto done;
		ret = -EAGAIN;
		if (json_object_getn(obj, key, klen) != NULL)
			goto done;
		codec_rd_space(rd);
		if (rd->rd_p == rd->rd_end || *rd->rd_p++ != ':')
			goto done;
		if ((ret = codec_rd_value(rd, depth, &v)) != 0)
			goto done;
		ret = -ENOMEM;
		if (json_object_setn_new_nocheck(obj, key, klen, v) != 0)
			goto done;	/* it took v, and freed it */
		codec_buf_wipe(&kbuf);
		codec_rd_space(rd);
		ret = -EAGAIN;
		if (rd->rd_p == rd->rd_end)
			goto done;
		if (*rd->rd_p == '}')
			break;
		if (*rd->rd_p++ != ',')
			goto done;
		codec_rd_space(rd);
	}
	rd->rd_p++;
	ret = 0;
done:
	codec_buf_wipe(&kbuf);
	if (ret == 0)
		*out = obj;
	else
		json_decref(obj);
	return ret;
}

/* The elements of the array at rd, past its '['. */
static int
codec_rd_array(struct codec_rd *rd, unsigned depth, json_t **out)
{
	json_t	*arr, *v;
	int	 ret = -ENOMEM;

	if ((arr = json_array()) == NULL)
		goto done;
	codec_rd_space(rd);
	if (rd->rd_p < rd->rd_end && *rd->rd_p == ']') {
		rd->rd_p++;
		ret = 0;
		goto done;
	}
	for (;;) {
		if ((ret = codec_rd_value(rd, depth, &v)) != 0)
			goto done;
		ret = -ENOMEM;
		if (json_array_append_new(arr, v) != 0)
			goto done;
		codec_rd_space(rd);
		ret = -EAGAIN;
		if (rd->rd_p == rd->rd_end)
			goto done;
		if (*rd->rd_p == ']')
			break;
		if (*rd->rd_p++ != ',')
			goto done;
	}
	rd->rd_p++;
	ret = 0;
done:
	if (ret == 0)
		*out = arr;
	else
		json_decref(arr);
	return ret;
}

/* The value at rd, inside depth containers. */
static int
codec_rd_value(struct codec_rd *rd, unsigned depth, json_t **out)
{
	struct codec_buf	 sbuf;
	const char		*s;
	size_t			 n;
	int			 ret;

	codec_rd_space(rd);
	if (rd->rd_p == rd->rd_end)
		return -EAGAIN;
	switch (*rd->rd_p) {
	case '{':
	case '[':
		if (depth == CODEC_MAX_DEPTH)
			return -EAGAIN;
		return *rd->rd_p++ == '{' ?
		    codec_rd_object(rd, depth + 1, out) :
		    codec_rd_array(rd, depth + 1, out);
	case '"':
		rd->rd_p++;
		memset(&sbuf, 0, sizeof(sbuf));
		if ((ret = codec_rd_string(rd, &s, &n, &sbuf)) == 0 &&
		    (*out = json_stringn_nocheck(s, n)) == NULL)
			ret = -ENOMEM;
		codec_buf_wipe(&sbuf);
		return ret;
	case 't':
		return codec_rd_word(rd, "true", json_true, out);
	case 'f':
		return codec_rd_word(rd, "false", json_false, out);
	case 'n':
		return codec_rd_word(rd, "null", json_null, out);
	default:
		if (*rd->rd_p == '-' || (*rd->rd_p >= '0' && *rd->rd_p <= '9'))
			return codec_rd_int(rd, out);
		return -EAGAIN;
	}
}

int
codec_load(const char *text, size_t len, json_t **out)
{
	struct codec_rd	 rd;
	json_t		*root = NULL;
	int		 ret;

	rd.rd_p = (const unsigned char *)text;
	rd.rd_end = rd.rd_p + len;
	codec_rd_space(&rd);
	if (rd.rd_p == rd.rd_end || *rd.rd_p != '{')
		return -EAGAIN;
	if ((ret = codec_rd_value(&rd, 0, &root)) != 0)
		goto done;
	codec_rd_space(&rd);
	if (rd.rd_p != rd.rd_end) {
		ret = -EAGAIN;
		goto done;
	}
	*out = root;
	root = NULL;
done:
	json_decref(root);
	return ret;
}

void
codec_path(char buf[ERROR_FIELD_MAX], const char *base, const char *key)
{
	int	n;

	if (base == NULL || *base == '\0')
		n = snprintf(buf, ERROR_FIELD_MAX, "%s", key);
	else
		n = snprintf(buf, ERROR_FIELD_MAX, "%s.%s", base, key);
	if (n < 0 || n >= ERROR_FIELD_MAX)
		memcpy(buf + ERROR_FIELD_MAX - 4, "...", 4);
}

void
codec_path_index(char buf[ERROR_FIELD_MAX], const char *base, size_t i)
{
	int	n;

	n = snprintf(buf, ERROR_FIELD_MAX, "%s[%zu]", base, i);
	if (n < 0 || n >= ERROR_FIELD_MAX)
		memcpy(buf + ERROR_FIELD_MAX - 4, "...", 4);
}

int
codec_only(const json_t *obj, const char *const allowed[], const char *path,
    struct error *err)
{
	const char	*key;
	json_t		*val;
	char		 field[ERROR_FIELD_MAX];
	size_t		 i;

	/* jansson's iterators take a non-const object; we only read. */
	json_object_foreach((json_t *)obj, key, val) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL) {
			codec_path(field, path, key);
			return error_set(err, ERR_UNKNOWN_FIELD, field,
			    "unknown field '%s'", field);
		}
	}
	return 0;
}

static const char *
codec_kind(json_type type)
{
	switch (type) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "a whole number";
	case JSON_TRUE:		return "true or false";
	default:		return "something else";
	}
}

int
codec_get(const json_t *obj, const char *path, const char *key,
    json_type type, bool required, const json_t **out, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v;
	bool		 ok;

	codec_path(field, path, key);
	if ((v = json_object_get(obj, key)) == NULL) {
		if (required)
			return error_set(err, ERR_MISSING_FIELD, field,
			    "'%s' is required", field);
		*out = NULL;
		return 0;
	}
	ok = type == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == type;
	if (!ok)
		return error_set(err, ERR_WRONG_TYPE, field,
		    "'%s' must be %s", field, codec_kind(type));
	*out = v;
	return 0;
}

int
codec_str(const json_t *obj, const char *key, bool required, size_t maxlen,
    const char **out, struct error *err)
{
	const json_t	*v = NULL;
	int		 rc;

	if ((rc = codec_get(obj, "", key, JSON_STRING, required, &v,
	    err)) != 0 || v == NULL)
		return rc;
	if (json_string_length(v) > maxlen)
		return error_set(err, ERR_INVALID, key,
		    "'%s' is longer than %zu bytes", key, maxlen);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return error_set(err, ERR_INVALID, key,
		    "'%s' contains a NUL character", key);
	*out = json_string_value(v);
	return 0;
}

int
codec_int_at(const json_t *obj, const char *path, const char *key,
    bool required, long long min, long long max, long long def,
    long long *out, struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v = NULL;
	json_int_t	 n;
	int		 rc;

	if ((rc = codec_get(obj, path, key, JSON_INTEGER, required, &v,
	    err)) != 0)
		return rc;
	if (v == NULL) {
		*out = def;
		return 0;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		codec_path(field, path, key);
		return error_set(err, ERR_INVALID, field,
		    "'%s' must be between %lld and %lld", field, min, max);
	}
	*out = n;
	return 0;
}

int
codec_int(const json_t *obj, const char *key, bool required, long long min,
    long long max, long long *out, struct error *err)
{
	return codec_int_at(obj, "", key, required, min, max, *out, out, err);
}

int
codec_bool_at(const json_t *obj, const char *path, const char *key,
    bool required, bool def, bool *out, struct error *err)
{
	const json_t	*v = NULL;
	int		 rc;

	if ((rc = codec_get(obj, path, key, JSON_TRUE, required, &v,
	    err)) != 0)
		return rc;
	*out = v == NULL ? def : json_is_true(v);
	return 0;
}

int
codec_bool(const json_t *obj, const char *key, bool required, bool *out,
    struct error *err)
{
	return codec_bool_at(obj, "", key, required, *out, out, err);
}

int
codec_enum_at(const json_t *obj, const char *path, const char *key,
    bool required, const char *const names[], int def, int *out,
    struct error *err)
{
	char		 field[ERROR_FIELD_MAX];
	const json_t	*v = NULL;
	const char	*s;
	int		 i, rc;

	if ((rc = codec_get(obj, path, key, JSON_STRING, required, &v,
	    err)) != 0)
		return rc;
	if (v == NULL) {
		*out = def;
		return 0;
	}
	s = json_string_value(v);
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return 0;
		}
	codec_path(field, path, key);
	return error_set(err, ERR_INVALID, field,
	    "'%s' is not an accepted value", field);
}

uint32_t
codec_u32(const json_t *v)
{
	json_int_t	n;

	if (!json_is_integer(v))
		return 0;
	n = json_integer_value(v);
	return n > 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
}

/*
 * Nesting codec_dump() follows. jansson detects a value that contains
 * itself; a bound on depth ends the recursion instead, far beyond what
 * any document here nests (CODEC_MAX_DEPTH for what clients send).
 */
#define CODEC_DUMP_DEPTH	1024

static void	codec_buf_value(struct codec_buf *, const json_t *, unsigned);

static void
codec_buf_object(struct codec_buf *b, const json_t *json, unsigned depth)
{
	void		*iter;
	const char	*key;
	bool		 first = true;

	codec_buf_raw(b, "{", 1);
	for (iter = json_object_iter((json_t *)json); iter != NULL;
	    iter = json_object_iter_next((json_t *)json, iter)) {
		if (!first)
			codec_buf_raw(b, ",", 1);
		first = false;
		key = json_object_iter_key(iter);
#if JANSSON_VERSION_HEX >= 0x020e00
		codec_buf_str(b, key, json_object_iter_key_len(iter));
#else
		codec_buf_str(b, key, strlen(key));
#endif
		codec_buf_raw(b, ":", 1);
		codec_buf_value(b, json_object_iter_value(iter), depth + 1);
	}
	codec_buf_raw(b, "}", 1);
}

static void
codec_buf_value(struct codec_buf *b, const json_t *json, unsigned depth)
{
	char	*real;
	size_t	 i, n;

	if (json == NULL || depth > CODEC_DUMP_DEPTH) {
		b->cb_failed = true;
		return;
	}
	switch (json_typeof(json)) {
	case JSON_OBJECT:
		codec_buf_object(b, json, depth);
		break;
	case JSON_ARRAY:
		codec_buf_raw(b, "[", 1);
		n = json_array_size(json);
		for (i = 0; i < n; i++) {
			if (i > 0)
				codec_buf_raw(b, ",", 1);
			codec_buf_value(b, json_array_get(json, i), depth + 1);
		}
		codec_buf_raw(b, "]", 1);
		break;
	case JSON_STRING:
		codec_buf_str(b, json_string_value(json),
		    json_string_length(json));
		break;
	case JSON_INTEGER:
		codec_buf_int(b, json_integer_value(json));
		break;
	case JSON_REAL:
		/* Rare here, and jansson's spelling of a double is its own. */
		if ((real = json_dumps(json, JSON_COMPACT |
		    JSON_ENCODE_ANY)) == NULL) {
			b->cb_failed = true;
			break;
		}
		codec_buf_raw(b, real, strlen(real));
		free(real);
		break;
	case JSON_TRUE:
		CODEC_BUF_LIT(b, "true");
		break;
	case JSON_FALSE:
		CODEC_BUF_LIT(b, "false");
		break;
	case JSON_NULL:
	default:
		CODEC_BUF_LIT(b, "null");
		break;
	}
}

char *
codec_dump(const json_t *json, size_t *len_out)
{
	struct codec_buf	b;

	/*
	 * What json_dumps(json, JSON_COMPACT) gives (codec_buf above), at
	 * a fraction of its cost: its loop check formats a key with
	 * snprintf and hashes it for every object and array, and that was
	 * most of the cost of encoding a reply.
	 */
	if (!json_is_object(json) && !json_is_array(json))
		return NULL;
	memset(&b, 0, sizeof(b));
	codec_buf_value(&b, json, 0);
	return codec_buf_take(&b, len_out);
}

/* Room for n more bytes and a NUL; the old buffer is wiped, not left. */
static bool
codec_buf_room(struct codec_buf *b, size_t n)
{
	char	*p;
	size_t	 cap;

	if (b->cb_failed)
		return false;
	if (n < b->cb_cap - b->cb_len)
		return true;
	if (n > SIZE_MAX / 4 - b->cb_len) {
		b->cb_failed = true;
		return false;
	}
	for (cap = b->cb_cap ? b->cb_cap : 256; cap <= b->cb_len + n; cap *= 2)
		;
	if ((p = malloc(cap)) == NULL) {
		b->cb_failed = true;
		return false;
	}
	if (b->cb_p != NULL) {
		memcpy(p, b->cb_p, b->cb_len);
		explicit_bzero(b->cb_p, b->cb_cap);
		free(b->cb_p);
	}
	b->cb_p = p;
	b->cb_cap = cap;
	return true;
}

void
codec_buf_raw(struct codec_buf *b, const char *s, size_t n)
{
	if (!codec_buf_room(b, n))
		return;
	memcpy(b->cb_p + b->cb_len, s, n);
	b->cb_len += n;
}

void
codec_buf_str(struct codec_buf *b, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*u = (const unsigned char *)s;
	char			 esc[6];
	size_t			 i, from = 0, elen;

	codec_buf_raw(b, "\"", 1);
	for (i = 0; i < n; i++) {
		if (u[i] >= 0x20 && u[i] != '"' && u[i] != '\\')
			continue;
		codec_buf_raw(b, s + from, i - from);
		from = i + 1;
		esc[0] = '\\';
		elen = 2;
		switch (u[i]) {
		case '"':	esc[1] = '"'; break;
		case '\\':	esc[1] = '\\'; break;
		case '\b':	esc[1] = 'b'; break;
		case '\f':	esc[1] = 'f'; break;
		case '\n':	esc[1] = 'n'; break;
		case '\r':	esc[1] = 'r'; break;
		case '\t':	esc[1] = 't'; break;
		default:
			/* As jansson: \u and four upper-case hex digits. */
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[u[i] >> 4];
			esc[5] = hex[u[i] & 0xf];
			elen = 6;
			break;
		}
		codec_buf_raw(b, esc, elen);
	}
	codec_buf_raw(b, s + from, n - from);
	codec_buf_raw(b, "\"", 1);
}

void
codec_buf_cstr(struct codec_buf *b, const char *s)
{
	if (s == NULL)
		b->cb_failed = true;
	else
		codec_buf_str(b, s, strlen(s));
}

void
codec_buf_int(struct codec_buf *b, long long v)
{
	char			 digits[24], *p = digits + sizeof(digits);
	unsigned long long	 u = v < 0 ? 0ULL - (unsigned long long)v :
				    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	codec_buf_raw(b, p, (size_t)(digits + sizeof(digits) - p));
}

char *
codec_buf_take(struct codec_buf *b, size_t *len_out)
{
	char	*p;

	if (!codec_buf_room(b, 0)) {
		codec_buf_wipe(b);
		return NULL;
	}
	p = b->cb_p;
	p[b->cb_len] = '\0';
	if (len_out != NULL)
		*len_out = b->cb_len;
	memset(b, 0, sizeof(*b));
	return p;
}

void
codec_buf_wipe(struct codec_buf *b)
{
	if (b->cb_p != NULL) {
		explicit_bzero(b->cb_p, b->cb_cap);
		free(b->cb_p);
	}
	memset(b, 0, sizeof(*b));
}
