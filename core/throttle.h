/*
 * throttle.h — back-off after failed attempts (logins), keyed by an opaque
 * 64-bit tag: a keyed hash of an account name or of a client address. The
 * table lives in memory only, never on disk, and has a fixed capacity.
 *
 * The rule: an attempt starts only when the key is not locked and, if
 * other attempts of the key are still running, when those plus the failures
 * stay under the limit (so a burst of parallel guesses cannot overtake the
 * count). After `limit` failures in a row the key is locked for base
 * seconds, doubling with every further failure up to max seconds. A success
 * clears the key. A key idle for THROTTLE_FORGET seconds starts afresh.
 *
 * Time is passed in by the caller (monotonic seconds), so tests need no
 * clock. Not thread-safe: the event-loop thread owns it.
 * Return convention: as stated per function.
 */
#ifndef PALAUTE_CORE_THROTTLE_H
#define PALAUTE_CORE_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Failures older than this are forgotten (seconds). */
#define THROTTLE_FORGET		3600

struct throttle;

/*
 * A table of capacity keys; base and max are the first and the longest
 * lock in seconds. NULL when out of memory. Free with throttle_free().
 */
struct throttle	*throttle_new(size_t capacity, unsigned base, unsigned max);
void		 throttle_free(struct throttle *t);	/* accepts NULL */

/*
 * May an attempt under key start at now? 0: yes, and it counts as running
 * until throttle_end(). Otherwise the seconds to wait (>= 1), for a
 * Retry-After header. When the table is full the least recently used key
 * that has nothing running is forgotten; if every key has an attempt
 * running, the new one waits (fail closed).
 */
int	throttle_begin(struct throttle *t, uint64_t key, unsigned limit,
	    int64_t now);

/* The attempt begun under key ended; success clears the key's failures. */
void	throttle_end(struct throttle *t, uint64_t key, bool success,
	    unsigned limit, int64_t now);

/* The attempt begun under key was not made after all: neither counts. */
void	throttle_cancel(struct throttle *t, uint64_t key);

/* Keys in the table (for tests and metrics). */
size_t	throttle_count(const struct throttle *t);

#endif /* PALAUTE_CORE_THROTTLE_H */
