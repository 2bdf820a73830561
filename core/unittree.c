/*
 * unittree.c — the unit tree in memory: lookups, subtrees, cycles,
 * pooling and who may see what. Pure; core/units.c loads it from storage.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
#include "core/units.h"

struct units_tree {
	struct units_node	*ut_nodes;	/* sorted by id */
	size_t			 ut_n;
};

static int
units_node_cmp(const void *a, const void *b)
{
	const struct units_node	*x = a, *y = b;

	return x->un_id < y->un_id ? -1 : x->un_id > y->un_id;
}

int
units_tree_new(const struct units_node *nodes, size_t n,
    struct units_tree **out)
{
	struct units_tree	*t = NULL;
	size_t			 i;
	int			 ret = -1;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if (n > 0) {
		if ((t->ut_nodes = calloc(n, sizeof(*t->ut_nodes))) == NULL) {
			ret = -ENOMEM;
			goto done;
		}
		memcpy(t->ut_nodes, nodes, n * sizeof(*nodes));
		qsort(t->ut_nodes, n, sizeof(*t->ut_nodes), units_node_cmp);
	}
	t->ut_n = n;
	for (i = 0; i < n; i++) {
		if (t->ut_nodes[i].un_id == 0 || (i > 0 &&
		    t->ut_nodes[i].un_id == t->ut_nodes[i - 1].un_id)) {
			ret = -EINVAL;
			goto done;
		}
	}
	*out = t;
	t = NULL;
	ret = 0;
done:
	units_tree_free(t);
	return ret;
}

void
units_tree_free(struct units_tree *t)
{
	if (t == NULL)
		return;
	free(t->ut_nodes);
	free(t);
}

size_t
units_tree_count(const struct units_tree *t)
{
	return t->ut_n;
}

const struct units_node *
units_tree_at(const struct units_tree *t, size_t i)
{
	return i < t->ut_n ? &t->ut_nodes[i] : NULL;
}

const struct units_node *
units_tree_find(const struct units_tree *t, uint32_t id)
{
	struct units_node	key;

	if (t->ut_n == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.un_id = id;
	return bsearch(&key, t->ut_nodes, t->ut_n, sizeof(*t->ut_nodes),
	    units_node_cmp);
}

bool
units_has_children(const struct units_tree *t, uint32_t id)
{
	size_t	i;

	for (i = 0; i < t->ut_n; i++)
		if (t->ut_nodes[i].un_parent == id && id != 0)
			return true;
	return false;
}

bool
units_in_subtree(const struct units_tree *t, uint32_t root, uint32_t unit)
{
	const struct units_node	*n;
	size_t			 steps;

	if (units_tree_find(t, root) == NULL)
		return false;
	n = units_tree_find(t, unit);
	/* At most ut_n steps: a cycle in a corrupt store ends the walk. */
	for (steps = 0; n != NULL && steps <= t->ut_n; steps++) {
		if (n->un_id == root)
			return true;
		if (n->un_parent == 0)
			return false;
		n = units_tree_find(t, n->un_parent);
	}
	return false;
}

bool
units_visible(const struct units_tree *t, const struct principal *who,
    uint32_t unit)
{
	size_t	i;

	switch (who->pr_role) {
	case ROLE_ADMIN:
		return units_tree_find(t, unit) != NULL;
	case ROLE_MANAGER:
		for (i = 0; i < who->pr_nunits && i < AUTH_MAX_SUBTREES; i++)
			if (units_in_subtree(t, who->pr_units[i], unit))
				return true;
		return false;
	default:
		return false;
	}
}

bool
units_would_cycle(const struct units_tree *t, uint32_t unit,
    uint32_t new_parent)
{
	if (new_parent == 0)
		return false;
	if (new_parent == unit)
		return true;
	return units_in_subtree(t, unit, new_parent);
}

uint32_t
units_cell_unit(const struct units_tree *t, uint32_t unit)
{
	const struct units_node	*n, *up;
	size_t			 steps;

	if ((n = units_tree_find(t, unit)) == NULL)
		return 0;
	for (steps = 0; n->un_pool && n->un_parent != 0 && steps <= t->ut_n;
	    steps++) {
		if ((up = units_tree_find(t, n->un_parent)) == NULL)
			break;
		n = up;
	}
	return n->un_id;
}
