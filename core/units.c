/*
 * units.c — unit records in storage: the tree's loading, checks and
 * creation.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "core/catalog.h"
#include "core/collectors.h"
#include "core/rec.h"
#include "core/units.h"
#include "core/users.h"
#include "storage/storage.h"

static const char *const units_langs[] = { "fi", "sv", "en", NULL };

/* ---------------------------------------------------------- records */

struct units_collect {
	struct units_node	*uc_nodes;
	size_t			 uc_n, uc_cap;
};

static int
units_collect_one(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct units_collect	*uc = arg;
	struct units_node	*grown;
	size_t			 cap;

	if (klen != REC_IDLEN)
		return 0;
	if (uc->uc_n == uc->uc_cap) {
		cap = uc->uc_cap ? uc->uc_cap * 2 : 64;
		if ((grown = realloc(uc->uc_nodes, cap * sizeof(*grown))) ==
		    NULL)
			return -ENOMEM;
		uc->uc_nodes = grown;
		uc->uc_cap = cap;
	}
	uc->uc_nodes[uc->uc_n].un_id = rec_key_id(key);
	uc->uc_nodes[uc->uc_n].un_parent =
	    codec_u32(json_object_get(obj, "parent"));
	uc->uc_nodes[uc->uc_n].un_pool =
	    json_is_true(json_object_get(obj, "pool"));
	uc->uc_n++;
	return 0;
}

int
units_tree_load(struct storage_txn *txn, struct units_tree **out)
{
	struct units_collect	uc;
	int			ret;

	memset(&uc, 0, sizeof(uc));
	if ((ret = rec_each(txn, STORAGE_DB_UNITS, NULL, 0, units_collect_one,
	    &uc)) != 0)
		goto done;
	ret = units_tree_new(uc.uc_nodes, uc.uc_n, out);
done:
	free(uc.uc_nodes);
	return ret;
}

int
units_get(struct storage_txn *txn, uint32_t id, json_t **out)
{
	return rec_get(txn, STORAGE_DB_UNITS, id, out);
}

int
units_check_name(const json_t *name, const char *field,
    struct error *err)
{
	char		 path[128];
	const char	*lang, *s;
	json_t		*v;
	size_t		 i;
	int		 rc;

	if (!json_is_object(name))
		return error_set(err, ERR_WRONG_TYPE, field,
		    "'%s' must be an object of names by language (fi, sv, en)",
		    field);
	if ((rc = codec_only(name, units_langs, field, err)) != 0)
		return rc;
	for (i = 0; (lang = units_langs[i]) != NULL; i++) {
		snprintf(path, sizeof(path), "%s.%s", field, lang);
		if ((v = json_object_get(name, lang)) == NULL) {
			if (i == 0)
				return error_set(err, ERR_MISSING_FIELD,
				    path, "a unit needs a name in Finnish");
			continue;
		}
		if (!json_is_string(v))
			return error_set(err, ERR_WRONG_TYPE, path,
			    "'%s' must be a string", path);
		s = json_string_value(v);
		if (strlen(s) != json_string_length(v))
			return error_set(err, ERR_INVALID, path,
			    "'%s' contains a NUL character", path);
		if (json_string_length(v) > UNITS_NAME_MAX)
			return error_set(err, ERR_INVALID, path,
			    "'%s' is longer than %d bytes", path,
			    UNITS_NAME_MAX);
		if (s[strspn(s, " \t\r\n")] == '\0')
			return error_set(err, ERR_INVALID, path,
			    "'%s' is blank", path);
	}
	return 0;
}

json_t *
units_record(uint32_t id, const json_t *name, uint32_t parent, bool pool)
{
	return json_pack("{s:I, s:O, s:o, s:b}", "id", (json_int_t)id,
	    "name", name, "parent", parent != 0 ?
	    json_integer(parent) : json_null(), "pool", pool);
}

int
units_check_parent(struct storage_txn *txn, uint32_t parent, bool pool,
    struct error *err)
{
	json_t	*p = NULL;
	int	 rc;

	if (parent != 0) {
		rc = units_get(txn, parent, &p);
		json_decref(p);
		if (rc == -ENOENT)
			return error_set(err, ERR_INVALID, "parent",
			    "there is no unit %u", parent);
		if (rc != 0)
			return rc;
	} else if (pool)
		return error_set(err, ERR_INVALID, "pool",
		    "a unit without a parent has nothing to pool into");
	return 0;
}

int
units_create(struct storage_txn *txn, const json_t *name, uint32_t parent,
    bool pool, uint32_t *id_out, struct error *err)
{
	json_t		*rec = NULL;
	uint32_t	 id;
	int		 ret;

	if ((ret = units_check_parent(txn, parent, pool, err)) != 0)
		goto done;
	if ((ret = storage_next_id(txn, "unit", &id)) != 0)
		goto done;
	if ((rec = units_record(id, name, parent, pool)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_UNITS, id, rec)) != 0)
		goto done;
	*id_out = id;
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

