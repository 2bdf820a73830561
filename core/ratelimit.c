/*
 * ratelimit.c — GCRA token buckets in a small open-addressing table.
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>

#include "core/ratelimit.h"

#define RATELIMIT_MINUTE_NS	60000000000ULL
#define RATELIMIT_SECOND_NS	1000000000ULL
/* Slots probed for a key: a short window keeps a lookup in a cache line
 * or two; when all are busy the one nearest to full is given up. */
#define RATELIMIT_PROBE		8

struct ratelimit_slot {
	uint64_t	rs_key;
	uint64_t	rs_full_at;	/* when the bucket is full again */
	bool		rs_used;
};

struct ratelimit {
	struct ratelimit_slot	*rl_slots;
	size_t			 rl_mask;
};

struct ratelimit *
ratelimit_new(size_t capacity)
{
	struct ratelimit	*rl;
	size_t			 n = RATELIMIT_PROBE;

	while (n < capacity && n < ((size_t)1 << 30))
		n <<= 1;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	if ((rl->rl_slots = calloc(n, sizeof(*rl->rl_slots))) == NULL) {
		free(rl);
		return NULL;
	}
	rl->rl_mask = n - 1;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->rl_slots);
	free(rl);
}

/* Spread the key's bits over the index (keys may be small ids). */
static size_t
ratelimit_index(const struct ratelimit *rl, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & rl->rl_mask;
}

/* key's slot, or a free one for it (or the one to evict). */
static struct ratelimit_slot *
ratelimit_slot(struct ratelimit *rl, uint64_t key, uint64_t now)
{
	struct ratelimit_slot	*s, *spare = NULL;
	size_t			 i, at = ratelimit_index(rl, key);

	for (i = 0; i < RATELIMIT_PROBE; i++) {
		s = &rl->rl_slots[(at + i) & rl->rl_mask];
		if (s->rs_used && s->rs_key == key)
			return s;
		/* Empty, or full again: as good as empty. */
		if (!s->rs_used || s->rs_full_at <= now) {
			if (spare == NULL || spare->rs_full_at > now)
				spare = s;
			continue;
		}
		if (spare == NULL || (spare->rs_full_at > now &&
		    s->rs_full_at < spare->rs_full_at))
			spare = s;
	}
	spare->rs_used = true;
	spare->rs_key = key;
	spare->rs_full_at = 0;
	return spare;
}

/* The interval between tokens and the burst, both in ns. */
static void
ratelimit_shape(unsigned long long per_minute, uint64_t *interval,
    uint64_t *burst)
{
	*interval = RATELIMIT_MINUTE_NS / per_minute;
	if (*interval == 0)
		*interval = 1;
	/* A full bucket lets per_minute requests through at once. */
	*burst = *interval * per_minute;
}

/* Whole seconds until a bucket full again at full_at holds a token. */
static int
ratelimit_wait(uint64_t full_at, uint64_t interval, uint64_t burst,
    uint64_t now_ns)
{
	uint64_t	wait;

	if (full_at < now_ns)
		full_at = now_ns;
	if (full_at + interval - now_ns <= burst)
		return 0;
	wait = full_at + interval - now_ns - burst;
	return (int)((wait + RATELIMIT_SECOND_NS - 1) / RATELIMIT_SECOND_NS);
}

int
ratelimit_take(struct ratelimit *rl, uint64_t key,
    unsigned long long per_minute, uint64_t now_ns)
{
	struct ratelimit_slot	*s;
	uint64_t		 interval, burst;
	int			 wait;

	if (per_minute == 0)
		return 0;
	ratelimit_shape(per_minute, &interval, &burst);
	s = ratelimit_slot(rl, key, now_ns);
	if ((wait = ratelimit_wait(s->rs_full_at, interval, burst,
	    now_ns)) != 0)
		return wait;
	s->rs_full_at = (s->rs_full_at > now_ns ? s->rs_full_at : now_ns) +
	    interval;
	return 0;
}

int
ratelimit_peek(const struct ratelimit *rl, uint64_t key,
    unsigned long long per_minute, uint64_t now_ns)
{
	const struct ratelimit_slot	*s;
	uint64_t			 interval, burst;
	size_t				 i, at;

	if (per_minute == 0)
		return 0;
	ratelimit_shape(per_minute, &interval, &burst);
	at = ratelimit_index(rl, key);
	for (i = 0; i < RATELIMIT_PROBE; i++) {
		s = &rl->rl_slots[(at + i) & rl->rl_mask];
		if (s->rs_used && s->rs_key == key)
			return ratelimit_wait(s->rs_full_at, interval, burst,
			    now_ns);
	}
	return 0;	/* not remembered: a full bucket */
}

void
ratelimit_charge(struct ratelimit *rl, uint64_t key,
    unsigned long long per_minute, uint64_t now_ns)
{
	struct ratelimit_slot	*s;
	uint64_t		 interval, burst;

	if (per_minute == 0)
		return;
	ratelimit_shape(per_minute, &interval, &burst);
	s = ratelimit_slot(rl, key, now_ns);
	s->rs_full_at = (s->rs_full_at > now_ns ? s->rs_full_at : now_ns) +
	    interval;
}

size_t
ratelimit_count(const struct ratelimit *rl, uint64_t now_ns)
{
	size_t	i, n = 0;

	for (i = 0; i <= rl->rl_mask; i++)
		if (rl->rl_slots[i].rs_used &&
		    rl->rl_slots[i].rs_full_at > now_ns)
			n++;
	return n;
}
