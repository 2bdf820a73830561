/*
 * throttle.c — a fixed table of failure counters with exponential back-off.
 * A linear scan: the table holds a few thousand keys and is consulted once
 * per login, next to an Argon2 hash that costs a hundred milliseconds.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "core/throttle.h"

struct throttle_entry {
	uint64_t	te_key;
	uint32_t	te_failures;	/* in a row */
	uint32_t	te_running;	/* attempts begun, not ended */
	int64_t		te_last;	/* last begin or end */
	int64_t		te_until;	/* locked before this */
	bool		te_used;
};

struct throttle {
	struct throttle_entry	*t_tab;
	size_t			 t_cap;
	size_t			 t_count;
	unsigned		 t_base;
	unsigned		 t_max;
};

struct throttle *
throttle_new(size_t capacity, unsigned base, unsigned max)
{
	struct throttle	*t;

	if (capacity == 0 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->t_tab = calloc(capacity, sizeof(*t->t_tab))) == NULL) {
		free(t);
		return NULL;
	}
	t->t_cap = capacity;
	t->t_base = base > 0 ? base : 1;
	t->t_max = max >= t->t_base ? max : t->t_base;
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	free(t->t_tab);
	free(t);
}

size_t
throttle_count(const struct throttle *t)
{
	return t->t_count;
}

static struct throttle_entry *
throttle_find(struct throttle *t, uint64_t key)
{
	size_t	i;

	for (i = 0; i < t->t_cap; i++)
		if (t->t_tab[i].te_used && t->t_tab[i].te_key == key)
			return &t->t_tab[i];
	return NULL;
}

/* A free slot, or the least recently used idle one; NULL if all run. */
static struct throttle_entry *
throttle_slot(struct throttle *t)
{
	struct throttle_entry	*e, *lru = NULL;
	size_t			 i;

	for (i = 0; i < t->t_cap; i++) {
		e = &t->t_tab[i];
		if (!e->te_used)
			return e;
		if (e->te_running == 0 && (lru == NULL ||
		    e->te_last < lru->te_last))
			lru = e;
	}
	if (lru != NULL) {
		memset(lru, 0, sizeof(*lru));
		t->t_count--;
	}
	return lru;
}

int
throttle_begin(struct throttle *t, uint64_t key, unsigned limit, int64_t now)
{
	struct throttle_entry	*e;

	if (limit == 0)
		limit = 1;
	if ((e = throttle_find(t, key)) == NULL) {
		if ((e = throttle_slot(t)) == NULL)
			return 1;
		e->te_used = true;
		e->te_key = key;
		t->t_count++;
	}
	if (e->te_running == 0 && now - e->te_last > THROTTLE_FORGET) {
		e->te_failures = 0;
		e->te_until = 0;
	}
	if (now < e->te_until)
		return (int)(e->te_until - now);
	/* Attempts in flight will end within a hash or two: ask for 1 s. */
	if (e->te_running > 0 && e->te_failures + e->te_running >= limit)
		return 1;
	e->te_running++;
	e->te_last = now;
	return 0;
}

void
throttle_end(struct throttle *t, uint64_t key, bool success, unsigned limit,
    int64_t now)
{
	struct throttle_entry	*e;
	uint64_t		 lock;
	unsigned		 shift;

	if ((e = throttle_find(t, key)) == NULL)
		return;
	if (e->te_running > 0)
		e->te_running--;
	e->te_last = now;
	if (success) {
		e->te_failures = 0;
		e->te_until = 0;
		return;
	}
	if (e->te_failures < UINT32_MAX)
		e->te_failures++;
	if (limit == 0)
		limit = 1;
	if (e->te_failures < limit)
		return;
	shift = e->te_failures - limit;
	if (shift > 30)
		shift = 30;
	lock = (uint64_t)t->t_base << shift;
	if (lock > t->t_max)
		lock = t->t_max;
	e->te_until = now + (int64_t)lock;
}

void
throttle_cancel(struct throttle *t, uint64_t key)
{
	struct throttle_entry	*e;

	if ((e = throttle_find(t, key)) != NULL && e->te_running > 0)
		e->te_running--;
}
