/*
 * catalog.c — survey definitions and their versions in storage.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/util.h"
#include "core/catalog.h"
#include "core/cells.h"
#include "core/rec.h"
#include "core/release.h"
#include "core/survey.h"
#include "storage/storage.h"


void
catalog_key(uint32_t id, uint32_t version, uint8_t key[CATALOG_KEYLEN])
{
	rec_key(id, key);
	rec_key(version, key + REC_IDLEN);
}

int
catalog_get(struct storage_txn *txn, uint32_t id, json_t **out)
{
	return rec_get(txn, STORAGE_DB_SURVEYS, id, out);
}

int
catalog_current_version(struct storage_txn *txn, uint32_t id,
    uint32_t *version_out)
{
	json_t		*rec = NULL;
	uint32_t	 v;
	int		 ret;

	if ((ret = catalog_get(txn, id, &rec)) != 0)
		goto done;
	if ((v = codec_u32(json_object_get(rec, "version"))) == 0) {
		ret = -EBADMSG;
		goto done;
	}
	*version_out = v;
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

int
catalog_definition(struct storage_txn *txn, uint32_t id, uint32_t version,
    json_t **def_out, uint32_t *version_out)
{
	uint8_t	key[CATALOG_KEYLEN];
	int	ret;

	if (version == 0 &&
	    (ret = catalog_current_version(txn, id, &version)) != 0)
		return ret;
	catalog_key(id, version, key);
	if ((ret = rec_get_key(txn, STORAGE_DB_SURVEYS, key, sizeof(key),
	    def_out)) != 0)
		return ret;
	if (version_out != NULL)
		*version_out = version;
	return 0;
}

int
catalog_load(struct storage_txn *txn, uint32_t id, uint32_t version,
    struct survey **out, uint32_t *version_out)
{
	struct error	 err;
	json_t		*def = NULL;
	uint32_t	 v;
	int		 ret;

	if ((ret = catalog_definition(txn, id, version, &def, &v)) != 0)
		goto done;
	/* Stored definitions were checked when written; this one rotted. */
	if ((ret = survey_parse(def, out, &err)) != 0) {
		ret = ret == -ENOMEM ? ret : -EBADMSG;
		goto done;
	}
	if (version_out != NULL)
		*version_out = v;
done:
	json_decref(def);
	return ret;
}

/* Whether any cell key starts with prefix (core/cells.h's layout). */
static int
catalog_cells_exist(struct storage_txn *txn, const uint8_t *prefix,
    size_t plen, bool *out)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen;
	int			 rc;

	if ((rc = storage_iter_new(txn, STORAGE_DB_CELLS, prefix, plen, &it))
	    != 0)
		return rc;
	rc = storage_iter_next(it, &key, &klen, &val, &vlen);
	storage_iter_free(it);
	if (rc == 0 || rc == -ENOENT) {
		*out = rc == 0;
		return 0;
	}
	return rc;
}

int
catalog_has_responses(struct storage_txn *txn, uint32_t id,
    uint32_t version, bool *out)
{
	uint8_t	prefix[CATALOG_KEYLEN];

	/* Cell keys: survey (4) | version (4) | unit (4) | bucket (4). */
	catalog_key(id, version, prefix);
	return catalog_cells_exist(txn, prefix, sizeof(prefix), out);
}

int
catalog_mark_open(struct storage_txn *txn, uint32_t id)
{
	json_t	*rec = NULL;
	int	 ret;

	if ((ret = catalog_get(txn, id, &rec)) != 0)
		goto done;
	if (json_is_true(json_object_get(rec, "open"))) {
		ret = 0;
		goto done;
	}
	if (json_object_set_new(rec, "open", json_true()) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	ret = rec_put(txn, STORAGE_DB_SURVEYS, id, rec);
done:
	json_decref(rec);
	return ret;
}

int
catalog_update_adds_version(struct storage_txn *txn, const json_t *rec,
    size_t ncollectors, bool *out)
{
	uint32_t	id, version;
	bool		responses = false;
	int		ret;

	if (json_is_true(json_object_get(rec, "open")) || ncollectors > 0) {
		*out = true;
		return 0;
	}
	/*
	 * Never open, no collector: nobody could answer, unless the survey
	 * was opened before the mark existed and its collectors are gone.
	 * Then only the responses can tell, and a version that has some
	 * must not change under them.
	 */
	if ((id = codec_u32(json_object_get(rec, "id"))) == 0 ||
	    (version = codec_u32(json_object_get(rec, "version"))) == 0)
		return -EBADMSG;
	if ((ret = catalog_has_responses(txn, id, version, &responses)) != 0)
		return ret;
	*out = responses;
	return 0;
}

struct catalog_released_arg {
	uint32_t	cr_version;
	bool		cr_found;
};

static int
catalog_released_one(const struct cells_id *id, const struct cell *live,
    const struct cell *released, void *arg)
{
	struct catalog_released_arg	*cr = arg;

	if (id->ci_version != cr->cr_version || released == NULL ||
	    released->c_n == 0)
		return 0;
	cr->cr_found = true;
	return 1;	/* found: the walk may stop */
}

int
catalog_has_released(struct storage_txn *txn, uint32_t id, uint32_t version,
    bool *out)
{
	struct catalog_released_arg	cr;
	int				ret;

	cr.cr_version = version;
	cr.cr_found = false;
	if ((ret = cells_each(txn, id, catalog_released_one, &cr)) < 0)
		return ret;
	*out = cr.cr_found;
	return 0;
}

struct catalog_unit_arg {
	struct storage_txn	*su_txn;
	uint32_t		 su_unit;
	bool			 su_found;
};

static int
catalog_unit_one(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct catalog_unit_arg	*su = arg;
	uint8_t			 prefix[CATALOG_KEYLEN + REC_IDLEN];
	uint32_t		 v, current;
	int			 rc;

	if (klen != REC_IDLEN)
		return 0;
	current = codec_u32(json_object_get(rec, "version"));
	for (v = 1; v <= current; v++) {
		catalog_key(rec_key_id(key), v, prefix);
		rec_key(su->su_unit, prefix + CATALOG_KEYLEN);
		if ((rc = catalog_cells_exist(su->su_txn, prefix,
		    sizeof(prefix), &su->su_found)) != 0)
			return rc;
		if (su->su_found)
			return 1;
	}
	return 0;
}

int
catalog_unit_has_responses(struct storage_txn *txn, uint32_t unit,
    bool *out)
{
	struct catalog_unit_arg	su;
	int			rc;

	su.su_txn = txn;
	su.su_unit = unit;
	su.su_found = false;
	rc = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0, catalog_unit_one, &su);
	if (rc < 0)
		return rc;
	*out = su.su_found;
	return 0;
}

/* ---------------------------------------------------------- slugs */

struct catalog_slug_arg {
	const char	*ss_slug;
	uint32_t	 ss_except;
	uint32_t	 ss_found;
};

static int
catalog_slug_one(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct catalog_slug_arg	*ss = arg;
	const char		*slug;

	if (klen != REC_IDLEN || rec_key_id(key) == ss->ss_except)
		return 0;
	slug = json_string_value(json_object_get(obj, "slug"));
	if (slug != NULL && strcmp(slug, ss->ss_slug) == 0) {
		ss->ss_found = rec_key_id(key);
		return 1;
	}
	return 0;
}

/* Refuse a slug another survey has (a handful of surveys: a scan). */
int
catalog_slug_free(struct storage_txn *txn, const char *slug, uint32_t except,
    struct error *err)
{
	struct catalog_slug_arg	ss;
	int			rc;

	memset(&ss, 0, sizeof(ss));
	ss.ss_slug = slug;
	ss.ss_except = except;
	rc = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0, catalog_slug_one, &ss);
	if (rc == 1)
		return error_set(err, ERR_CONFLICT, "slug",
		    "survey %u already has the slug '%s'", ss.ss_found, slug);
	return rc;
}

/*
 * The canonical definition of s with its slug first: the slug is set
 * here when the server assigns one.
 */
int
catalog_canonical(struct survey *s, uint32_t id, json_t **out,
    struct error *err)
{
	char	slug[SURVEY_SLUG_MAX + 1];

	if (survey_slug(s) == NULL) {
		if (util_snprintf(slug, sizeof(slug), "survey-%u", id) != 0 ||
		    survey_set_slug(s, slug) != 0)
			return -EINVAL;
	}
	if ((*out = survey_to_json(s)) == NULL)
		return -ENOMEM;
	return 0;
}

int
catalog_insert(struct storage_txn *txn, struct survey *s, uint32_t *id_out,
    json_t **rec_out, json_t **def_out, struct error *err)
{
	uint8_t		 key[CATALOG_KEYLEN];
	json_t		*def = NULL, *rec = NULL;
	uint32_t	 id;
	int		 ret;

	if ((ret = storage_next_id(txn, "survey", &id)) != 0)
		goto done;
	if ((ret = catalog_canonical(s, id, &def, err)) != 0)
		goto done;
	if ((ret = catalog_slug_free(txn, survey_slug(s), 0, err)) != 0)
		goto done;
	rec = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "slug",
	    survey_slug(s), "version", (json_int_t)1);
	if (rec == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	catalog_key(id, 1, key);
	if ((ret = rec_put_key(txn, STORAGE_DB_SURVEYS, key, sizeof(key), def,
	    STORAGE_NOOVERWRITE)) != 0 ||
	    (ret = rec_put(txn, STORAGE_DB_SURVEYS, id, rec)) != 0)
		goto done;
	*id_out = id;
	if (rec_out != NULL) {
		*rec_out = rec;
		rec = NULL;
	}
	if (def_out != NULL) {
		*def_out = def;
		def = NULL;
	}
	ret = 0;
done:
	json_decref(def);
	json_decref(rec);
	return ret;
}

int
catalog_create(struct storage_txn *txn, const json_t *def, uint32_t *id_out,
    struct error *err)
{
	struct survey	*s = NULL;
	int		 ret;

	if ((ret = survey_parse(def, &s, err)) != 0)
		return ret;
	ret = catalog_insert(txn, s, id_out, NULL, NULL, err);
	survey_free(s);
	return ret;
}

int
catalog_k(struct storage_txn *txn, uint32_t id, uint32_t version,
    struct catalog_k *memo, uint32_t *k_out)
{
	struct survey	*s = NULL;
	int		 rc;

	if (memo->ck_k != 0 && memo->ck_survey == id &&
	    memo->ck_version == version) {
		*k_out = memo->ck_k;
		return 0;
	}
	if ((rc = catalog_load(txn, id, version, &s, NULL)) != 0)
		return rc;
	memo->ck_survey = id;
	memo->ck_version = version;
	memo->ck_k = release_k(survey_min_group(s));
	survey_free(s);
	*k_out = memo->ck_k;
	return 0;
}
