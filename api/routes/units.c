/*
 * units.c — /api/v1/units: the unit tree for managers (their subtrees)
 * and admins, and its writes.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/adminjob.h"
#include "api/api.h"
#include "api/routes/routes.h"
#include "common/codec.h"
#include "core/catalog.h"
#include "core/collectors.h"
#include "core/rec.h"
#include "core/units.h"
#include "core/users.h"
#include "storage/storage.h"

static const char *const units_members[] = { "name", "parent", "pool", NULL };

/* ---------------------------------------------------------- reads */

struct units_list_arg {
	const struct units_tree		*ul_tree;
	const struct principal	*ul_who;
	json_t				*ul_out;
};

static int
http_units_list_one(const void *key, size_t klen, json_t *obj, void *arg)
{
	struct units_list_arg	*ul = arg;

	if (klen != REC_IDLEN ||
	    !units_visible(ul->ul_tree, ul->ul_who, rec_key_id(key)))
		return 0;
	return json_array_append(ul->ul_out, obj) == 0 ? 0 : -ENOMEM;
}

void
http_units_list(struct api_ctx *ctx, struct api_req *req)
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
	rc = rec_each(txn, STORAGE_DB_UNITS, NULL, 0, http_units_list_one, &ul);
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
http_units_refuse(struct api_req *req, const struct units_tree *tree,
    uint32_t id)
{
	if (units_visible(tree, &req->rq_who, id))
		return false;
	if (req->rq_who.pr_role == ROLE_ADMIN)
		api_reply_errorf(req, ERR_NOT_FOUND, NULL, "no unit %u", id);
	else
		api_reply_errorf(req, ERR_FORBIDDEN, NULL,
		    "unit %u is outside your units", id);
	return true;
}

void
http_units_show(struct api_ctx *ctx, struct api_req *req)
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
	if (http_units_refuse(req, tree, id)) {
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
http_units_audit_detail(uint32_t id, uint32_t parent, bool pool, bool renamed)
{
	return json_pack("{s:I, s:o, s:b, s:b}", "unit", (json_int_t)id,
	    "parent", parent != 0 ? json_integer(parent) : json_null(),
	    "pool", pool, "renamed", renamed);
}

/* Parent member: null or an id. *present tells whether it was given. */
static int
http_units_parse_parent(const json_t *obj, uint32_t *parent, bool *present,
    struct error *err)
{
	json_t	*v = json_object_get(obj, "parent");

	*present = v != NULL;
	if (v == NULL || json_is_null(v)) {
		*parent = 0;
		return 0;
	}
	if (!json_is_integer(v))
		return error_set(err, ERR_WRONG_TYPE, "parent",
		    "'parent' must be a unit id or null");
	if ((*parent = codec_u32(v)) == 0)
		return error_set(err, ERR_INVALID, "parent",
		    "'parent' is not a valid unit id");
	return 0;
}

/* Parse and check a POST or PATCH body on the loop thread. */
static int
http_units_parse_body(const struct api_req *req, bool create, json_t **in_out,
    struct units_change *ch, struct error *err)
{
	json_t	*in = NULL, *name;
	int	 rc;

	memset(ch, 0, sizeof(*ch));
	if ((rc = adminjob_parse(req, units_members, &in, err)) != 0)
		goto done;
	name = json_object_get(in, "name");
	if (name == NULL && create) {
		rc = error_set(err, ERR_MISSING_FIELD, "name",
		    "'name' is required");
		goto done;
	}
	if (name != NULL && (rc = units_check_name(name, "name", err)) != 0)
		goto done;
	if ((rc = http_units_parse_parent(in, &ch->uw_parent,
	    &ch->uw_parent_set,
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
http_units_apply_create(struct storage_txn *txn, struct adminjob *job)
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
	    http_units_audit_detail(id, ch->uw_parent, ch->uw_pool, true));
}

static int
http_units_apply_update(struct storage_txn *txn, struct adminjob *job)
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
	    codec_u32(json_object_get(rec, "parent"));
	pool = ch->uw_pool_set ? ch->uw_pool :
	    json_is_true(json_object_get(rec, "pool"));
	if ((ret = units_tree_load(txn, &tree)) != 0)
		goto done;
	if (ch->uw_parent_set && units_would_cycle(tree, job->aj_id, parent)) {
		ret = adminjob_fail(job, ERR_INVALID, "parent",
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
	    http_units_audit_detail(job->aj_id, parent, pool, name != NULL));
done:
	units_tree_free(tree);
	json_decref(rec);
	return ret;
}

static int
http_units_apply_delete(struct storage_txn *txn, struct adminjob *job)
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
		ret = adminjob_fail(job, ERR_CONFLICT, NULL,
		    "unit %u has units below it; move or delete them first",
		    job->aj_id);
		goto done;
	}
	if ((ret = catalog_unit_has_responses(txn, job->aj_id, &responses))
	    != 0)
		goto done;
	if (responses) {
		ret = adminjob_fail(job, ERR_CONFLICT, NULL,
		    "unit %u has responses; its results must stay",
		    job->aj_id);
		goto done;
	}
	if ((ret = collectors_count_at_unit(txn, job->aj_id, &ncollectors))
	    != 0)
		goto done;
	if (ncollectors > 0) {
		ret = adminjob_fail(job, ERR_CONFLICT, NULL,
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
http_units_write(struct api_ctx *ctx, struct api_req *req, adminjob_apply_fn fn,
    bool has_id, bool has_body, bool create)
{
	struct adminjob		*job = NULL;
	struct units_change	*ch = NULL;
	struct error		 err;
	json_t			*in = NULL;
	uint32_t		 id = 0;

	memset(&err, 0, sizeof(err));
	if (has_id && api_path_id(req, "unit", &id) != 0)
		return;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		goto oom;
	if (has_body && http_units_parse_body(req, create, &in, ch,
	    &err) != 0) {
		free(ch);
		if (err.er_code == ERR_NONE)
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
	api_reply_errorf(req, ERR_INTERNAL, NULL, "out of memory");
}

void
http_units_post(struct api_ctx *ctx, struct api_req *req)
{
	http_units_write(ctx, req, http_units_apply_create, false, true, true);
}

void
http_units_patch(struct api_ctx *ctx, struct api_req *req)
{
	http_units_write(ctx, req, http_units_apply_update, true, true, false);
}

void
http_units_delete(struct api_ctx *ctx, struct api_req *req)
{
	http_units_write(ctx, req, http_units_apply_delete, true, false, false);
}
