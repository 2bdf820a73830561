/*
 * ratelimit.h — token buckets for the public intake routes: per kiosk
 * device token, per form link, per client for enrollment. Keys are opaque
 * 64-bit tags (keyed hashes or ids); the table lives in memory only, is
 * never written anywhere, and has a fixed capacity.
 *
 * A bucket holds up to `per_minute` tokens (a minute's worth of burst) and
 * refills continuously at per_minute / 60 tokens a second. It is kept as
 * one number, the time at which it will be full again (GCRA): a key whose
 * time has passed is the same as an absent key, so the table forgets it
 * for free and a full table evicts the key closest to being full.
 *
 * Time is passed in (monotonic nanoseconds), so tests need no clock.
 * Not thread-safe: the event-loop thread owns it.
 */
#ifndef PALAUTE_CORE_RATELIMIT_H
#define PALAUTE_CORE_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* A table for about capacity keys (rounded up to a power of two). */
struct ratelimit	*ratelimit_new(size_t capacity);
void			 ratelimit_free(struct ratelimit *rl); /* accepts NULL */

/*
 * Take one token from key's bucket at now. 0: allowed. Otherwise the whole
 * seconds (>= 1) until a token is there, for Retry-After; nothing taken.
 * per_minute 0 means unlimited.
 */
int	ratelimit_take(struct ratelimit *rl, uint64_t key,
	    unsigned long long per_minute, uint64_t now_ns);

/*
 * The same two halves apart, for a limit that counts only what succeeded:
 * ratelimit_peek() says what ratelimit_take() would (0, or the seconds to
 * wait) and takes nothing; ratelimit_charge() takes a token whatever the
 * bucket holds, so that requests let through together may take it below
 * empty, and the next ones wait the longer.
 */
int	ratelimit_peek(const struct ratelimit *rl, uint64_t key,
	    unsigned long long per_minute, uint64_t now_ns);
void	ratelimit_charge(struct ratelimit *rl, uint64_t key,
	    unsigned long long per_minute, uint64_t now_ns);

/* Keys whose buckets are not full at now (for tests and metrics). */
size_t	ratelimit_count(const struct ratelimit *rl, uint64_t now_ns);

#endif /* PALAUTE_CORE_RATELIMIT_H */
