/*
 * collectors.c — kiosks, links and invitation rounds: records, the
 * indexes intake resolves codes and slugs with, and the
 * /api/v1/collectors handlers.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/auth.h"
#include "api/codec.h"
#include "api/codes.h"
#include "api/collectors.h"
#include "api/handlers.h"
#include "api/intake.h"
#include "api/rec.h"
#include "api/surveys.h"
#include "api/units.h"
#include "common/util.h"
#include "storage/storage.h"

#define COLLECTORS_TAG_SLUG	'S'
#define COLLECTORS_TAG_ENROLL	'E'
/* Bytes of one formatted code in ci_codes. */
#define COLLECTORS_CODE_STRIDE	CODES_MAX_FORMATTED

static const char *const collectors_kinds[] = {
	[COLLECTORS_KIOSK] = "kiosk",
	[COLLECTORS_LINK] = "link",
	[COLLECTORS_INVITATION] = "invitation",
};

static const char *const collectors_members[] = {
	"survey", "unit", "kind", "count", "idle_reset_seconds", NULL
};

const char *
collectors_kind_name(enum collectors_kind kind)
{
	if ((unsigned)kind > COLLECTORS_INVITATION)
		return "?";
	return collectors_kinds[kind];
}

int
collectors_kind_parse(const char *s, enum collectors_kind *out)
{
	size_t	i;

	for (i = 0; i <= COLLECTORS_INVITATION; i++)
		if (strcmp(s, collectors_kinds[i]) == 0) {
			*out = (enum collectors_kind)i;
			return 0;
		}
	return -EINVAL;
}

static uint32_t
collectors_json_u32(const json_t *v)
{
	json_int_t	n;

	if (!json_is_integer(v))
		return 0;
	n = json_integer_value(v);
	return n > 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
}

static void
collectors_index_key(char tag, const uint8_t hash[AUTH_HASH_BYTES],
    uint8_t key[COLLECTORS_INDEX_KEYLEN])
{
	key[0] = (uint8_t)tag;
	memcpy(key + 1, hash, AUTH_HASH_BYTES);
}

static void
collectors_invite_key(uint32_t collector, const uint8_t hash[AUTH_HASH_BYTES],
    uint8_t key[COLLECTORS_INVITE_KEYLEN])
{
	rec_key(collector, key);
	memcpy(key + REC_IDLEN, hash, AUTH_HASH_BYTES);
}

/* RFC 3339 UTC, to the second. */
static void
collectors_time(int64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

/* ---------------------------------------------------------- lookups */

int
collectors_get(struct storage_txn *txn, uint32_t id, json_t **out)
{
	return rec_get(txn, STORAGE_DB_COLLECTORS, id, out);
}

int
collectors_by_slug(const struct api_ctx *ctx, struct storage_txn *txn,
    const char *slug, uint32_t *id_out)
{
	uint8_t		 hash[AUTH_HASH_BYTES], key[COLLECTORS_INDEX_KEYLEN];
	json_t		*ent = NULL;
	uint32_t	 id;
	int		 ret;

	if (!codes_slug_valid(slug))
		return -ENOENT;
	auth_hash(ctx, COLLECTORS_PURPOSE_SLUG, slug, strlen(slug), hash);
	collectors_index_key(COLLECTORS_TAG_SLUG, hash, key);
	if ((ret = rec_get_key(txn, STORAGE_DB_COLLECTORS, key, sizeof(key),
	    &ent)) != 0)
		return ret;
	id = collectors_json_u32(json_object_get(ent, "collector"));
	json_decref(ent);
	if (id == 0)
		return -EBADMSG;
	*id_out = id;
	return 0;
}

int
collectors_code_hash(const struct api_ctx *ctx, const char *purpose,
    const char *typed, uint8_t hash[AUTH_HASH_BYTES])
{
	char	norm[CODES_MAX_FORMATTED];
	size_t	len;
	int	rc;

	if (strcmp(purpose, COLLECTORS_PURPOSE_ENROLL) == 0)
		len = CODES_ENROLL_LEN;
	else if (strcmp(purpose, COLLECTORS_PURPOSE_INVITE) == 0)
		len = CODES_INVITE_LEN;
	else
		return -EINVAL;
	if ((rc = codes_normalize(typed, len, norm, sizeof(norm))) == 0)
		auth_hash(ctx, purpose, norm, len, hash);
	sodium_memzero(norm, sizeof(norm));
	return rc;
}

int
collectors_enroll_lookup(struct storage_txn *txn,
    const uint8_t hash[AUTH_HASH_BYTES], uint32_t *collector_out,
    int64_t *expires_out)
{
	uint8_t		 key[COLLECTORS_INDEX_KEYLEN];
	json_t		*ent = NULL;
	uint32_t	 id;
	json_t		*exp;
	int		 ret;

	collectors_index_key(COLLECTORS_TAG_ENROLL, hash, key);
	if ((ret = rec_get_key(txn, STORAGE_DB_COLLECTORS, key, sizeof(key),
	    &ent)) != 0)
		goto done;
	id = collectors_json_u32(json_object_get(ent, "collector"));
	exp = json_object_get(ent, "expires_at");
	if (id == 0 || !json_is_integer(exp)) {
		ret = -EBADMSG;
		goto done;
	}
	*collector_out = id;
	*expires_out = json_integer_value(exp);
	ret = 0;
done:
	json_decref(ent);
	return ret;
}

int
collectors_enroll_burn(struct storage_txn *txn,
    const uint8_t hash[AUTH_HASH_BYTES])
{
	uint8_t		 key[COLLECTORS_INDEX_KEYLEN];
	json_t		*rec = NULL;
	uint32_t	 id;
	int64_t		 expires;
	int		 ret;

	if ((ret = collectors_enroll_lookup(txn, hash, &id, &expires)) != 0)
		goto done;
	collectors_index_key(COLLECTORS_TAG_ENROLL, hash, key);
	if ((ret = storage_del(txn, STORAGE_DB_COLLECTORS, key, sizeof(key)))
	    != 0)
		goto done;
	if ((ret = collectors_get(txn, id, &rec)) != 0)
		goto done;
	json_object_del(rec, "enroll_hash");
	json_object_del(rec, "enroll_expires_at");
	if (json_object_set_new(rec, "enrolled", json_true()) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	ret = rec_put(txn, STORAGE_DB_COLLECTORS, id, rec);
done:
	json_decref(rec);
	return ret;
}

int
collectors_invitation_check(struct storage_txn *txn, uint32_t collector,
    const uint8_t hash[AUTH_HASH_BYTES], bool *used)
{
	uint8_t	 key[COLLECTORS_INVITE_KEYLEN];
	json_t	*ent = NULL;
	int	 ret;

	collectors_invite_key(collector, hash, key);
	if ((ret = rec_get_key(txn, STORAGE_DB_INVITATIONS, key, sizeof(key),
	    &ent)) != 0)
		return ret;
	*used = json_is_true(json_object_get(ent, "used"));
	json_decref(ent);
	return 0;
}

int
collectors_invitation_burn(struct storage_txn *txn, uint32_t collector,
    const uint8_t hash[AUTH_HASH_BYTES])
{
	uint8_t	 key[COLLECTORS_INVITE_KEYLEN];
	json_t	*rec = NULL, *ent = NULL;
	bool	 used;
	int	 ret;

	if ((ret = collectors_invitation_check(txn, collector, hash, &used))
	    != 0)
		goto done;
	if (used) {
		ret = -EALREADY;
		goto done;
	}
	collectors_invite_key(collector, hash, key);
	if ((ent = json_pack("{s:b}", "used", 1)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put_key(txn, STORAGE_DB_INVITATIONS, key, sizeof(key),
	    ent, 0)) != 0)
		goto done;
	if ((ret = collectors_get(txn, collector, &rec)) != 0)
		goto done;
	if (json_object_set_new(rec, "used", json_integer(
	    json_integer_value(json_object_get(rec, "used")) + 1)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	ret = rec_put(txn, STORAGE_DB_COLLECTORS, collector, rec);
done:
	json_decref(ent);
	json_decref(rec);
	return ret;
}

int
collectors_revoke_devices(struct storage_txn *txn, uint32_t collector)
{
	int	rc;

	/* A revoked kiosk's token stops working at the next request. */
	if ((rc = auth_revoke(txn, AUTH_DEVICE, collector, NULL)) != 0)
		return rc;
	/* And intake forgets which enrollment code it used. */
	return intake_forget_devices(txn, collector);
}

struct collectors_count_arg {
	uint32_t	cc_unit;
	size_t		cc_n;
};

static int
collectors_count_one(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct collectors_count_arg	*cc = arg;

	if (klen == REC_IDLEN &&
	    collectors_json_u32(json_object_get(obj, "unit")) == cc->cc_unit)
		cc->cc_n++;
	return 0;
}

int
collectors_count_at_unit(struct storage_txn *txn, uint32_t unit,
    size_t *n_out)
{
	struct collectors_count_arg	cc;
	int				rc;

	cc.cc_unit = unit;
	cc.cc_n = 0;
	if ((rc = rec_each(txn, STORAGE_DB_COLLECTORS, NULL, 0,
	    collectors_count_one, &cc)) != 0)
		return rc;
	*n_out = cc.cc_n;
	return 0;
}

/* ---------------------------------------------------------- issue */

const char *
collectors_issue_code(const struct collectors_issue *ci, size_t i)
{
	return ci->ci_codes + i * COLLECTORS_CODE_STRIDE;
}

void
collectors_issue_free(struct collectors_issue *ci)
{
	size_t	n;

	if (ci == NULL)
		return;
	n = ci->ci_count > 0 ? ci->ci_count : 1;
	if (ci->ci_codes != NULL) {
		/* Plain codes: only the reply may ever see them. */
		sodium_memzero(ci->ci_codes, n * COLLECTORS_CODE_STRIDE);
		free(ci->ci_codes);
	}
	free(ci->ci_hashes);
	sodium_memzero(ci, sizeof(*ci));
	free(ci);
}

static int
collectors_hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, AUTH_HASH_BYTES);
}

/* Draw n codes of len symbols and their hashes; no two alike. */
static int
collectors_draw(const struct api_ctx *ctx, struct collectors_issue *ci,
    size_t n, size_t len, size_t group, const char *purpose)
{
	uint8_t	*sorted = NULL;
	char	 norm[CODES_MAX_FORMATTED];
	char	*code;
	size_t	 i, tries;
	bool	 dup;
	int	 ret = -1;

	ci->ci_codes = calloc(n, COLLECTORS_CODE_STRIDE);
	ci->ci_hashes = calloc(n, AUTH_HASH_BYTES);
	sorted = calloc(n, AUTH_HASH_BYTES);
	if (ci->ci_codes == NULL || ci->ci_hashes == NULL || sorted == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	/* 59 bits per code: a repeat is a 1 in 10^10 event; redraw it. */
	for (tries = 0; tries < 4; tries++) {
		for (i = 0; i < n; i++) {
			code = ci->ci_codes + i * COLLECTORS_CODE_STRIDE;
			if ((ret = codes_generate(len, group, code,
			    COLLECTORS_CODE_STRIDE)) != 0 ||
			    (ret = codes_normalize(code, len, norm,
			    sizeof(norm))) != 0)
				goto done;
			auth_hash(ctx, purpose, norm, len,
			    ci->ci_hashes + i * AUTH_HASH_BYTES);
		}
		memcpy(sorted, ci->ci_hashes, n * AUTH_HASH_BYTES);
		qsort(sorted, n, AUTH_HASH_BYTES, collectors_hash_cmp);
		dup = false;
		for (i = 1; i < n && !dup; i++)
			dup = memcmp(sorted + (i - 1) * AUTH_HASH_BYTES,
			    sorted + i * AUTH_HASH_BYTES, AUTH_HASH_BYTES) == 0;
		if (!dup) {
			ret = 0;
			goto done;
		}
	}
	ret = -EAGAIN;
done:
	sodium_memzero(norm, sizeof(norm));
	free(sorted);
	return ret;
}

int
collectors_issue_new(const struct api_ctx *ctx, enum collectors_kind kind,
    uint32_t survey, uint32_t unit, size_t count, long long idle_reset,
    int64_t now, struct collectors_issue **out)
{
	struct collectors_issue	*ci = NULL;
	int			 ret = -1;

	if ((ci = calloc(1, sizeof(*ci))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ci->ci_kind = kind;
	ci->ci_survey = survey;
	ci->ci_unit = unit;
	switch (kind) {
	case COLLECTORS_KIOSK:
		ci->ci_idle_reset = idle_reset;
		ci->ci_expires = now + COLLECTORS_ENROLL_TTL;
		if ((ret = collectors_draw(ctx, ci, 1, CODES_ENROLL_LEN,
		    CODES_ENROLL_GROUP, COLLECTORS_PURPOSE_ENROLL)) != 0)
			goto done;
		break;
	case COLLECTORS_INVITATION:
		if (count < 1 || count > COLLECTORS_INVITE_MAX) {
			ret = -EINVAL;
			goto done;
		}
		ci->ci_count = count;
		if ((ret = collectors_draw(ctx, ci, count, CODES_INVITE_LEN,
		    CODES_INVITE_GROUP, COLLECTORS_PURPOSE_INVITE)) != 0)
			goto done;
		/* An invitation round has a form too. */
		/* FALLTHROUGH */
	case COLLECTORS_LINK:
		if ((ret = codes_slug(ci->ci_slug, sizeof(ci->ci_slug))) != 0)
			goto done;
		auth_hash(ctx, COLLECTORS_PURPOSE_SLUG, ci->ci_slug,
		    strlen(ci->ci_slug), ci->ci_slug_hash);
		break;
	default:
		ret = -EINVAL;
		goto done;
	}
	*out = ci;
	ci = NULL;
	ret = 0;
done:
	collectors_issue_free(ci);
	return ret;
}

/* ---------------------------------------------------------- create */

static json_t *
collectors_record(uint32_t id, const struct collectors_issue *ci)
{
	char	 day[16], hex[AUTH_HASH_BYTES * 2 + 1];
	json_t	*rec;

	if (util_format_date(util_today(), day, sizeof(day)) != 0)
		return NULL;
	rec = json_pack("{s:I, s:s, s:I, s:I, s:s}", "id", (json_int_t)id,
	    "kind", collectors_kind_name(ci->ci_kind), "survey",
	    (json_int_t)ci->ci_survey, "unit", (json_int_t)ci->ci_unit,
	    "created", day);
	if (rec == NULL)
		return NULL;
	switch (ci->ci_kind) {
	case COLLECTORS_KIOSK:
		sodium_bin2hex(hex, sizeof(hex), ci->ci_hashes,
		    AUTH_HASH_BYTES);
		if (json_object_set_new(rec, "idle_reset_seconds",
		    ci->ci_idle_reset > 0 ? json_integer(ci->ci_idle_reset) :
		    json_null()) != 0 ||
		    json_object_set_new(rec, "enroll_hash",
		    json_string(hex)) != 0 ||
		    json_object_set_new(rec, "enroll_expires_at",
		    json_integer(ci->ci_expires)) != 0 ||
		    json_object_set_new(rec, "enrolled", json_false()) != 0)
			goto fail;
		break;
	case COLLECTORS_INVITATION:
		if (json_object_set_new(rec, "issued",
		    json_integer((json_int_t)ci->ci_count)) != 0 ||
		    json_object_set_new(rec, "used", json_integer(0)) != 0)
			goto fail;
		/* FALLTHROUGH */
	case COLLECTORS_LINK:
		if (json_object_set_new(rec, "slug",
		    json_string(ci->ci_slug)) != 0)
			goto fail;
		break;
	}
	return rec;
fail:
	json_decref(rec);
	return NULL;
}

/* Put an index entry {"collector": id, ...more} that must be new. */
static int
collectors_put_index(struct storage_txn *txn, char tag,
    const uint8_t hash[AUTH_HASH_BYTES], uint32_t id, int64_t expires)
{
	uint8_t	 key[COLLECTORS_INDEX_KEYLEN];
	json_t	*ent;
	int	 rc;

	collectors_index_key(tag, hash, key);
	if (expires != 0)
		ent = json_pack("{s:I, s:I}", "collector", (json_int_t)id,
		    "expires_at", (json_int_t)expires);
	else
		ent = json_pack("{s:I}", "collector", (json_int_t)id);
	if (ent == NULL)
		return -ENOMEM;
	rc = rec_put_key(txn, STORAGE_DB_COLLECTORS, key, sizeof(key), ent,
	    STORAGE_NOOVERWRITE);
	json_decref(ent);
	return rc;
}

int
collectors_create(struct storage_txn *txn, const struct collectors_issue *ci,
    uint32_t *id_out, struct api_err *err)
{
	uint8_t		 key[COLLECTORS_INVITE_KEYLEN];
	json_t		*rec = NULL, *unused = NULL;
	uint32_t	 id;
	size_t		 i;
	int		 ret;

	ret = surveys_get(txn, ci->ci_survey, &rec);
	json_decref(rec);
	rec = NULL;
	if (ret == -ENOENT) {
		ret = api_err_set(err, APIE_INVALID, "survey",
		    "there is no survey %u", ci->ci_survey);
		goto done;
	} else if (ret != 0)
		goto done;
	ret = units_get(txn, ci->ci_unit, &rec);
	json_decref(rec);
	rec = NULL;
	if (ret == -ENOENT) {
		ret = api_err_set(err, APIE_INVALID, "unit",
		    "there is no unit %u", ci->ci_unit);
		goto done;
	} else if (ret != 0)
		goto done;
	if ((ret = storage_next_id(txn, "collector", &id)) != 0)
		goto done;
	if ((rec = collectors_record(id, ci)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_COLLECTORS, id, rec)) != 0)
		goto done;
	switch (ci->ci_kind) {
	case COLLECTORS_KIOSK:
		ret = collectors_put_index(txn, COLLECTORS_TAG_ENROLL,
		    ci->ci_hashes, id, ci->ci_expires);
		break;
	case COLLECTORS_INVITATION:
		if ((unused = json_pack("{s:b}", "used", 0)) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		for (i = 0; i < ci->ci_count; i++) {
			collectors_invite_key(id, ci->ci_hashes +
			    i * AUTH_HASH_BYTES, key);
			if ((ret = rec_put_key(txn, STORAGE_DB_INVITATIONS, key,
			    sizeof(key), unused, STORAGE_NOOVERWRITE)) != 0)
				goto done;
		}
		/* FALLTHROUGH */
	case COLLECTORS_LINK:
		ret = collectors_put_index(txn, COLLECTORS_TAG_SLUG,
		    ci->ci_slug_hash, id, 0);
		break;
	}
	if (ret != 0)
		goto done;
	*id_out = id;
	ret = 0;
done:
	json_decref(rec);
	json_decref(unused);
	return ret;
}

/* ---------------------------------------------------------- views */

/* A record as callers see it: no hashes. */
static json_t *
collectors_view(const json_t *rec)
{
	static const char *const copy[] = {
		"id", "kind", "survey", "unit", "created",
		"idle_reset_seconds", "enrolled", "issued", "used", "slug",
		NULL
	};
	char		 when[32], url[64];
	const char	*slug;
	json_t		*out, *v;
	size_t		 i;

	if ((out = json_object()) == NULL)
		return NULL;
	for (i = 0; copy[i] != NULL; i++)
		if ((v = json_object_get(rec, copy[i])) != NULL &&
		    json_object_set(out, copy[i], v) != 0)
			goto fail;
	if ((slug = json_string_value(json_object_get(rec, "slug"))) != NULL) {
		snprintf(url, sizeof(url), "/f/%s", slug);
		if (json_object_set_new(out, "url", json_string(url)) != 0)
			goto fail;
	}
	if ((v = json_object_get(rec, "enroll_expires_at")) != NULL) {
		collectors_time(json_integer_value(v), when, sizeof(when));
		if (json_object_set_new(out, "enrollment_expires_at",
		    json_string(when)) != 0)
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* The creation reply: the view, and the codes shown this once. */
static json_t *
collectors_issue_view(const json_t *rec, const struct collectors_issue *ci)
{
	char	 when[32], url[64];
	json_t	*out, *codes = NULL;
	size_t	 i;

	if ((out = collectors_view(rec)) == NULL)
		return NULL;
	switch (ci->ci_kind) {
	case COLLECTORS_KIOSK:
		collectors_time(ci->ci_expires, when, sizeof(when));
		snprintf(url, sizeof(url), "/kiosk/?code=%s",
		    collectors_issue_code(ci, 0));
		if (json_object_set_new(out, "enrollment_code",
		    json_string(collectors_issue_code(ci, 0))) != 0 ||
		    json_object_set_new(out, "expires_at",
		    json_string(when)) != 0 ||
		    json_object_set_new(out, "kiosk_url",
		    json_string(url)) != 0)
			goto fail;
		break;
	case COLLECTORS_INVITATION:
		if ((codes = json_array()) == NULL)
			goto fail;
		for (i = 0; i < ci->ci_count; i++)
			if (json_array_append_new(codes, json_string(
			    collectors_issue_code(ci, i))) != 0)
				goto fail;
		if (json_object_set_new(out, "codes", codes) != 0) {
			codes = NULL;
			goto fail;
		}
		codes = NULL;
		break;
	case COLLECTORS_LINK:
		break;
	}
	return out;
fail:
	json_decref(codes);
	json_decref(out);
	return NULL;
}

/* ---------------------------------------------------------- reads */

struct collectors_list_arg {
	const struct units_tree		*cl_tree;
	const struct api_principal	*cl_who;
	uint32_t			 cl_survey;
	uint32_t			 cl_unit;
	json_t				*cl_out;
};

static int
collectors_list_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct collectors_list_arg	*cl = arg;
	uint32_t			 unit;

	if (klen != REC_IDLEN)
		return 0;
	unit = collectors_json_u32(json_object_get(rec, "unit"));
	if (!units_visible(cl->cl_tree, cl->cl_who, unit) &&
	    cl->cl_who->pr_role != API_ROLE_ADMIN)
		return 0;
	if (cl->cl_survey != 0 && collectors_json_u32(json_object_get(rec,
	    "survey")) != cl->cl_survey)
		return 0;
	if (cl->cl_unit != 0 && unit != cl->cl_unit)
		return 0;
	return json_array_append_new(cl->cl_out, collectors_view(rec)) == 0 ?
	    0 : -ENOMEM;
}

/* An optional id in the query: 0 when absent; -EINVAL replied. */
static int
collectors_query_id(struct api_req *req, const char *name, uint32_t *out)
{
	char		*s = NULL;
	long long	 v;
	int		 rc;

	*out = 0;
	if ((rc = api_query_get(req, name, &s)) == -ENOENT)
		return 0;
	if (rc != 0 || util_parse_ll(s, 1, UINT32_MAX, &v) != 0) {
		free(s);
		api_reply_errorf(req, APIE_BAD_REQUEST, name,
		    "'%s' must be a positive whole number", name);
		return -EINVAL;
	}
	free(s);
	*out = (uint32_t)v;
	return 0;
}

void
collectors_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn		*txn = NULL;
	struct units_tree		*tree = NULL;
	struct collectors_list_arg	 cl;
	int				 rc;

	memset(&cl, 0, sizeof(cl));
	if (collectors_query_id(req, "survey", &cl.cl_survey) != 0 ||
	    collectors_query_id(req, "unit", &cl.cl_unit) != 0)
		return;
	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((rc = units_tree_load(txn, &tree)) != 0)
		goto done;
	if (cl.cl_unit != 0 && req->rq_who.pr_role != API_ROLE_ADMIN &&
	    !units_visible(tree, &req->rq_who, cl.cl_unit)) {
		rc = 1;
		api_reply_errorf(req, APIE_FORBIDDEN, "unit",
		    "unit %u is outside your units", cl.cl_unit);
		goto done;
	}
	if ((cl.cl_out = json_array()) == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	cl.cl_tree = tree;
	cl.cl_who = &req->rq_who;
	rc = rec_each(txn, STORAGE_DB_COLLECTORS, NULL, 0, collectors_list_one,
	    &cl);
done:
	storage_txn_abort(txn);
	units_tree_free(tree);
	if (rc == 0) {
		api_reply_json(req, 200, json_pack("{s:o}", "collectors",
		    cl.cl_out));
		return;
	}
	json_decref(cl.cl_out);
	if (rc < 0)
		api_reply_errno(req, rc);
}

void
collectors_show(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	struct units_tree	*tree = NULL;
	json_t			*rec = NULL;
	uint32_t		 id;
	bool			 visible = false;
	int			 rc;

	if (api_path_id(req, "collector", &id) != 0)
		return;

	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((rc = units_tree_load(txn, &tree)) == 0 &&
	    (rc = collectors_get(txn, id, &rec)) == 0)
		visible = units_visible(tree, &req->rq_who,
		    collectors_json_u32(json_object_get(rec, "unit")));
	storage_txn_abort(txn);
	units_tree_free(tree);
	/* A manager learns nothing of collectors outside their units. */
	if (req->rq_who.pr_role != API_ROLE_ADMIN && (rc == -ENOENT ||
	    (rc == 0 && !visible)))
		api_reply_errorf(req, APIE_FORBIDDEN, NULL,
		    "collector %u is outside your units", id);
	else if (rc == -ENOENT)
		api_reply_errorf(req, APIE_NOT_FOUND, NULL, "no collector %u",
		    id);
	else if (rc != 0)
		api_reply_errno(req, rc);
	else
		api_reply_json(req, 200, collectors_view(rec));
	json_decref(rec);
}

/* ---------------------------------------------------------- writes */

static void
collectors_data_free(void *data)
{
	collectors_issue_free(data);
}

static int
collectors_apply_create(struct storage_txn *txn, struct adminjob *job)
{
	struct collectors_issue	*ci = job->aj_data;
	json_t			*rec = NULL;
	uint32_t		 id;
	int			 ret;

	if ((ret = collectors_create(txn, ci, &id, &job->aj_err)) != 0)
		goto done;
	if ((ret = collectors_get(txn, id, &rec)) != 0)
		goto done;
	if ((job->aj_out = collectors_issue_view(rec, ci)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	job->aj_status = 201;
	ret = adminjob_audit(txn, job, "collector.create",
	    json_pack("{s:I, s:s, s:I, s:I, s:I}", "collector", (json_int_t)id,
	    "kind", collectors_kind_name(ci->ci_kind), "survey",
	    (json_int_t)ci->ci_survey, "unit", (json_int_t)ci->ci_unit,
	    "codes", (json_int_t)ci->ci_count));
done:
	json_decref(rec);
	return ret;
}

/* The invitation round as CSV for printing: a header, one code a row. */
static void
collectors_reply_csv(struct adminjob *job)
{
	struct collectors_issue	*ci = job->aj_data;
	const char		*url;
	char			*body = NULL, disp[96];
	size_t			 i, cap, len = 0, urllen;
	int			 n;

	url = json_string_value(json_object_get(job->aj_out, "url"));
	urllen = url != NULL ? strlen(url) : 0;
	cap = 16 + ci->ci_count * (COLLECTORS_CODE_STRIDE + urllen + 4);
	if ((body = malloc(cap)) == NULL) {
		api_reply_errorf(job->aj_req, APIE_INTERNAL, NULL,
		    "out of memory");
		return;
	}
	n = snprintf(body, cap, "code,url\r\n");
	len = (size_t)n;
	for (i = 0; i < ci->ci_count; i++) {
		n = snprintf(body + len, cap - len, "%s,%s\r\n",
		    collectors_issue_code(ci, i), url != NULL ? url : "");
		if (n < 0 || (size_t)n >= cap - len) {
			free(body);
			api_reply_errorf(job->aj_req, APIE_INTERNAL, NULL,
			    "CSV buffer too small");
			return;
		}
		len += (size_t)n;
	}
	snprintf(disp, sizeof(disp),
	    "attachment; filename=\"invitations-%lld.csv\"",
	    (long long)json_integer_value(json_object_get(job->aj_out, "id")));
	api_reply_raw(job->aj_req, 201, "text/csv; charset=utf-8", body, len,
	    "Content-Disposition", disp, (const char *)NULL);
}

/* ?format=json (the default) or csv; -EINVAL replied. */
static int
collectors_format(struct api_req *req, bool *csv)
{
	char	*s = NULL;
	int	 rc;

	*csv = false;
	if ((rc = api_query_get(req, "format", &s)) == -ENOENT)
		return 0;
	if (rc == 0 && strcmp(s, "csv") == 0)
		*csv = true;
	else if (rc != 0 || strcmp(s, "json") != 0) {
		free(s);
		api_reply_errorf(req, APIE_BAD_REQUEST, "format",
		    "'format' must be json or csv");
		return -EINVAL;
	}
	free(s);
	return 0;
}

static int
collectors_parse(const struct api_req *req, enum collectors_kind *kind,
    long long *survey, long long *unit, long long *count,
    long long *idle_reset, struct api_err *err)
{
	const char	*kname = NULL;
	json_t		*in = NULL;
	int		 rc;

	*count = 0;
	*idle_reset = 0;
	if ((rc = adminjob_parse(req, collectors_members, &in, err)) != 0)
		goto done;
	if ((rc = codec_int(in, "survey", true, 1, UINT32_MAX, survey,
	    err)) != 0 ||
	    (rc = codec_int(in, "unit", true, 1, UINT32_MAX, unit, err)) != 0 ||
	    (rc = codec_str(in, "kind", true, 16, &kname, err)) != 0)
		goto done;
	if (collectors_kind_parse(kname, kind) != 0) {
		rc = api_err_set(err, APIE_INVALID, "kind",
		    "'kind' must be kiosk, link or invitation");
		goto done;
	}
	if (*kind == COLLECTORS_INVITATION)
		rc = codec_int(in, "count", true, 1, COLLECTORS_INVITE_MAX,
		    count, err);
	else if (json_object_get(in, "count") != NULL)
		rc = api_err_set(err, APIE_INVALID, "count",
		    "only an invitation round has a count");
	if (rc != 0)
		goto done;
	if (*kind == COLLECTORS_KIOSK)
		rc = codec_int(in, "idle_reset_seconds", false, 5, 600,
		    idle_reset, err);
	else if (json_object_get(in, "idle_reset_seconds") != NULL)
		rc = api_err_set(err, APIE_INVALID, "idle_reset_seconds",
		    "only a kiosk has an idle reset");
done:
	json_decref(in);
	return rc;
}

void
collectors_post(struct api_ctx *ctx, struct api_req *req)
{
	struct collectors_issue	*ci = NULL;
	struct adminjob		*job = NULL;
	struct api_err		 err;
	enum collectors_kind	 kind = COLLECTORS_LINK;
	long long		 survey = 0, unit = 0, count = 0, idle = 0;
	bool			 csv;
	int			 rc;

	memset(&err, 0, sizeof(err));
	if (collectors_format(req, &csv) != 0)
		return;
	if (collectors_parse(req, &kind, &survey, &unit, &count, &idle,
	    &err) != 0) {
		if (err.ae_code == APIE_NONE)
			api_err_set(&err, APIE_INTERNAL, NULL, "out of memory");
		api_reply_error(req, &err);
		return;
	}
	if (csv && kind != COLLECTORS_INVITATION) {
		api_reply_errorf(req, APIE_BAD_REQUEST, "format",
		    "only an invitation round comes as CSV");
		return;
	}
	if ((rc = collectors_issue_new(ctx, kind, (uint32_t)survey,
	    (uint32_t)unit, (size_t)count, idle, auth_now(), &ci)) != 0) {
		api_reply_errno(req, rc);
		return;
	}
	if ((job = adminjob_new(ctx, req, collectors_apply_create)) == NULL) {
		collectors_issue_free(ci);
		api_reply_errorf(req, APIE_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_data = ci;
	job->aj_data_free = collectors_data_free;
	if (csv)
		job->aj_reply = collectors_reply_csv;
	adminjob_submit(job);
}

/* Keys of a collector's invitation codes, gathered before deleting. */
static int
collectors_delete_codes(struct storage_txn *txn, uint32_t id)
{
	struct storage_iter	*it = NULL;
	uint8_t			 prefix[REC_IDLEN], *keys = NULL, *grown;
	const void		*key, *val;
	size_t			 klen, vlen, n = 0, cap = 0, i;
	int			 ret;

	rec_key(id, prefix);
	if ((ret = storage_iter_new(txn, STORAGE_DB_INVITATIONS, prefix,
	    sizeof(prefix), &it)) != 0)
		goto done;
	while ((ret = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		if (klen != COLLECTORS_INVITE_KEYLEN)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((grown = realloc(keys, cap *
			    COLLECTORS_INVITE_KEYLEN)) == NULL) {
				ret = -ENOMEM;
				goto done;
			}
			keys = grown;
		}
		memcpy(keys + n * COLLECTORS_INVITE_KEYLEN, key, klen);
		n++;
	}
	if (ret != -ENOENT)
		goto done;
	storage_iter_free(it);
	it = NULL;
	for (i = 0; i < n; i++)
		if ((ret = storage_del(txn, STORAGE_DB_INVITATIONS,
		    keys + i * COLLECTORS_INVITE_KEYLEN,
		    COLLECTORS_INVITE_KEYLEN)) != 0)
			goto done;
	ret = 0;
done:
	storage_iter_free(it);
	free(keys);
	return ret;
}

/* Delete an index entry named by its hash's hex in the record. */
static int
collectors_delete_index(struct storage_txn *txn, char tag,
    const uint8_t hash[AUTH_HASH_BYTES])
{
	uint8_t	key[COLLECTORS_INDEX_KEYLEN];
	int	rc;

	collectors_index_key(tag, hash, key);
	rc = storage_del(txn, STORAGE_DB_COLLECTORS, key, sizeof(key));
	return rc == -ENOENT ? 0 : rc;
}

static int
collectors_apply_delete(struct storage_txn *txn, struct adminjob *job)
{
	const struct api_ctx	*ctx = job->aj_ctx;
	uint8_t			 hash[AUTH_HASH_BYTES];
	const char		*s;
	json_t			*rec = NULL;
	size_t			 hlen;
	int			 ret;

	if ((ret = collectors_get(txn, job->aj_id, &rec)) != 0)
		goto done;
	if ((s = json_string_value(json_object_get(rec, "slug"))) != NULL) {
		auth_hash(ctx, COLLECTORS_PURPOSE_SLUG, s, strlen(s), hash);
		if ((ret = collectors_delete_index(txn, COLLECTORS_TAG_SLUG,
		    hash)) != 0)
			goto done;
	}
	if ((s = json_string_value(json_object_get(rec, "enroll_hash"))) !=
	    NULL && sodium_hex2bin(hash, sizeof(hash), s, strlen(s), NULL,
	    &hlen, NULL) == 0 && hlen == sizeof(hash) &&
	    (ret = collectors_delete_index(txn, COLLECTORS_TAG_ENROLL, hash))
	    != 0)
		goto done;
	if ((ret = collectors_delete_codes(txn, job->aj_id)) != 0 ||
	    (ret = collectors_revoke_devices(txn, job->aj_id)) != 0 ||
	    (ret = rec_del(txn, STORAGE_DB_COLLECTORS, job->aj_id)) != 0)
		goto done;
	job->aj_status = 204;
	ret = adminjob_audit(txn, job, "collector.delete",
	    json_pack("{s:I, s:O}", "collector", (json_int_t)job->aj_id,
	    "kind", json_object_get(rec, "kind")));
done:
	json_decref(rec);
	return ret;
}

void
collectors_delete(struct api_ctx *ctx, struct api_req *req)
{
	struct adminjob	*job;
	uint32_t	 id;

	if (api_path_id(req, "collector", &id) != 0)
		return;

	if ((job = adminjob_new(ctx, req, collectors_apply_delete)) == NULL) {
		api_reply_errorf(req, APIE_INTERNAL, NULL, "out of memory");
		return;
	}
	job->aj_id = id;
	adminjob_submit(job);
}
