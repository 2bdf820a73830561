/*
 * demo.h — a year of made-up history for the --dev demo, so that the
 * first dashboard a newcomer sees has trends, units side by side,
 * distributions and comments. Written through core as intake writes a
 * response (core/intake.h intake_store()), the release rule in force.
 * Never for production stores.
 *
 * Return convention: 0 or a negative errno-style code.
 */
#ifndef PALAUTE_DAEMON_DEMO_H
#define PALAUTE_DAEMON_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct storage_txn;

/* The demo's surveys, in the order of ds_surveys. */
enum demo_kind { DEMO_CLIENT, DEMO_PANEL, DEMO_STAFF, DEMO_KINDS };

/* A unit of the demo and how many answer there each month. */
struct demo_unit {
	uint32_t	du_id;
	uint32_t	du_parent;	/* its owner when it pools */
	bool		du_pool;
	bool		du_busy;	/* many comments */
	int		du_mood;	/* -1 .. 1: how its clients feel */
	uint32_t	du_clients;	/* kiosk answers a month, about */
	uint32_t	du_panel;	/* client panel answers a month */
	uint32_t	du_staff;	/* staff answers a month */
};

struct demo_setup {
	const struct demo_unit	*ds_units;
	size_t			 ds_nunits;
	uint32_t		 ds_surveys[DEMO_KINDS];
};

/*
 * Store DEMO_MONTHS months of responses, up to today, in txn (the
 * writer's): *stored_out (may be NULL) gets how many.
 */
int	demo_history(struct storage_txn *txn, const struct demo_setup *ds,
	    size_t *stored_out);

#endif /* PALAUTE_DAEMON_DEMO_H */
