/*
 * units.c — unit records in storage and the /api/v1/units handlers.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/codec.h"
#include "api/collectors.h"
#include "api/handlers.h"
#include "api/rec.h"
#include "api/surveys.h"
#include "api/units.h"
#include "api/users.h"
#include "storage/storage.h"

static const char *const units_langs[] = { "fi", "sv", "en", NULL };
static const char *const units_members[] = { "name", "parent", "pool", NULL };

/* ---------------------------------------------------------- records */

struct units_collect {
	struct units_node	*uc_nodes;
	size_t			 uc_n, uc_cap;
};

static uint32_t
units_json_id(const json_t *v)
{
	json_int_t	n;

	if (!json_is_integer(v))
		return 0;
	n = json_integer_value(v);
	return n > 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
}

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
	    units_json_id(json_object_get(obj, "parent"));
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
    struct api_err *err)
{
	char		 path[128];
	const char	*lang, *s;
	json_t		*v;
	size_t		 i;
	int		 rc;

	if (!json_is_object(name))
		return api_err_set(err, APIE_WRONG_TYPE, field,
		    "'%s' must be an object of names by language (fi, sv, en)",
		    field);
	if ((rc = codec_only(name, units_langs, field, err)) != 0)
		return rc;
	for (i = 0; (lang = units_langs[i]) != NULL; i++) {
		snprintf(path, sizeof(path), "%s.%s", field, lang);
		if ((v = json_object_get(name, lang)) == NULL) {
			if (i == 0)
				return api_err_set(err, APIE_MISSING_FIELD,
				    path, "a unit needs a name in Finnish");
			continue;
		}
		if (!json_is_string(v))
			return api_err_set(err, APIE_WRONG_TYPE, path,
			    "'%s' must be a string", path);
		s = json_string_value(v);
		if (strlen(s) != json_string_length(v))
			return api_err_set(err, APIE_INVALID, path,
			    "'%s' contains a NUL character", path);
		if (json_string_length(v) > UNITS_NAME_MAX)
			return api_err_set(err, APIE_INVALID, path,
			    "'%s' is longer than %d bytes", path,
			    UNITS_NAME_MAX);
		if (s[strspn(s, " \t\r\n")] == '\0')
			return api_err_set(err, APIE_INVALID, path,
			    "'%s' is blank", path);
	}
	return 0;
}

/* Parent member: null or an id. *present tells whether it was given. */
static int
units_parse_parent(const json_t *obj, uint32_t *parent, bool *present,
    struct api_err *err)
{
	json_t	*v = json_object_get(obj, "parent");

	*present = v != NULL;
	if (v == NULL || json_is_null(v)) {
		*parent = 0;
		return 0;
	}
	if (!json_is_integer(v))
		return api_err_set(err, APIE_WRONG_TYPE, "parent",
		    "'parent' must be a unit id or null");
	if ((*parent = units_json_id(v)) == 0)
		return api_err_set(err, APIE_INVALID, "parent",
		    "'parent' is not a valid unit id");
	return 0;
}

static json_t *
units_record(uint32_t id, const json_t *name, uint32_t parent, bool pool)
{
	return json_pack("{s:I, s:O, s:o, s:b}", "id", (json_int_t)id,
	    "name", name, "parent", parent != 0 ?
	    json_integer(parent) : json_null(), "pool", pool);
}

static int
units_check_parent(struct storage_txn *txn, uint32_t parent, bool pool,
    struct api_err *err)
{
	json_t	*p = NULL;
	int	 rc;

	if (parent != 0) {
		rc = units_get(txn, parent, &p);
		json_decref(p);
		if (rc == -ENOENT)
			return api_err_set(err, APIE_INVALID, "parent",
			    "there is no unit %u", parent);
		if (rc != 0)
			return rc;
	} else if (pool)
		return api_err_set(err, APIE_INVALID, "pool",
		    "a unit without a parent has nothing to pool into");
	return 0;
}

int
units_create(struct storage_txn *txn, const json_t *name, uint32_t parent,
    bool pool, uint32_t *id_out, struct api_err *err)
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

/* ---------------------------------------------------------- reads */

struct units_list_arg {
	const struct units_tree		*ul_tree;
	const struct api_principal	*ul_who;
	json_t				*ul_out;
};

static int
units_list_one(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct units_list_arg	*ul = arg;

	if (klen != REC_IDLEN ||
	    !units_visible(ul->ul_tree, ul->ul_who, rec_key_id(key)))
		return 0;
	return json_array_append(ul->ul_out, obj) == 0 ? 0 : -ENOMEM;
}

void
units_list(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	struct units_tree	*tree = NULL;
	struct units_list_arg	 ul;
	int			 rc;

	memset(&ul, 0, sizeof(ul));
	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((ul.ul_out = json_array()) == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	if ((rc = units_tree_load(txn, &tree)) != 0)
		goto done;
	ul.ul_tree = tree;
	ul.ul_who = &req->rq_who;
	rc = rec_each(txn, STORAGE_DB_UNITS, NULL, 0, units_list_one, &ul);
done:
	storage_txn_abort(txn);
	units_tree_free(tree);
	if (rc != 0) {
		json_decref(ul.ul_out);
		api_reply_errno(req, rc);
		return;
	}
	api_reply_json(req, 200, json_pack("{s:o}", "units", ul.ul_out));
}

/*
 * Reply 403 (manager, anything outside their subtrees, existing or not)
 * or 404 (admin, no such unit). Returns true when it replied.
 */
static bool
units_refuse(struct api_req *req, const struct units_tree *tree,
    uint32_t id)
{
	if (units_visible(tree, &req->rq_who, id))
		return false;
	if (req->rq_who.pr_role == API_ROLE_ADMIN)
		api_reply_errorf(req, APIE_NOT_FOUND, NULL, "no unit %u", id);
	else
		api_reply_errorf(req, APIE_FORBIDDEN, NULL,
		    "unit %u is outside your units", id);
	return true;
}

void
units_show(struct api_ctx *ctx, struct api_req *req)
{
	struct storage_txn	*txn = NULL;
	struct units_tree	*tree = NULL;
	json_t			*rec = NULL;
	uint32_t		 id;
	int			 rc;

	if (api_path_id(req, "unit", &id) != 0)
		return;

	if (adminjob_read_begin(ctx, req, &txn) != 0)
		return;
	if ((rc = units_tree_load(txn, &tree)) != 0)
		goto done;
	if (units_refuse(req, tree, id)) {
		rc = 1;
		goto done;
	}
	rc = units_get(txn, id, &rec);
done:
	storage_txn_abort(txn);
	units_tree_free(tree);
	if (rc < 0)
		api_reply_errno(req, rc);
	else if (rc == 0) {
		api_reply_json(req, 200, rec);
		rec = NULL;
	}
	json_decref(rec);
}

/* ---------------------------------------------------------- writes */

struct units_change {
	uint32_t	uw_parent;
	bool		uw_parent_set;
	bool		uw_pool;
	bool		uw_pool_set;
};

/* What the audit log keeps of a change: ids and flags, never names. */
static json_t *
units_audit_detail(uint32_t id, uint32_t parent, bool pool, bool renamed)
{
	return json_pack("{s:I, s:o, s:b, s:b}", "unit", (json_int_t)id,
	    "parent", parent != 0 ? json_integer(parent) : json_null(),
	    "pool", pool, "renamed", renamed);
}

/* Parse and check a POST or PATCH body on the loop thread. */
static int
units_parse_body(const struct api_req *req, bool create, json_t **in_out,
    struct units_change *ch, struct api_err *err)
{
	json_t	*in = NULL, *name;
	int	 rc;

	memset(ch, 0, sizeof(*ch));
	if ((rc = adminjob_parse(req, units_members, &in, err)) != 0)
		goto done;
	name = json_object_get(in, "name");
	if (name == NULL && create) {
		rc = api_err_set(err, APIE_MISSING_FIELD, "name",
		    "'name' is required");
		goto done;
	}
	if (name != NULL && (rc = units_check_name(name, "name", err)) != 0)
		goto done;
	if ((rc = units_parse_parent(in, &ch->uw_parent, &ch->uw_parent_set,
	    err)) != 0)
		goto done;
	ch->uw_pool_set = json_object_get(in, "pool") != NULL;
	if ((rc = codec_bool(in, "pool", false, &ch->uw_pool, err)) != 0)
		goto done;
	*in_out = in;
	in = NULL;
done:
	json_decref(in);
	return rc;
}

static int
units_apply_create(struct storage_txn *txn, struct adminjob *job)
{
	struct units_change	*ch = job->aj_data;
	uint32_t		 id;
	int			 rc;

	rc = units_create(txn, json_object_get(job->aj_in, "name"),
	    ch->uw_parent, ch->uw_pool, &id, &job->aj_err);
	if (rc != 0)
		return rc;
	if ((rc = units_get(txn, id, &job->aj_out)) != 0)
		return rc;
	job->aj_status = 201;
	return adminjob_audit(txn, job, "unit.create",
	    units_audit_detail(id, ch->uw_parent, ch->uw_pool, true));
}

static int
units_apply_update(struct storage_txn *txn, struct adminjob *job)
{
	struct units_change	*ch = job->aj_data;
	struct units_tree	*tree = NULL;
	json_t			*rec = NULL, *name;
	uint32_t		 parent;
	bool			 pool;
	int			 ret;

	if ((ret = units_get(txn, job->aj_id, &rec)) != 0)
		goto done;
	parent = ch->uw_parent_set ? ch->uw_parent :
	    units_json_id(json_object_get(rec, "parent"));
	pool = ch->uw_pool_set ? ch->uw_pool :
	    json_is_true(json_object_get(rec, "pool"));
	if ((ret = units_tree_load(txn, &tree)) != 0)
		goto done;
	if (ch->uw_parent_set && units_would_cycle(tree, job->aj_id, parent)) {
		ret = adminjob_fail(job, APIE_INVALID, "parent",
		    "unit %u is unit %u or below it: that would make a cycle",
		    parent, job->aj_id);
		goto done;
	}
	if ((ret = units_check_parent(txn, parent, pool, &job->aj_err)) != 0)
		goto done;
	name = json_object_get(job->aj_in, "name");
	json_decref(job->aj_out);
	job->aj_out = units_record(job->aj_id, name != NULL ? name :
	    json_object_get(rec, "name"), parent, pool);
	if (job->aj_out == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_UNITS, job->aj_id, job->aj_out))
	    != 0)
		goto done;
	ret = adminjob_audit(txn, job, "unit.update",
	    units_audit_detail(job->aj_id, parent, pool, name != NULL));
done:
	units_tree_free(tree);
	json_decref(rec);
	return ret;
}

static int
units_apply_delete(struct storage_txn *txn, struct adminjob *job)
{
	struct units_tree	*tree = NULL;
	json_t			*rec = NULL, *managers = NULL;
	size_t			 ncollectors = 0;
	bool			 responses = false;
	int			 ret;

	if ((ret = units_get(txn, job->aj_id, &rec)) != 0)
		goto done;
	if ((ret = units_tree_load(txn, &tree)) != 0)
		goto done;
	if (units_has_children(tree, job->aj_id)) {
		ret = adminjob_fail(job, APIE_CONFLICT, NULL,
		    "unit %u has units below it; move or delete them first",
		    job->aj_id);
		goto done;
	}
	if ((ret = surveys_unit_has_responses(txn, job->aj_id, &responses))
	    != 0)
		goto done;
	if (responses) {
		ret = adminjob_fail(job, APIE_CONFLICT, NULL,
		    "unit %u has responses; its results must stay",
		    job->aj_id);
		goto done;
	}
	if ((ret = collectors_count_at_unit(txn, job->aj_id, &ncollectors))
	    != 0)
		goto done;
	if (ncollectors > 0) {
		ret = adminjob_fail(job, APIE_CONFLICT, NULL,
		    "unit %u has %zu collector%s; delete %s first",
		    job->aj_id, ncollectors, ncollectors == 1 ? "" : "s",
		    ncollectors == 1 ? "it" : "them");
		goto done;
	}
	/*
	 * Managers who were given this unit lose it with it: a stale id in
	 * their scope would come back to life if ids were ever reused, and
	 * GET /users would list a unit that is not there.
	 */
	if ((managers = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = users_drop_unit(txn, job->aj_id, managers)) != 0 ||
	    (ret = rec_del(txn, STORAGE_DB_UNITS, job->aj_id)) != 0)
		goto done;
	job->aj_status = 204;
	ret = adminjob_audit(txn, job, "unit.delete",
	    json_pack("{s:I, s:O}", "unit", (json_int_t)job->aj_id,
	    "managers", managers));
done:
	units_tree_free(tree);
	json_decref(managers);
	json_decref(rec);
	return ret;
}

/* The common part of the three write handlers. */
static void
units_write(struct api_ctx *ctx, struct api_req *req, adminjob_apply_fn fn,
    bool has_id, bool has_body, bool create)
{
	struct adminjob		*job = NULL;
	struct units_change	*ch = NULL;
	struct api_err		 err;
	json_t			*in = NULL;
	uint32_t		 id = 0;

	memset(&err, 0, sizeof(err));
	if (has_id && api_path_id(req, "unit", &id) != 0)
		return;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		goto oom;
	if (has_body && units_parse_body(req, create, &in, ch, &err) != 0) {
		free(ch);
		if (err.ae_code == APIE_NONE)
			goto oom;
		api_reply_error(req, &err);
		return;
	}
	if ((job = adminjob_new(ctx, req, fn)) == NULL) {
		free(ch);
		json_decref(in);
		goto oom;
	}
	job->aj_id = id;
	job->aj_in = in;
	job->aj_data = ch;
	job->aj_data_free = free;
	adminjob_submit(job);
	return;
oom:
	api_reply_errorf(req, APIE_INTERNAL, NULL, "out of memory");
}

void
units_post(struct api_ctx *ctx, struct api_req *req)
{
	units_write(ctx, req, units_apply_create, false, true, true);
}

void
units_patch(struct api_ctx *ctx, struct api_req *req)
{
	units_write(ctx, req, units_apply_update, true, true, false);
}

void
units_delete(struct api_ctx *ctx, struct api_req *req)
{
	units_write(ctx, req, units_apply_delete, true, false, false);
}
