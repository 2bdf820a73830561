/*
 * units.h — the organisation tree (DESIGN.md sections 4 and 5): unit
 * records (units.c) and the in-memory tree every scoped read checks
 * against (unittree.c). The routes are api/routes/units.c.
 *
 * A unit record is a JSON object in STORAGE_DB_UNITS under its 4-byte
 * big-endian id (core/rec.h):
 *
 *   {"id": 7, "name": {"fi": ..., "sv": ..., "en": ...}, "parent": 3 | null,
 *    "pool": false}
 *
 * name has at least "fi"; pool true makes the unit's responses count in
 * the cell of its nearest unpooled ancestor (a root cannot pool).
 *
 * A unit cannot be deleted (409) while it has children, collectors or
 * responses. "Responses" is read from the aggregate cells, which outlive
 * the raw responses (retention) and are written in the transaction of
 * every response: a unit has responses when STORAGE_DB_CELLS holds a key
 * survey | version | unit (core/cells.h) for any version of any survey.
 * That is one prefix seek per survey version (catalog_unit_has_responses
 * in core/catalog.h), and intake has nothing to mark.
 *
 * Scoping (OWASP API1): a manager sees a unit only when it lies in one of
 * the subtrees rooted at rq_who.pr_units. Anything else, including a unit
 * that does not exist, is 403 "forbidden" for a manager, so that ids
 * cannot be probed; an admin gets 404 for a unit that does not exist.
 *
 * Return convention: 0 or a negative errno-style code (-ENOENT: no such
 * unit); predicates return bool.
 */
#ifndef PALAUTE_CORE_UNITS_H
#define PALAUTE_CORE_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"

struct principal;
struct storage_txn;
struct units_tree;

/* One node of the tree: parent 0 is a root. */
struct units_node {
	uint32_t	un_id;
	uint32_t	un_parent;
	bool		un_pool;
};

#define UNITS_NAME_MAX	200	/* bytes of one language's name */

/* ------------------------------------------------ the tree (units_tree.c) */

/*
 * A tree over a copy of nodes[0..n). -EINVAL for id 0 or a repeated id.
 * A parent that is not among the nodes is treated as a root's parent.
 * Free with units_tree_free(). Pure: no storage, no allocation afterwards.
 */
int		 units_tree_new(const struct units_node *nodes, size_t n,
		    struct units_tree **out);
void		 units_tree_free(struct units_tree *t);	/* accepts NULL */

/* Nodes in id order: i in 0..units_tree_count()-1. */
size_t		 units_tree_count(const struct units_tree *t);
const struct units_node *units_tree_at(const struct units_tree *t, size_t i);
/* The node of id, or NULL. */
const struct units_node *units_tree_find(const struct units_tree *t,
		    uint32_t id);
bool		 units_has_children(const struct units_tree *t, uint32_t id);

/*
 * True when unit is root or lies below it. False when either is unknown.
 * Ancestor walks stop after as many steps as there are nodes, so a
 * corrupt store with a cycle cannot hang a request.
 */
bool		 units_in_subtree(const struct units_tree *t, uint32_t root,
		    uint32_t unit);

/*
 * May who see unit? An admin: any unit of the tree. A manager: a unit in
 * one of who->pr_units' subtrees. Anyone else: no.
 */
bool		 units_visible(const struct units_tree *t,
		    const struct principal *who, uint32_t unit);

/*
 * Would making new_parent the parent of unit close a cycle, i.e. is
 * new_parent unit itself or one of its descendants? (0 never does.)
 */
bool		 units_would_cycle(const struct units_tree *t, uint32_t unit,
		    uint32_t new_parent);

/*
 * The unit whose cell unit's responses count in (DESIGN.md section 5):
 * unit itself, or for a pooled unit its nearest ancestor that does not
 * pool. 0 when unit is unknown. For the intake and results code.
 */
uint32_t	 units_cell_unit(const struct units_tree *t, uint32_t unit);

/* ------------------------------------------------ records (units.c) */

/*
 * Load every unit into a new tree, in txn (read or write). The tree does
 * not borrow from txn. Free with units_tree_free().
 */
int		 units_tree_load(struct storage_txn *txn,
		    struct units_tree **out);

/* The record of id (*out: new reference); -ENOENT if none. */
int		 units_get(struct storage_txn *txn, uint32_t id, json_t **out);

/*
 * Check an i18n name at field ("name"): an object of "fi" (required),
 * "sv", "en", each a non-blank string of at most UNITS_NAME_MAX bytes.
 * Errors: ERR_WRONG_TYPE, ERR_UNKNOWN_FIELD (another language),
 * ERR_INVALID (missing Finnish, blank, too long) with the member's path.
 */
int		 units_check_name(const json_t *name, const char *field,
		    struct error *err);

/*
 * Create a unit in a write txn: name already checked, parent 0 or an
 * existing unit (else -EINVAL with err on "parent"), pool only with a
 * parent. *id_out is the new id. Writes no audit entry (the caller does).
 */
int		 units_create(struct storage_txn *txn, const json_t *name,
		    uint32_t parent, bool pool, uint32_t *id_out,
		    struct error *err);

int	units_check_parent(struct storage_txn *txn, uint32_t parent,
	    bool pool, struct error *err);

json_t *units_record(uint32_t id, const json_t *name, uint32_t parent,
	    bool pool);

#endif /* PALAUTE_CORE_UNITS_H */
