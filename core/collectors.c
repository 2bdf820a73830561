/*
 * collectors.c — kiosks, links and invitation rounds: records, their
 * codes, and the indexes intake resolves codes and slugs with.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/codec.h"
#include "common/util.h"
#include "core/auth.h"
#include "core/catalog.h"
#include "core/codes.h"
#include "core/collectors.h"
#include "core/intake.h"
#include "core/rec.h"
#include "core/release.h"
#include "core/units.h"
#include "storage/storage.h"

#define COLLECTORS_TAG_SLUG	'S'
#define COLLECTORS_TAG_ENROLL	'E'

static const char *const collectors_kinds[] = {
	[COLLECTORS_KIOSK] = "kiosk",
	[COLLECTORS_LINK] = "link",
	[COLLECTORS_INVITATION] = "invitation",
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

/* ---------------------------------------------------------- lookups */

int
collectors_get(struct storage_txn *txn, uint32_t id, json_t **out)
{
	return rec_get(txn, STORAGE_DB_COLLECTORS, id, out);
}

int
collectors_by_slug(const uint8_t *hash_key, struct storage_txn *txn,
    const char *slug, uint32_t *id_out)
{
	uint8_t		 hash[AUTH_HASH_BYTES], key[COLLECTORS_INDEX_KEYLEN];
	json_t		*ent = NULL;
	uint32_t	 id;
	int		 ret;

	if (!codes_slug_valid(slug))
		return -ENOENT;
	auth_hash(hash_key, COLLECTORS_PURPOSE_SLUG, slug, strlen(slug), hash);
	collectors_index_key(COLLECTORS_TAG_SLUG, hash, key);
	if ((ret = rec_get_key(txn, STORAGE_DB_COLLECTORS, key, sizeof(key),
	    &ent)) != 0)
		return ret;
	id = codec_u32(json_object_get(ent, "collector"));
	json_decref(ent);
	if (id == 0)
		return -EBADMSG;
	*id_out = id;
	return 0;
}

int
collectors_code_hash(const uint8_t *hash_key, const char *purpose,
    const char *typed, uint8_t hash[AUTH_HASH_BYTES])
{
	char	norm[CODES_MAX_FORMATTED];
	int	rc;

	if (strcmp(purpose, COLLECTORS_PURPOSE_ENROLL) != 0)
		return -EINVAL;
	if ((rc = codes_normalize(typed, CODES_ENROLL_LEN, norm,
	    sizeof(norm))) == 0)
		auth_hash(hash_key, purpose, norm, CODES_ENROLL_LEN, hash);
	sodium_memzero(norm, sizeof(norm));
	return rc;
}

int
collectors_invite_hash(const uint8_t *hash_key, bool checked,
    const char *typed, uint8_t hash[AUTH_HASH_BYTES])
{
	char	norm[CODES_MAX_FORMATTED];
	size_t	len = checked ? CODES_INVITE_FULL_LEN : CODES_INVITE_LEN;
	int	rc;

	if ((rc = codes_normalize(typed, len, norm, sizeof(norm))) != 0)
		goto done;
	if (checked && !codes_check_ok(norm, len)) {
		rc = -EILSEQ;
		goto done;
	}
	auth_hash(hash_key, COLLECTORS_PURPOSE_INVITE, norm, len, hash);
done:
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
	id = codec_u32(json_object_get(ent, "collector"));
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

/*
 * Whether an invitation code is used. Static on purpose: only the burn,
 * in the transaction that stores a response, ever asks (collectors.h).
 */
static int
collectors_invitation_used(struct storage_txn *txn, uint32_t collector,
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

	if ((ret = collectors_invitation_used(txn, collector, hash, &used))
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
	const char	*cc_member;	/* "unit" or "survey" */
	uint32_t	 cc_id;
	size_t		 cc_n;
};

static int
collectors_count_one(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct collectors_count_arg	*cc = arg;

	if (klen == REC_IDLEN &&
	    codec_u32(json_object_get(obj, cc->cc_member)) == cc->cc_id)
		cc->cc_n++;
	return 0;
}

/* The collectors whose member is id: a scan (a few hundred at most). */
static int
collectors_count(struct storage_txn *txn, const char *member, uint32_t id,
    size_t *n_out)
{
	struct collectors_count_arg	cc;
	int				rc;

	cc.cc_member = member;
	cc.cc_id = id;
	cc.cc_n = 0;
	if ((rc = rec_each(txn, STORAGE_DB_COLLECTORS, NULL, 0,
	    collectors_count_one, &cc)) != 0)
		return rc;
	*n_out = cc.cc_n;
	return 0;
}

int
collectors_count_at_unit(struct storage_txn *txn, uint32_t unit,
    size_t *n_out)
{
	return collectors_count(txn, "unit", unit, n_out);
}

int
collectors_count_of_survey(struct storage_txn *txn, uint32_t survey,
    size_t *n_out)
{
	return collectors_count(txn, "survey", survey, n_out);
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

/*
 * Draw n codes of len symbols (the last a check symbol when checked) and
 * their hashes; no two alike.
 */
static int
collectors_draw(const uint8_t *hash_key, struct collectors_issue *ci,
    size_t n, size_t len, size_t group, bool checked, const char *purpose)
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
			if ((ret = checked ? codes_generate_checked(len,
			    group, code, COLLECTORS_CODE_STRIDE) :
			    codes_generate(len, group, code,
			    COLLECTORS_CODE_STRIDE)) != 0 ||
			    (ret = codes_normalize(code, len, norm,
			    sizeof(norm))) != 0)
				goto done;
			auth_hash(hash_key, purpose, norm, len,
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
collectors_issue_new(const uint8_t *hash_key, enum collectors_kind kind,
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
		if ((ret = collectors_draw(hash_key, ci, 1, CODES_ENROLL_LEN,
		    CODES_ENROLL_GROUP, false, COLLECTORS_PURPOSE_ENROLL)) != 0)
			goto done;
		break;
	case COLLECTORS_INVITATION:
		if (count < 1 || count > COLLECTORS_INVITE_MAX) {
			ret = -EINVAL;
			goto done;
		}
		ci->ci_count = count;
		if ((ret = collectors_draw(hash_key, ci, count,
		    CODES_INVITE_FULL_LEN, CODES_INVITE_GROUP, true,
		    COLLECTORS_PURPOSE_INVITE)) != 0)
			goto done;
		/* An invitation round has a form too. */
		/* FALLTHROUGH */
	case COLLECTORS_LINK:
		if ((ret = codes_slug(ci->ci_slug, sizeof(ci->ci_slug))) != 0)
			goto done;
		auth_hash(hash_key, COLLECTORS_PURPOSE_SLUG, ci->ci_slug,
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
	if (ci->ci_name[0] != '\0' && json_object_set_new(rec, "name",
	    json_string(ci->ci_name)) != 0)
		goto fail;
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
		    json_object_set_new(rec, "used", json_integer(0)) != 0 ||
		    json_object_set_new(rec, "code_check", json_true()) != 0)
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
    uint32_t *id_out, struct error *err)
{
	uint8_t		 key[COLLECTORS_INVITE_KEYLEN];
	json_t		*rec = NULL, *unused = NULL;
	uint32_t	 id;
	size_t		 i;
	int		 ret;

	/* From now on anyone may answer it: catalog.h says what that fixes. */
	ret = catalog_mark_open(txn, ci->ci_survey);
	if (ret == -ENOENT) {
		ret = error_set(err, ERR_INVALID, "survey",
		    "there is no survey %u", ci->ci_survey);
		goto done;
	} else if (ret != 0)
		goto done;
	ret = units_get(txn, ci->ci_unit, &rec);
	json_decref(rec);
	rec = NULL;
	if (ret == -ENOENT) {
		ret = error_set(err, ERR_INVALID, "unit",
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

/* An invitation code of the collector whose ids prefix the walk. */
static int
collectors_pick_code(const void *key, size_t klen, const void *val,
    size_t vlen, void *arg)
{
	(void)key;
	(void)val;
	(void)vlen;
	(void)arg;
	return klen == COLLECTORS_INVITE_KEYLEN ? STORAGE_PICK_DELETE :
	    STORAGE_PICK_KEEP;
}

static int
collectors_delete_codes(struct storage_txn *txn, uint32_t id)
{
	uint8_t	prefix[REC_IDLEN];

	rec_key(id, prefix);
	return storage_del_prefix(txn, STORAGE_DB_INVITATIONS, prefix,
	    sizeof(prefix), collectors_pick_code, NULL, SIZE_MAX, NULL, NULL);
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

int
collectors_used_released(struct storage_txn *txn, const json_t *rec,
    struct catalog_k *memo, uint32_t *out)
{
	json_int_t	used;
	uint32_t	k;
	int		rc;

	used = json_integer_value(json_object_get(rec, "used"));
	if (used < 0 || used > UINT32_MAX)
		return -EBADMSG;
	if ((rc = catalog_k(txn, codec_u32(json_object_get(rec, "survey")), 0,
	    memo, &k)) != 0)
		return rc;
	*out = release_count((uint32_t)used, k);
	return 0;
}

int
collectors_remove(struct storage_txn *txn, const uint8_t *hash_key,
    uint32_t id, json_t **rec_out)
{
	uint8_t		 hash[AUTH_HASH_BYTES];
	const char	*s;
	json_t		*rec = NULL;
	size_t		 hlen;
	int		 ret;

	if ((ret = collectors_get(txn, id, &rec)) != 0)
		goto done;
	if ((s = json_string_value(json_object_get(rec, "slug"))) != NULL) {
		auth_hash(hash_key, COLLECTORS_PURPOSE_SLUG, s, strlen(s),
		    hash);
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
	if ((ret = collectors_delete_codes(txn, id)) != 0 ||
	    (ret = collectors_revoke_devices(txn, id)) != 0 ||
	    (ret = rec_del(txn, STORAGE_DB_COLLECTORS, id)) != 0)
		goto done;
	*rec_out = rec;
	rec = NULL;
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

int
collectors_check_name(const json_t *v, struct error *err)
{
	const char	*s, *p;
	bool		 blank = true;
	size_t		 len;

	if (!json_is_string(v))
		return error_set(err, ERR_WRONG_TYPE, "name",
		    "'name' must be a string");
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0 || len > COLLECTORS_NAME_MAX)
		return error_set(err, ERR_INVALID, "name", "'name' must be 1 "
		    "to %d bytes", COLLECTORS_NAME_MAX);
	for (p = s; p < s + len; p++) {
		/* jansson has checked the UTF-8; NUL would end it early. */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return error_set(err, ERR_INVALID, "name",
			    "'name' must not hold control characters");
		if (*p != ' ')
			blank = false;
	}
	if (blank)
		return error_set(err, ERR_INVALID, "name",
		    "'name' must not be blank");
	return 0;
}

/*
 * Set member key of collector id's record rec to value (stolen; NULL
 * removes it) and store the record. rec is the caller's.
 */
static int
collectors_rec_set(struct storage_txn *txn, uint32_t id, json_t *rec,
    const char *key, json_t *value)
{
	if (value == NULL)
		(void)json_object_del(rec, key);
	else if (json_object_set_new(rec, key, value) != 0)
		return -ENOMEM;
	return rec_put(txn, STORAGE_DB_COLLECTORS, id, rec);
}

int
collectors_rename(struct storage_txn *txn, uint32_t id, const char *name)
{
	json_t	*rec = NULL;
	int	 ret;

	if ((ret = collectors_get(txn, id, &rec)) == 0)
		ret = collectors_rec_set(txn, id, rec, "name", name[0] ==
		    '\0' ? NULL : json_string(name));
	json_decref(rec);
	return ret;
}

/* The kiosk record of id, or -EINVAL for another kind. */
static int
collectors_get_kiosk(struct storage_txn *txn, uint32_t id, json_t **out)
{
	json_t	*rec = NULL;
	int	 ret;

	if ((ret = collectors_get(txn, id, &rec)) != 0)
		goto done;
	if (strcmp(json_string_value(json_object_get(rec, "kind")) ?
	    json_string_value(json_object_get(rec, "kind")) : "",
	    collectors_kind_name(COLLECTORS_KIOSK)) != 0) {
		ret = -EINVAL;
		goto done;
	}
	*out = rec;
	rec = NULL;
done:
	json_decref(rec);
	return ret;
}

/* Drop a kiosk record's pending enrollment code, if it has one. */
static int
collectors_drop_enroll(struct storage_txn *txn, const json_t *rec)
{
	uint8_t		 hash[AUTH_HASH_BYTES];
	const char	*s;
	size_t		 hlen;

	if ((s = json_string_value(json_object_get(rec, "enroll_hash"))) ==
	    NULL || sodium_hex2bin(hash, sizeof(hash), s, strlen(s), NULL,
	    &hlen, NULL) != 0 || hlen != sizeof(hash))
		return 0;
	return collectors_delete_index(txn, COLLECTORS_TAG_ENROLL, hash);
}

int
collectors_reenroll(struct storage_txn *txn, uint32_t id,
    const struct collectors_issue *ci)
{
	char	 hex[AUTH_HASH_BYTES * 2 + 1];
	json_t	*rec = NULL;
	int	 ret;

	if (ci->ci_kind != COLLECTORS_KIOSK) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = collectors_get_kiosk(txn, id, &rec)) != 0 ||
	    (ret = collectors_drop_enroll(txn, rec)) != 0 ||
	    (ret = collectors_revoke_devices(txn, id)) != 0)
		goto done;
	sodium_bin2hex(hex, sizeof(hex), ci->ci_hashes, AUTH_HASH_BYTES);
	if (json_object_set_new(rec, "enroll_hash", json_string(hex)) != 0 ||
	    json_object_set_new(rec, "enroll_expires_at",
	    json_integer(ci->ci_expires)) != 0 ||
	    json_object_set_new(rec, "enrolled", json_false()) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_COLLECTORS, id, rec)) != 0)
		goto done;
	ret = collectors_put_index(txn, COLLECTORS_TAG_ENROLL, ci->ci_hashes,
	    id, ci->ci_expires);
done:
	json_decref(rec);
	return ret;
}

int
collectors_unenroll(struct storage_txn *txn, uint32_t id)
{
	json_t	*rec = NULL;
	int	 ret;

	if ((ret = collectors_get_kiosk(txn, id, &rec)) == 0 &&
	    (ret = collectors_revoke_devices(txn, id)) == 0)
		ret = collectors_rec_set(txn, id, rec, "enrolled",
		    json_false());
	json_decref(rec);
	return ret;
}

int
collectors_seen(struct storage_txn *txn, uint32_t id, const char *day)
{
	json_t	*rec = NULL;
	int	 ret;

	if ((ret = collectors_get(txn, id, &rec)) == 0 &&
	    strcmp(json_string_value(json_object_get(rec, "last_seen")) ?
	    json_string_value(json_object_get(rec, "last_seen")) : "",
	    day) != 0)
		ret = collectors_rec_set(txn, id, rec, "last_seen",
		    json_string(day));
	json_decref(rec);
	return ret;
}
