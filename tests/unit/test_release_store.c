/*
 * test_release_store.c — the small-group rule of DESIGN.md section 5 as a
 * property of the whole core, on a real store: random unit trees, survey
 * versions and kiosk and form collectors; responses through intake
 * (intake_item_prepare, intake_item_apply in a write transaction, commit),
 * pooling, moves and new versions as the routes make them; results read
 * as a manager gets them (the results model, its cache, the engine).
 *
 * The test keeps its own ground truth: every response in arrival order
 * per cell (survey, version, owner unit, bucket), the owner decided when
 * the response is stored, and the released state the rule implies. Every
 * read must equal the sum of the released truth of its groups; any two
 * reads of one query, whenever taken, may differ only by 0 or at least k
 * per number, a histogram only with its answered count; a pool change,
 * a move or a new version changes no released number of what is stored.
 * The checker itself is shown to catch a difference below k.
 *
 * Fixed seeds; util_today() is wrapped and moves forward with the run.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "common/error.h"
#include "common/util.h"
#include "core/agg.h"
#include "core/auth.h"
#include "core/catalog.h"
#include "core/cell.h"
#include "core/cells.h"
#include "core/collectors.h"
#include "core/intake.h"
#include "core/period.h"
#include "core/rec.h"
#include "core/release.h"
#include "core/results.h"
#include "core/survey.h"
#include "core/units.h"
#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

/*
 * Sizes: SEEDS stores, each STEPS events over about three months of days,
 * NQUERY queries per survey read at every moment. Small enough for a few
 * seconds (the commits' syncs are most of it; ASan's allocator costs some
 * four times the CPU), large enough that cells step hundreds of times,
 * pooled units fill their ancestors' cells and backdated answers reopen
 * old buckets.
 */
#define SEEDS		4	/* one test each: main() lists them */
#define STEPS		64
#define NSURVEYS	2
#define MAX_UNITS	9
#define MAX_VERSIONS	3
#define NQUERY		32
#define MAX_ITEMS	8	/* responses in one kiosk batch */
#define MAX_JOBS	4	/* jobs in one write transaction */
#define NQ		7	/* the question pool */
#define MAX_SLOTS	11
#define DAY0		19723	/* 2024-01-01, a Monday */
#define DAYS		(4 * STEPS)	/* today never passes DAY0 + DAYS */
#define NOW		1704100000LL	/* a Unix time on DAY0 */

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int64_t	__wrap_util_today(void);

static int64_t	fake_today = DAY0;

int64_t
__wrap_util_today(void)
{
	return fake_today;
}

/* ---------------------------------------------------------------- rng */

static uint64_t	rng;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((rng >> 33) % n);
}

/* ---------------------------------------------------------------- questions */

#define OPT(id)	"{\"id\": \"" id "\", \"text\": {\"fi\": \"" id "\"}}"

/*
 * Every question a version may have. A question keeps its id and shape in
 * every version (versions only add questions), so the engine sums it over
 * every version that has it, and so does the truth.
 */
static const struct pq {
	const char	*pq_id;
	enum qtype	 pq_type;
	unsigned	 pq_slots;
	const char	*pq_def;
} pq[NQ] = {
	{ "visit", QTYPE_SMILEY, 5, "\"type\": \"smiley\", \"required\": true" },
	{ "reason", QTYPE_CHOICE, 4, "\"type\": \"choice\", \"options\": ["
	    OPT("a") ", " OPT("b") ", " OPT("c") ", " OPT("d") "]" },
	{ "helped", QTYPE_YESNO, 2, "\"type\": \"yesno\"" },
	{ "topics", QTYPE_MULTI, 3, "\"type\": \"multi\", \"options\": ["
	    OPT("a") ", " OPT("b") ", " OPT("c") "]" },
	{ "comment", QTYPE_TEXT, 1, "\"type\": \"text\"" },
	{ "score", QTYPE_SCALE, 5, "\"type\": \"scale\", \"min\": 1, "
	    "\"max\": 5" },
	{ "nps", QTYPE_NPS, 11, "\"type\": \"nps\"" },
};
static const char *const opt_ids[] = { "a", "b", "c", "d" };

/* The first version's optional questions; later ones may add the rest. */
#define Q_FIRST_MASK	0x1eu

/* ---------------------------------------------------------------- truth */

/* One response as the cells count it: per question the slots it hits. */
struct resp {
	uint16_t	r_slots[NQ];	/* 0: not answered */
};

/* A cell's counters: live or released. */
struct tstate {
	uint32_t	t_n;
	uint32_t	t_ans[NQ];
	uint32_t	t_cnt[NQ][MAX_SLOTS];
};

/* A cell of the truth: its responses in arrival order. */
struct tcell {
	size_t		 c_s;		/* survey index */
	uint32_t	 c_version;
	uint32_t	 c_owner;
	int64_t		 c_bucket;
	struct resp	*c_resp;
	size_t		 c_nresp;
	size_t		 c_cap;
	size_t		 c_replayed;	/* c_live, c_rel are of this many */
	struct tstate	 c_live;
	struct tstate	 c_rel;
	unsigned	 c_steps;	/* of n, in the replay */
	unsigned	 c_qsteps;	/* of questions */
};

struct tunit {
	uint32_t	u_id;
	uint32_t	u_parent;	/* 0: a root */
	bool		u_pool;
	unsigned	u_weight;	/* how busy its collectors are */
};

struct tver {
	unsigned		v_k;
	enum period_kind	v_kind;
	uint32_t		v_qmask;	/* bits of pq[] */
};

/* A query a manager may send, before it is fitted to a family. */
enum range { R_FULL, R_ONE, R_EARLY, R_LATE, R_AFTER, R_COUNT };

struct query {
	uint32_t	q_unit;
	enum agg_by	q_by;
	uint32_t	q_vfilter;	/* 0: the current version's family */
	enum range	q_range;
	bool		q_coarse;	/* by=period in quarters (months) */
};

/* One group of a read, or of the truth's answer to the same query. */
struct rquestion {
	uint32_t	answered;
	uint32_t	counts[MAX_SLOTS];
};

struct rgroup {
	uint32_t	 unit;
	bool		 own;
	bool		 pool;
	int64_t		 from, to;
	uint64_t	 mask;		/* the units summed: the tree then */
	uint32_t	 n;
	uint32_t	 has;		/* bits of pq[] the group shows */
	struct rquestion q[NQ];
};

struct rread {
	bool		 valid;		/* the query fits the survey then */
	enum period_kind kind;
	uint32_t	 vset;		/* bits: the versions counted */
	uint32_t	 kmin;		/* smallest step among them */
	uint32_t	 kmax;		/* the reply's "k" */
	size_t		 ngroups;
	struct rgroup	*g;
};

struct tsurvey {
	uint32_t		ts_id;
	char			ts_slug[32];
	unsigned		ts_edits;
	uint32_t		ts_nver;
	struct tver		ts_v[MAX_VERSIONS + 1];	/* [1..ts_nver] */
	struct intake_target	ts_kiosk[MAX_UNITS];
	struct intake_target	ts_link[MAX_UNITS];
	struct query		ts_q[NQUERY];
};

/* What a run did, for its report. */
struct tally {
	unsigned long	events, commits, responses, duplicates, pools, moves;
	unsigned long	versions, in_place, new_period, cells, steps, qsteps;
	unsigned long	held, reads, cached, extents, pairs, compared;
	unsigned long	skipped, same;
};

struct world {
	char			 dir[256];
	char			 state[300];
	struct storage		*st;
	uint8_t			*hash_key;
	struct intake_state	*is;
	struct results_cache	*rc;
	struct tunit		 u[MAX_UNITS];
	size_t			 nunits;
	struct tsurvey		 sv[NSURVEYS];
	struct tcell		*cells;
	size_t			 ncells, capcells;
	unsigned		 seed;
	unsigned		 nextid;
	/* reads[m][s][q]: moment m, survey s, query q */
	struct rread		(*reads)[NSURVEYS][NQUERY];
	size_t			 nmoments, capmoments;
	bool			 selfchecked;
	/* The last kiosk batch, for a kiosk that sends it again. */
	const struct intake_target *last_tg;
	size_t			 last_s, last_unit;
	json_t			*last_obj[MAX_ITEMS];
	uint32_t		 last_day[MAX_ITEMS];
	size_t			 last_n;
	struct tally		*tally;
};

static size_t
unit_index(const struct world *w, uint32_t id)
{
	size_t	i;

	for (i = 0; i < w->nunits; i++)
		if (w->u[i].u_id == id)
			return i;
	fail_msg("no unit %u in the truth", id);
	return 0;
}

/* DESIGN §5, as the truth decides it: the nearest unpooled ancestor. */
static uint32_t
truth_owner(const struct world *w, uint32_t unit)
{
	const struct tunit	*t = &w->u[unit_index(w, unit)];

	while (t->u_pool && t->u_parent != 0)
		t = &w->u[unit_index(w, t->u_parent)];
	return t->u_id;
}

/* The units of unit's subtree, one bit per index. */
static uint64_t
truth_subtree(const struct world *w, uint32_t unit)
{
	uint64_t	mask = 0;
	size_t		i, steps;
	uint32_t	p;

	for (i = 0; i < w->nunits; i++)
		for (p = w->u[i].u_id, steps = 0; p != 0 && steps <= w->nunits;
		    steps++) {
			if (p == unit) {
				mask |= UINT64_C(1) << i;
				break;
			}
			p = w->u[unit_index(w, p)].u_parent;
		}
	return mask;
}

static bool
truth_has_responses(const struct world *w, size_t s, uint32_t version)
{
	size_t	i;

	for (i = 0; i < w->ncells; i++)
		if (w->cells[i].c_s == s && w->cells[i].c_version == version)
			return true;
	return false;
}

static void	truth_replay(const struct world *, struct tcell *);

/* What an admin is told as "has_responses": a released step of it. */
static bool
truth_has_released(const struct world *w, size_t s, uint32_t version)
{
	size_t	i;

	for (i = 0; i < w->ncells; i++) {
		if (w->cells[i].c_s != s || w->cells[i].c_version != version)
			continue;
		truth_replay(w, &w->cells[i]);
		if (w->cells[i].c_rel.t_n > 0)
			return true;
	}
	return false;
}

static void
truth_add(struct world *w, size_t s, uint32_t version, uint32_t owner,
    int64_t bucket, const struct resp *r)
{
	struct tcell	*c = NULL;
	size_t		 i, cap;

	for (i = 0; i < w->ncells; i++) {
		c = &w->cells[i];
		if (c->c_s == s && c->c_version == version &&
		    c->c_owner == owner && c->c_bucket == bucket)
			break;
	}
	if (i == w->ncells) {
		if (w->ncells == w->capcells) {
			cap = w->capcells ? w->capcells * 2 : 64;
			w->cells = realloc(w->cells, cap * sizeof(*w->cells));
			assert_non_null(w->cells);
			w->capcells = cap;
		}
		c = &w->cells[w->ncells++];
		memset(c, 0, sizeof(*c));
		c->c_s = s;
		c->c_version = version;
		c->c_owner = owner;
		c->c_bucket = bucket;
	}
	if (c->c_nresp == c->c_cap) {
		cap = c->c_cap ? c->c_cap * 2 : 16;
		c->c_resp = realloc(c->c_resp, cap * sizeof(*c->c_resp));
		assert_non_null(c->c_resp);
		c->c_cap = cap;
	}
	c->c_resp[c->c_nresp++] = *r;
}

/*
 * The rule, written again from DESIGN §5 and release.h rather than
 * called: replay the cell's responses in arrival order. Released n steps
 * to live n when live holds at least k more; at such a step a question
 * takes live's counts when it has at least k answers more than released.
 */
static void
truth_replay(const struct world *w, struct tcell *c)
{
	const struct tver	*v = &w->sv[c->c_s].ts_v[c->c_version];
	struct tstate		*live = &c->c_live, *rel = &c->c_rel;
	const struct resp	*r;
	size_t			 i, q, b;

	if (c->c_replayed == c->c_nresp)
		return;
	memset(live, 0, sizeof(*live));
	memset(rel, 0, sizeof(*rel));
	c->c_steps = c->c_qsteps = 0;
	for (i = 0; i < c->c_nresp; i++) {
		r = &c->c_resp[i];
		live->t_n++;
		for (q = 0; q < NQ; q++) {
			if (r->r_slots[q] == 0)
				continue;
			live->t_ans[q]++;
			for (b = 0; b < MAX_SLOTS; b++)
				if (r->r_slots[q] & 1u << b)
					live->t_cnt[q][b]++;
		}
		if (live->t_n - rel->t_n < v->v_k)
			continue;
		rel->t_n = live->t_n;
		c->c_steps++;
		for (q = 0; q < NQ; q++) {
			if (!(v->v_qmask & 1u << q) ||
			    live->t_ans[q] - rel->t_ans[q] < v->v_k)
				continue;
			c->c_qsteps++;
			rel->t_ans[q] = live->t_ans[q];
			memcpy(rel->t_cnt[q], live->t_cnt[q],
			    sizeof(rel->t_cnt[q]));
		}
	}
	c->c_replayed = c->c_nresp;
}

/* ---------------------------------------------------------------- queries */

/* A query fitted to the survey as it is now: the route's choices. */
struct fitted {
	enum period_kind kind;		/* the family's */
	enum period_kind gperiod;	/* by=period group length */
	int64_t		 from, to;
	uint32_t	 ref;		/* the version whose questions show */
	uint32_t	 vset;
	uint32_t	 kmin, kmax;
};

static bool
fit(const struct tsurvey *ts, const struct query *q, struct fitted *f)
{
	int64_t		lo = DAY0 - IDEM_WINDOW_DAYS, hi = DAY0 + DAYS + 1;
	int64_t		a, b;
	uint32_t	v;

	memset(f, 0, sizeof(*f));
	if (q->q_vfilter > ts->ts_nver)
		return false;
	f->ref = q->q_vfilter != 0 ? q->q_vfilter : ts->ts_nver;
	f->kind = ts->ts_v[f->ref].v_kind;
	f->gperiod = f->kind;
	f->kmin = UINT32_MAX;
	for (v = 1; v <= ts->ts_nver; v++) {
		if (ts->ts_v[v].v_kind != f->kind)
			continue;
		/* agg_k(): the strictest min_group of the family. */
		if (ts->ts_v[v].v_k > f->kmax)
			f->kmax = ts->ts_v[v].v_k;
		if (q->q_vfilter != 0 && v != q->q_vfilter)
			continue;
		f->vset |= 1u << v;
		if (ts->ts_v[v].v_k < f->kmin)
			f->kmin = ts->ts_v[v].v_k;
	}
	switch (q->q_range) {
	case R_FULL:
		a = lo;
		b = hi;
		break;
	case R_ONE:
		a = b = DAY0 + 40;
		break;
	case R_EARLY:
		a = lo;
		b = DAY0 + 20;
		break;
	case R_LATE:
		a = DAY0 + 45;
		b = hi;
		break;
	default:
		a = b = hi + 60;
		break;
	}
	if (q->q_by == AGG_BY_PERIOD && q->q_coarse &&
	    f->kind == PERIOD_MONTH)
		f->gperiod = PERIOD_QUARTER;
	f->from = period_bucket(f->gperiod, a);
	f->to = period_last_day(f->gperiod, b);
	return true;
}

/* The released truth of the cells of one group, summed. */
static void
truth_sum(const struct world *w, size_t s, const struct fitted *f,
    struct rgroup *g)
{
	const struct tsurvey	*ts = &w->sv[s];
	struct tcell		*c;
	size_t			 i, q, b;

	g->n = 0;
	g->has = ts->ts_v[f->ref].v_qmask;
	memset(g->q, 0, sizeof(g->q));
	for (i = 0; i < w->ncells; i++) {
		c = &w->cells[i];
		if (c->c_s != s || !(f->vset & 1u << c->c_version) ||
		    !(g->mask & UINT64_C(1) << unit_index(w, c->c_owner)) ||
		    c->c_bucket < g->from || c->c_bucket > g->to)
			continue;
		truth_replay(w, c);
		g->n += c->c_rel.t_n;
		for (q = 0; q < NQ; q++) {
			if (!(g->has & 1u << q) ||
			    !(ts->ts_v[c->c_version].v_qmask & 1u << q))
				continue;
			g->q[q].answered += c->c_rel.t_ans[q];
			for (b = 0; b < pq[q].pq_slots; b++)
				g->q[q].counts[b] += c->c_rel.t_cnt[q][b];
		}
	}
}

static struct rgroup *
add_group(struct rread *rr, size_t *cap)
{
	struct rgroup	*g;

	if (rr->ngroups == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		rr->g = realloc(rr->g, *cap * sizeof(*rr->g));
		assert_non_null(rr->g);
	}
	g = &rr->g[rr->ngroups++];
	memset(g, 0, sizeof(*g));
	return g;
}

/* What the query must answer, from the truth alone. */
static void
truth_read(const struct world *w, size_t s, const struct query *q,
    struct rread *rr)
{
	struct fitted	 f;
	struct rgroup	*g;
	size_t		 cap = 0, i, j;
	int64_t		 b;
	uint32_t	 kids[MAX_UNITS];
	size_t		 nkids = 0;

	memset(rr, 0, sizeof(*rr));
	if (!fit(&w->sv[s], q, &f))
		return;
	rr->valid = true;
	rr->kind = f.kind;
	rr->vset = f.vset;
	rr->kmin = f.kmin;
	rr->kmax = f.kmax;
	switch (q->q_by) {
	case AGG_BY_NONE:
		g = add_group(rr, &cap);
		g->unit = q->q_unit;
		g->from = f.from;
		g->to = f.to;
		g->mask = truth_subtree(w, q->q_unit);
		truth_sum(w, s, &f, g);
		break;
	case AGG_BY_PERIOD:
		for (b = f.from; b <= f.to; b = period_last_day(f.gperiod,
		    b) + 1) {
			g = add_group(rr, &cap);
			g->unit = q->q_unit;
			g->from = b;
			g->to = period_last_day(f.gperiod, b);
			g->mask = truth_subtree(w, q->q_unit);
			truth_sum(w, s, &f, g);
		}
		break;
	case AGG_BY_UNIT:
		g = add_group(rr, &cap);
		g->unit = q->q_unit;
		g->own = true;
		g->from = f.from;
		g->to = f.to;
		g->mask = UINT64_C(1) << unit_index(w, q->q_unit);
		truth_sum(w, s, &f, g);
		/* Children in id order. */
		for (i = 0; i < w->nunits; i++)
			if (w->u[i].u_parent == q->q_unit)
				kids[nkids++] = w->u[i].u_id;
		for (i = 1; i < nkids; i++)
			for (j = i; j > 0 && kids[j - 1] > kids[j]; j--) {
				uint32_t t = kids[j];

				kids[j] = kids[j - 1];
				kids[j - 1] = t;
			}
		for (i = 0; i < nkids; i++) {
			g = add_group(rr, &cap);
			g->unit = kids[i];
			g->pool = w->u[unit_index(w, kids[i])].u_pool;
			g->from = f.from;
			g->to = f.to;
			g->mask = truth_subtree(w, kids[i]);
			truth_sum(w, s, &f, g);
		}
		break;
	}
}

static void
rread_clear(struct rread *rr)
{
	free(rr->g);
	memset(rr, 0, sizeof(*rr));
}

static void
rread_copy(struct rread *dst, const struct rread *src)
{
	*dst = *src;
	dst->g = calloc(src->ngroups + 1, sizeof(*dst->g));
	assert_non_null(dst->g);
	memcpy(dst->g, src->g, src->ngroups * sizeof(*dst->g));
}

/* ---------------------------------------------------------------- checks */

/*
 * A checker's findings. The checks report rather than assert, so that
 * the self-check can feed them a corrupted pair and see them object.
 */
struct verdict {
	unsigned	bad;
	unsigned long	compared;	/* groups compared */
	unsigned long	skipped;	/* groups whose units changed */
	char		why[320];
};

static void	flag(struct verdict *v, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static void
flag(struct verdict *v, const char *fmt, ...)
{
	va_list	ap;

	if (v->bad++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static const struct rgroup *
find_group(const struct rread *rr, const struct rgroup *g)
{
	size_t	i;

	for (i = 0; i < rr->ngroups; i++)
		if (rr->g[i].unit == g->unit && rr->g[i].own == g->own &&
		    rr->g[i].from == g->from && rr->g[i].to == g->to)
			return &rr->g[i];
	return NULL;
}

/* A released number from a to b: it stays, or grows by k or more. */
static void
check_step(struct verdict *v, const struct rgroup *g, const char *what,
    uint32_t a, uint32_t b, uint32_t k)
{
	int64_t	d = (int64_t)b - a;

	if (d < 0 || (d > 0 && d < k))
		flag(v, "unit %u%s [%lld, %lld]: %s moved from %u to %u "
		    "(k %u)", g->unit, g->own ? " own" : "",
		    (long long)g->from, (long long)g->to, what, a, b, k);
}

/*
 * Two reads of one query, a before b. Every group whose units are the
 * same in both: n and each answered count moved by 0 or by at least k
 * (the smallest step of the versions counted), each histogram slot by at
 * least 0 and at most its answered count's move (a respondent hits a slot
 * once), so not at all when answered stayed.
 */
static void
check_pair(const struct rread *a, const struct rread *b, struct verdict *v)
{
	const struct rgroup	*ga, *gb;
	uint32_t		 k, common;
	int64_t			 d, dc;
	size_t			 i, q, s;

	/* Another family (the current version's period changed): another
	 * set of cells, nothing to compare. */
	if (!a->valid || !b->valid || a->kind != b->kind)
		return;
	k = a->kmin < b->kmin ? a->kmin : b->kmin;
	for (i = 0; i < b->ngroups; i++) {
		gb = &b->g[i];
		if ((ga = find_group(a, gb)) == NULL)
			continue;
		if (ga->mask != gb->mask) {
			v->skipped++;
			continue;
		}
		v->compared++;
		check_step(v, gb, "n", ga->n, gb->n, k);
		common = ga->has & gb->has;
		for (q = 0; q < NQ; q++) {
			if (!(common & 1u << q))
				continue;
			check_step(v, gb, pq[q].pq_id, ga->q[q].answered,
			    gb->q[q].answered, k);
			d = (int64_t)gb->q[q].answered - ga->q[q].answered;
			for (s = 0; s < pq[q].pq_slots; s++) {
				dc = (int64_t)gb->q[q].counts[s] -
				    ga->q[q].counts[s];
				if (dc < 0 || dc > d)
					flag(v, "unit %u%s [%lld, %lld]: %s "
					    "slot %zu moved by %lld while "
					    "answered moved by %lld", gb->unit,
					    gb->own ? " own" : "",
					    (long long)gb->from,
					    (long long)gb->to, pq[q].pq_id, s,
					    (long long)dc, (long long)d);
			}
		}
	}
}

/*
 * Reads right before and right after a change that stores nothing (a
 * pool flag, a move, a new version): every group whose units are the same
 * reads the same numbers.
 */
static void
check_same(const struct rread *a, const struct rread *b, struct verdict *v)
{
	const struct rgroup	*ga, *gb;
	uint32_t		 common;
	size_t			 i, q;

	if (!a->valid || !b->valid || a->kind != b->kind)
		return;
	for (i = 0; i < b->ngroups; i++) {
		gb = &b->g[i];
		if ((ga = find_group(a, gb)) == NULL || ga->mask != gb->mask)
			continue;
		v->compared++;
		if (ga->n != gb->n)
			flag(v, "unit %u%s: n %u became %u with nothing "
			    "stored", gb->unit, gb->own ? " own" : "", ga->n,
			    gb->n);
		common = ga->has & gb->has;
		for (q = 0; q < NQ; q++)
			if ((common & 1u << q) && memcmp(&ga->q[q],
			    &gb->q[q], sizeof(ga->q[q])) != 0)
				flag(v, "unit %u%s: %s changed with nothing "
				    "stored", gb->unit, gb->own ? " own" : "",
				    pq[q].pq_id);
	}
}

/* A read against the truth's answer to the same query, number by number. */
static void
check_truth(const struct rread *got, const struct rread *want,
    struct verdict *v)
{
	const struct rgroup	*g, *t;
	size_t			 i, q, s;

	if (got->valid != want->valid) {
		flag(v, "the query %s", want->valid ? "failed" :
		    "should have failed");
		return;
	}
	if (!want->valid)
		return;
	if (got->kind != want->kind || got->vset != want->vset ||
	    got->kmax != want->kmax || got->ngroups != want->ngroups) {
		flag(v, "reply: kind %d/%d versions %#x/%#x k %u/%u groups "
		    "%zu/%zu", got->kind, want->kind, got->vset, want->vset,
		    got->kmax, want->kmax, got->ngroups, want->ngroups);
		return;
	}
	for (i = 0; i < want->ngroups; i++) {
		g = &got->g[i];
		t = &want->g[i];
		v->compared++;
		if (g->unit != t->unit || g->own != t->own ||
		    g->pool != t->pool || g->from != t->from ||
		    g->to != t->to || g->has != t->has) {
			flag(v, "group %zu: unit %u/%u own %d/%d pool %d/%d "
			    "[%lld, %lld]/[%lld, %lld] questions %#x/%#x", i,
			    g->unit, t->unit, g->own, t->own, g->pool,
			    t->pool, (long long)g->from, (long long)g->to,
			    (long long)t->from, (long long)t->to, g->has,
			    t->has);
			continue;
		}
		if (g->n != t->n)
			flag(v, "unit %u%s [%lld, %lld]: n %u, the released "
			    "cells hold %u", g->unit, g->own ? " own" : "",
			    (long long)g->from, (long long)g->to, g->n, t->n);
		for (q = 0; q < NQ; q++) {
			if (!(t->has & 1u << q))
				continue;
			if (g->q[q].answered != t->q[q].answered)
				flag(v, "unit %u%s [%lld, %lld]: %s answered "
				    "%u, the released cells hold %u", g->unit,
				    g->own ? " own" : "", (long long)g->from,
				    (long long)g->to, pq[q].pq_id,
				    g->q[q].answered, t->q[q].answered);
			for (s = 0; s < pq[q].pq_slots; s++)
				if (g->q[q].counts[s] != t->q[q].counts[s])
					flag(v, "unit %u [%lld, %lld]: %s slot "
					    "%zu is %u, the released cells "
					    "hold %u", g->unit,
					    (long long)g->from,
					    (long long)g->to, pq[q].pq_id, s,
					    g->q[q].counts[s],
					    t->q[q].counts[s]);
		}
	}
}

/*
 * The checkers fed corrupted copies of a read: one n up by 1, one answered
 * up by k - 1, one histogram slot moved alone, must each be caught, against
 * the read (a step below k) and against the truth (a wrong sum); a whole
 * step of k is a legal move and must not be.
 */
static void
self_check(const struct rread *rd, const struct rread *truth)
{
	struct rread	bad;
	struct verdict	v;
	size_t		q;

	assert_true(rd->valid && rd->ngroups > 0);

	rread_copy(&bad, rd);
	bad.g[0].n += 1;
	memset(&v, 0, sizeof(v));
	check_pair(rd, &bad, &v);
	assert_int_not_equal(v.bad, 0);
	memset(&v, 0, sizeof(v));
	check_truth(&bad, truth, &v);
	assert_int_not_equal(v.bad, 0);
	/* The same read moved back: released numbers never go down. */
	memset(&v, 0, sizeof(v));
	check_pair(&bad, rd, &v);
	assert_int_not_equal(v.bad, 0);

	/* A whole step is what the rule allows, and still a wrong sum. */
	bad.g[0].n = rd->g[0].n + rd->kmin;
	memset(&v, 0, sizeof(v));
	check_pair(rd, &bad, &v);
	assert_int_equal(v.bad, 0);
	memset(&v, 0, sizeof(v));
	check_truth(&bad, truth, &v);
	assert_int_not_equal(v.bad, 0);
	rread_clear(&bad);

	for (q = 0; q < NQ && !(rd->g[0].has & 1u << q); q++)
		;
	assert_true(q < NQ);
	rread_copy(&bad, rd);
	bad.g[0].q[q].answered += rd->kmin - 1;
	memset(&v, 0, sizeof(v));
	check_pair(rd, &bad, &v);
	assert_int_not_equal(v.bad, 0);
	rread_clear(&bad);

	rread_copy(&bad, rd);
	bad.g[0].q[q].counts[0] += 1;
	memset(&v, 0, sizeof(v));
	check_pair(rd, &bad, &v);
	assert_int_not_equal(v.bad, 0);
	memset(&v, 0, sizeof(v));
	check_truth(&bad, truth, &v);
	assert_int_not_equal(v.bad, 0);
	/* Nothing stored in between, yet a number moved. */
	memset(&v, 0, sizeof(v));
	check_same(rd, &bad, &v);
	assert_int_not_equal(v.bad, 0);
	rread_clear(&bad);

	/* And the read itself passes all three. */
	memset(&v, 0, sizeof(v));
	check_pair(rd, rd, &v);
	check_same(rd, rd, &v);
	check_truth(rd, truth, &v);
	assert_int_equal(v.bad, 0);
}

/* ---------------------------------------------------------------- reads */

static uint32_t
int_member(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	assert_true(json_is_integer(v));
	assert_true(json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= UINT32_MAX);
	return (uint32_t)json_integer_value(v);
}

static int64_t
date_member(const json_t *obj, const char *key)
{
	int64_t	day = 0;

	assert_int_equal(util_parse_date(json_string_value(json_object_get(obj,
	    key)), &day), 0);
	return day;
}

/* A reply of agg_results() as numbers; the units summed from the truth. */
static void
parse_read(const struct world *w, const struct fitted *f, const json_t *doc,
    struct rread *rr)
{
	const json_t	*groups, *gj, *qs, *qj, *counts, *x;
	struct rgroup	*g;
	size_t		 i, j, q;

	memset(rr, 0, sizeof(*rr));
	rr->valid = true;
	assert_int_equal(period_parse(json_string_value(json_object_get(doc,
	    "period")), &rr->kind), 0);
	json_array_foreach(json_object_get(doc, "versions"), i, x)
		rr->vset |= 1u << json_integer_value(x);
	rr->kmin = f->kmin;
	rr->kmax = int_member(doc, "k");
	groups = json_object_get(doc, "groups");
	rr->ngroups = json_array_size(groups);
	rr->g = calloc(rr->ngroups + 1, sizeof(*rr->g));
	assert_non_null(rr->g);
	json_array_foreach(groups, i, gj) {
		g = &rr->g[i];
		g->unit = int_member(gj, "unit");
		g->own = json_is_true(json_object_get(gj, "own"));
		g->pool = json_is_true(json_object_get(gj, "pool"));
		g->from = date_member(gj, "from");
		g->to = date_member(gj, "to");
		g->mask = g->own ? UINT64_C(1) << unit_index(w, g->unit) :
		    truth_subtree(w, g->unit);
		g->n = int_member(gj, "n");
		qs = json_object_get(gj, "questions");
		for (q = 0; q < NQ; q++) {
			if ((qj = json_object_get(qs, pq[q].pq_id)) == NULL)
				continue;
			g->has |= 1u << q;
			if (pq[q].pq_type == QTYPE_TEXT) {
				/* A comment is one answer of its one slot. */
				g->q[q].answered = int_member(qj, "comments");
				g->q[q].counts[0] = g->q[q].answered;
				continue;
			}
			g->q[q].answered = int_member(qj, "answered");
			counts = json_object_get(qj, "counts");
			assert_int_equal(json_array_size(counts),
			    pq[q].pq_slots);
			json_array_foreach(counts, j, x)
				g->q[q].counts[j] = (uint32_t)
				    json_integer_value(x);
		}
		assert_int_equal(json_object_size(qs),
		    (size_t)__builtin_popcount(g->has));
	}
}

/* One survey's reads at one moment: a read transaction and its models. */
struct reading {
	struct results_read	 rd;
	struct results_model	*cached;	/* through the cache */
	struct results_model	*whole;		/* read whole, no cache */
};

static void
reading_begin(struct world *w, size_t s, struct reading *r)
{
	uint64_t	g2[RG_COUNT];

	memset(r, 0, sizeof(*r));
	/* As the route does: generations before and after the begin. */
	r->rd.rx_store = w->st;
	r->rd.rx_survey = w->sv[s].ts_id;
	results_gens(w->st, r->rd.rx_gen);
	assert_int_equal(storage_txn_begin(w->st, false, &r->rd.rx_txn), 0);
	results_gens(w->st, g2);
	r->rd.rx_fresh = results_gen_eq(r->rd.rx_gen, g2);
	assert_true(r->rd.rx_fresh);
	assert_int_equal(results_model_get(w->rc, &r->rd, &r->cached), 0);
	assert_int_equal(results_model_get(NULL, &r->rd, &r->whole), 0);
}

static void
reading_end(struct reading *r)
{
	results_model_put(r->cached);
	results_model_put(r->whole);
	storage_txn_abort(r->rd.rx_txn);
}

static json_t *
agg_read(struct results_model *m, struct storage_txn *txn, uint32_t survey,
    const struct query *q, const struct fitted *f)
{
	struct agg		*a = NULL;
	struct agg_query	 aq;
	json_t			*doc = NULL;

	assert_int_equal(results_model_agg(m, txn, f->kind, &a), 0);
	memset(&aq, 0, sizeof(aq));
	aq.aq_survey = survey;
	assert_int_equal(agg_unit_index(a, q->q_unit, &aq.aq_unit), 0);
	aq.aq_from = f->from;
	aq.aq_to = f->to;
	aq.aq_by = q->q_by;
	aq.aq_period = f->gperiod;
	aq.aq_version = q->q_vfilter;
	assert_int_equal(agg_results(a, &aq, &doc), 0);
	return doc;
}

static void
describe(const struct query *q, char *buf, size_t len)
{
	static const char *const by[] = { "none", "period", "unit" };

	snprintf(buf, len, "unit=%u by=%s%s version=%u range=%d", q->q_unit,
	    by[q->q_by], q->q_coarse ? "(quarter)" : "", q->q_vfilter,
	    (int)q->q_range);
}

static void
verdict_assert(const struct world *w, const struct verdict *v,
    const char *what, size_t s, const struct query *q)
{
	char	desc[128] = "";

	if (v->bad == 0)
		return;
	if (q != NULL)
		describe(q, desc, sizeof(desc));
	fail_msg("seed %u, moment %zu, survey %zu, %s: %s: %u violation(s), "
	    "first: %s", w->seed, w->nmoments, s, desc, what, v->bad, v->why);
}

/*
 * The route keeps recent replies under the generations they were read
 * at, keyed as it keys them: one found must be the reply the model gives
 * now.
 */
static void
reply_cache(struct world *w, struct reading *r, const struct query *q,
    const struct fitted *f, const json_t *doc)
{
	char	 key[160], *body = NULL;
	size_t	 len = 0;
	json_t	*kept;

	snprintf(key, sizeof(key), "%u|%u|%lld|%lld|%d|%d|%u",
	    r->rd.rx_survey, q->q_unit, (long long)f->from, (long long)f->to,
	    (int)q->q_by, (int)f->gperiod, q->q_vfilter);
	if (results_body_find(w->rc, &r->rd, key, &body, &len) == 0) {
		assert_non_null(kept = json_loadb(body, len, 0, NULL));
		assert_true(json_equal(kept, doc));
		json_decref(kept);
		free(body);
		w->tally->cached++;
		return;
	}
	assert_non_null(body = json_dumps(doc, JSON_COMPACT));
	results_body_keep(w->rc, &r->rd, key, body, strlen(body));
	free(body);
}

/*
 * The default range of a reader (agg_extent): the first and last bucket
 * where the unit's subtree has released anything, from the truth.
 */
static void
check_extent(struct world *w, size_t s, struct reading *r,
    enum period_kind kind)
{
	struct results_model	*models[2] = { r->cached, r->whole };
	struct agg		*a;
	struct tcell		*c;
	uint64_t		 mask;
	int64_t			 first, last, lo, hi;
	size_t			 ui, i, m, idx;
	int			 rc;

	for (ui = 0; ui < w->nunits; ui++) {
		mask = truth_subtree(w, w->u[ui].u_id);
		lo = INT64_MAX;
		hi = INT64_MIN;
		for (i = 0; i < w->ncells; i++) {
			c = &w->cells[i];
			if (c->c_s != s || w->sv[s].ts_v[c->c_version].v_kind !=
			    kind || !(mask & UINT64_C(1) << unit_index(w,
			    c->c_owner)))
				continue;
			truth_replay(w, c);
			if (c->c_rel.t_n == 0)
				continue;
			if (c->c_bucket < lo)
				lo = c->c_bucket;
			if (c->c_bucket > hi)
				hi = c->c_bucket;
		}
		for (m = 0; m < NELEM(models); m++) {
			assert_int_equal(results_model_agg(models[m],
			    r->rd.rx_txn, kind, &a), 0);
			assert_int_equal(agg_unit_index(a, w->u[ui].u_id,
			    &idx), 0);
			rc = agg_extent(a, idx, &first, &last);
			if (lo == INT64_MAX) {
				assert_int_equal(rc, -ENOENT);
				continue;
			}
			assert_int_equal(rc, 0);
			if (first != lo || last != period_last_day(kind, hi))
				fail_msg("seed %u: unit %u: extent [%lld, "
				    "%lld], released cells [%lld, %lld]",
				    w->seed, w->u[ui].u_id, (long long)first,
				    (long long)last, (long long)lo,
				    (long long)period_last_day(kind, hi));
		}
		w->tally->extents++;
	}
}

/*
 * One query as a manager reads it (the cached model, and with keep the
 * reply cache too), checked against the same query on a model read whole
 * (the cache brought up to date from the journal must agree) and against
 * the truth. *rr gets the read.
 */
static void
read_query(struct world *w, size_t s, struct reading *r,
    const struct query *q, struct rread *rr, bool keep)
{
	struct rread	 want;
	struct verdict	 v;
	struct fitted	 f;
	json_t		*doc, *doc2;

	memset(rr, 0, sizeof(*rr));
	truth_read(w, s, q, &want);
	if (fit(&w->sv[s], q, &f)) {
		doc = agg_read(r->cached, r->rd.rx_txn, w->sv[s].ts_id, q, &f);
		doc2 = agg_read(r->whole, r->rd.rx_txn, w->sv[s].ts_id, q, &f);
		if (!json_equal(doc, doc2)) {
			char	*a = json_dumps(doc, JSON_COMPACT);
			char	*b = json_dumps(doc2, JSON_COMPACT);

			fail_msg("seed %u: the cached model reads %s, the "
			    "model read whole %s", w->seed, a, b);
		}
		parse_read(w, &f, doc, rr);
		if (keep)
			reply_cache(w, r, q, &f, doc);
		json_decref(doc);
		json_decref(doc2);
		w->tally->reads++;
	}
	memset(&v, 0, sizeof(v));
	check_truth(rr, &want, &v);
	verdict_assert(w, &v, "read against the truth", s, q);
	if (!w->selfchecked && rr->valid && rr->ngroups > 0 &&
	    rr->g[0].n > 0 && rr->g[0].has != 0) {
		self_check(rr, &want);
		w->selfchecked = true;
	}
	rread_clear(&want);
}

/*
 * The store's cells against the truth's: every cell live and released as
 * the replay says, and no cell the truth does not know. A failure here
 * points at the writer; one in read_query() alone, at the read path.
 */
struct cellcount {
	const struct world	*cc_w;
	size_t			 cc_s;
	size_t			 cc_n;
};

static int
count_cell(const struct cells_id *id, const struct cell *c,
    const struct cell *released, void *arg)
{
	struct cellcount	*cc = arg;

	(void)id;
	assert_non_null(released);
	assert_true(release_consistent(released, c));
	cc->cc_n++;
	return 0;
}

static void
check_state(const struct tstate *t, const struct cell *c, uint32_t qmask,
    const char *which, const struct tcell *tc, unsigned seed)
{
	size_t	q, qi = 0, b;

	if (c->c_n != t->t_n)
		fail_msg("seed %u: cell (version %u, unit %u, bucket %lld): "
		    "%s n %u, the truth %u", seed, tc->c_version, tc->c_owner,
		    (long long)tc->c_bucket, which, c->c_n, t->t_n);
	for (q = 0; q < NQ; q++) {
		if (!(qmask & 1u << q))
			continue;
		assert_int_equal(c->c_nslots[qi], pq[q].pq_slots);
		if (c->c_answered[qi] != t->t_ans[q])
			fail_msg("seed %u: cell (version %u, unit %u, bucket "
			    "%lld): %s %s answered %u, the truth %u", seed,
			    tc->c_version, tc->c_owner,
			    (long long)tc->c_bucket, which, pq[q].pq_id,
			    c->c_answered[qi], t->t_ans[q]);
		for (b = 0; b < pq[q].pq_slots; b++)
			assert_int_equal(cell_hist(c, qi)[b], t->t_cnt[q][b]);
		qi++;
	}
	assert_int_equal(qi, c->c_nquestions);
}

static void
check_cells(struct world *w, size_t s, struct storage_txn *txn)
{
	struct cellcount	 cc;
	struct cells_id		 id;
	struct cell		*live, *rel;
	struct tcell		*tc;
	size_t			 i, n = 0;

	for (i = 0; i < w->ncells; i++) {
		tc = &w->cells[i];
		if (tc->c_s != s)
			continue;
		n++;
		truth_replay(w, tc);
		id.ci_survey = w->sv[s].ts_id;
		id.ci_version = tc->c_version;
		id.ci_unit = tc->c_owner;
		id.ci_bucket = (uint32_t)tc->c_bucket;
		live = rel = NULL;
		assert_int_equal(cells_get_pair(txn, &id, &live, &rel), 0);
		assert_non_null(rel);
		check_state(&tc->c_live, live, w->sv[s].ts_v[tc->c_version].
		    v_qmask, "live", tc, w->seed);
		check_state(&tc->c_rel, rel, w->sv[s].ts_v[tc->c_version].
		    v_qmask, "released", tc, w->seed);
		cell_free(live);
		cell_free(rel);
	}
	cc.cc_w = w;
	cc.cc_s = s;
	cc.cc_n = 0;
	assert_int_equal(cells_each(txn, w->sv[s].ts_id, count_cell, &cc), 0);
	assert_int_equal(cc.cc_n, n);
}

/*
 * A moment: every query of every survey read, checked against the truth,
 * and against every earlier read of the same query.
 */
static size_t
moment(struct world *w)
{
	struct reading	 r;
	struct verdict	 v;
	size_t		 m, p, s, i;
	uint32_t	 kinds, k, ver;

	if (w->nmoments == w->capmoments) {
		w->capmoments = w->capmoments ? w->capmoments * 2 : 32;
		w->reads = realloc(w->reads, w->capmoments *
		    sizeof(*w->reads));
		assert_non_null(w->reads);
	}
	m = w->nmoments;
	for (s = 0; s < NSURVEYS; s++) {
		reading_begin(w, s, &r);
		check_cells(w, s, r.rd.rx_txn);
		/* The reply cache for a quarter: encoding every reply is
		 * dear. */
		for (i = 0; i < NQUERY; i++)
			read_query(w, s, &r, &w->sv[s].ts_q[i],
			    &w->reads[m][s][i], i % 4 == 0);
		kinds = 0;
		for (ver = 1; ver <= w->sv[s].ts_nver; ver++)
			kinds |= 1u << w->sv[s].ts_v[ver].v_kind;
		for (k = 0; k < PERIOD_COUNT; k++)
			if (kinds & 1u << k)
				check_extent(w, s, &r, (enum period_kind)k);
		reading_end(&r);
		for (i = 0; i < NQUERY; i++)
			for (p = 0; p < m; p++) {
				memset(&v, 0, sizeof(v));
				check_pair(&w->reads[p][s][i],
				    &w->reads[m][s][i], &v);
				if (v.bad != 0)
					snprintf(v.why + strlen(v.why),
					    sizeof(v.why) - strlen(v.why),
					    " (moments %zu and %zu)", p, m);
				verdict_assert(w, &v, "two reads",
				    s, &w->sv[s].ts_q[i]);
				w->tally->pairs++;
				w->tally->compared += v.compared;
				w->tally->skipped += v.skipped;
			}
	}
	w->nmoments++;
	return m;
}

/* Moments a and b (a change that stores nothing between): the same. */
static void
same_moments(struct world *w, size_t a, size_t b)
{
	struct verdict	v;
	size_t		s, i;

	for (s = 0; s < NSURVEYS; s++)
		for (i = 0; i < NQUERY; i++) {
			memset(&v, 0, sizeof(v));
			check_same(&w->reads[a][s][i], &w->reads[b][s][i],
			    &v);
			verdict_assert(w, &v, "before and after a change",
			    s, &w->sv[s].ts_q[i]);
			w->tally->same += v.compared;
		}
}

/* ---------------------------------------------------------------- store */

static json_t *
survey_def(const struct tsurvey *ts, const struct tver *v)
{
	char		 qs[4096], text[8192];
	size_t		 off = 0, q;
	json_error_t	 je;
	json_t		*def;
	int		 n;

	qs[0] = '\0';
	for (q = 0; q < NQ; q++) {
		if (!(v->v_qmask & 1u << q))
			continue;
		n = snprintf(qs + off, sizeof(qs) - off, "%s{\"id\": \"%s\", "
		    "\"text\": {\"fi\": \"Kysymys %s\"}, %s}", off ? ", " : "",
		    pq[q].pq_id, pq[q].pq_id, pq[q].pq_def);
		assert_true(n > 0 && (size_t)n < sizeof(qs) - off);
		off += (size_t)n;
	}
	n = snprintf(text, sizeof(text),
	    "{\"slug\": \"%s\", \"title\": {\"fi\": \"Kysely %u\"},"
	    " \"audience\": \"client\", \"languages\": [\"fi\"],"
	    " \"questions\": [%s],"
	    " \"privacy\": {\"controller\": {\"fi\": \"C\"},"
	    "  \"purpose\": {\"fi\": \"P\"}, \"contact\": \"c@example.org\","
	    "  \"retention_months\": 24, \"voluntary\": true,"
	    "  \"anonymous\": true},"
	    " \"min_group\": %u, \"min_group_comments\": 10,"
	    " \"period\": \"%s\"}", ts->ts_slug, ts->ts_edits, qs, v->v_k,
	    period_name(v->v_kind));
	assert_true(n > 0 && (size_t)n < sizeof(text));
	def = json_loads(text, 0, &je);
	if (def == NULL)
		fail_msg("definition: %s", je.text);
	return def;
}

static struct tver
random_version(const struct tver *prev)
{
	struct tver	v;
	uint32_t	q;

	v.v_k = 3 + rnd(3);
	if (prev == NULL) {
		v.v_kind = rnd(2) ? PERIOD_MONTH : PERIOD_WEEK;
		v.v_qmask = 1u | (rnd(16) << 1 & Q_FIRST_MASK);
		return v;
	}
	v.v_kind = rnd(4) == 0 ? (prev->v_kind == PERIOD_WEEK ? PERIOD_MONTH :
	    PERIOD_WEEK) : prev->v_kind;
	v.v_qmask = prev->v_qmask;
	/* Some versions add an optional question. */
	q = 1 + rnd(NQ - 1);
	if (rnd(3) != 0)
		v.v_qmask |= 1u << q;
	return v;
}

/*
 * A new definition of survey s, as the survey route's update stores it:
 * once the survey is open (it has a collector) a change is version + 1,
 * answered or not, so that the version number tells nothing of responses;
 * before that the version is rewritten in place.
 */
static void
publish(struct world *w, size_t s)
{
	struct tsurvey		*ts = &w->sv[s];
	struct storage_txn	*txn = NULL;
	struct survey		*parsed = NULL;
	struct error		 err;
	struct tver		 nv;
	uint8_t			 key[CATALOG_KEYLEN];
	json_t			*def, *rec = NULL, *old = NULL, *canon = NULL;
	uint32_t		 version;
	size_t			 ncollectors = 0;
	bool			 responses = false, released = false;
	bool			 adds = true, fresh;

	nv = random_version(&ts->ts_v[ts->ts_nver]);
	ts->ts_edits++;
	def = survey_def(ts, &nv);
	memset(&err, 0, sizeof(err));
	if (survey_parse(def, &parsed, &err) != 0)
		fail_msg("survey_parse: %s: %s", err.er_field, err.er_message);
	assert_int_equal(storage_txn_begin(w->st, true, &txn), 0);
	assert_int_equal(catalog_get(txn, ts->ts_id, &rec), 0);
	version = (uint32_t)json_integer_value(json_object_get(rec,
	    "version"));
	assert_int_equal(version, ts->ts_nver);
	assert_int_equal(catalog_canonical(parsed, ts->ts_id, &canon, &err),
	    0);
	assert_int_equal(catalog_definition(txn, ts->ts_id, version, &old,
	    NULL), 0);
	assert_int_equal(collectors_count_of_survey(txn, ts->ts_id,
	    &ncollectors), 0);
	assert_int_equal(catalog_update_adds_version(txn, rec, ncollectors,
	    &adds), 0);
	assert_int_equal(adds, ncollectors > 0);
	/* And what admins are told of the version: its released state. */
	assert_int_equal(catalog_has_responses(txn, ts->ts_id, version,
	    &responses), 0);
	assert_int_equal(responses, truth_has_responses(w, s, version));
	assert_int_equal(catalog_has_released(txn, ts->ts_id, version,
	    &released), 0);
	assert_int_equal(released, truth_has_released(w, s, version));
	fresh = !json_equal(old, canon) && adds;
	if (fresh)
		version++;
	else
		w->tally->in_place++;
	if (nv.v_kind != ts->ts_v[ts->ts_nver].v_kind)
		w->tally->new_period++;
	catalog_key(ts->ts_id, version, key);
	assert_int_equal(rec_put_key(txn, STORAGE_DB_SURVEYS, key, sizeof(key),
	    canon, fresh ? STORAGE_NOOVERWRITE : 0), 0);
	assert_int_equal(json_object_set_new(rec, "version",
	    json_integer(version)), 0);
	assert_int_equal(rec_put(txn, STORAGE_DB_SURVEYS, ts->ts_id, rec), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	ts->ts_nver = version;
	ts->ts_v[version] = nv;
	json_decref(def);
	json_decref(rec);
	json_decref(old);
	json_decref(canon);
	survey_free(parsed);
	w->tally->versions++;
}

/* A unit's parent and pool flag, as the unit route's update writes them. */
static void
unit_update(struct world *w, size_t ui, uint32_t parent, bool pool)
{
	struct storage_txn	*txn = NULL;
	struct units_tree	*tree = NULL;
	struct error		 err;
	json_t			*rec = NULL, *out;
	uint32_t		 id = w->u[ui].u_id;

	memset(&err, 0, sizeof(err));
	assert_int_equal(storage_txn_begin(w->st, true, &txn), 0);
	assert_int_equal(units_get(txn, id, &rec), 0);
	assert_int_equal(units_tree_load(txn, &tree), 0);
	assert_false(units_would_cycle(tree, id, parent));
	assert_int_equal(units_check_parent(txn, parent, pool, &err), 0);
	assert_non_null(out = units_record(id, json_object_get(rec, "name"),
	    parent, pool));
	assert_int_equal(rec_put(txn, STORAGE_DB_UNITS, id, out), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	units_tree_free(tree);
	json_decref(rec);
	json_decref(out);
	w->u[ui].u_parent = parent;
	w->u[ui].u_pool = pool;
}

/* A collector of kind for survey s at unit index ui; a kiosk enrolled. */
static void
make_collector(struct world *w, struct storage_txn *txn, size_t s,
    size_t ui, enum collectors_kind kind, struct intake_target *tg)
{
	struct collectors_issue	*ci = NULL;
	struct error		 err;
	uint8_t			 h[AUTH_HASH_BYTES];
	uint32_t		 id, cid;
	int64_t			 expires;

	memset(&err, 0, sizeof(err));
	assert_int_equal(collectors_issue_new(w->hash_key, kind,
	    w->sv[s].ts_id, w->u[ui].u_id, 0, 0, NOW, &ci), 0);
	assert_int_equal(collectors_create(txn, ci, &id, &err), 0);
	if (kind == COLLECTORS_KIOSK) {
		assert_int_equal(collectors_code_hash(w->hash_key,
		    COLLECTORS_PURPOSE_ENROLL, collectors_issue_code(ci, 0), h),
		    0);
		assert_int_equal(collectors_enroll_lookup(txn, h, &cid,
		    &expires), 0);
		assert_int_equal(cid, id);
		assert_int_equal(collectors_enroll_burn(txn, h), 0);
	}
	assert_int_equal(intake_target(txn, id, tg), 0);
	assert_int_equal(tg->tg_kind, kind);
	collectors_issue_free(ci);
}

static void
world_open(struct world *w, unsigned seed, struct tally *tally)
{
	struct storage_txn	*txn = NULL;
	struct error		 err;
	json_t			*name, *def;
	char			 fi[32];
	size_t			 i, s, q;
	bool			 second_root;

	memset(w, 0, sizeof(*w));
	w->seed = seed;
	w->tally = tally;
	rng = seed;
	fake_today = DAY0;
	assert_int_equal(tmpdir_make(w->dir, sizeof(w->dir), "release"), 0);
	assert_int_equal(tmpdir_store_open(w->dir, w->state, sizeof(w->state),
	    NULL, &w->st), 0);
	assert_int_equal(auth_key_load(w->st, &w->hash_key), 0);
	assert_non_null(w->is = intake_state_new());
	/* Before any write: it keeps the journal of changed cells. */
	assert_non_null(w->rc = results_cache_new(w->st));

	memset(&err, 0, sizeof(err));
	assert_int_equal(storage_txn_begin(w->st, true, &txn), 0);
	/*
	 * The tree: unit 1 a root, each other unit below an earlier one, a
	 * second root sometimes; a quarter of the units pool.
	 */
	w->nunits = 6 + rnd(MAX_UNITS - 5);
	second_root = rnd(3) == 0;
	for (i = 0; i < w->nunits; i++) {
		struct tunit	*t = &w->u[i];

		t->u_parent = i == 0 || (second_root && i == w->nunits - 2) ?
		    0 : w->u[rnd((uint32_t)i)].u_id;
		t->u_pool = t->u_parent != 0 && rnd(4) == 0;
		t->u_weight = 1 + rnd(4);
		snprintf(fi, sizeof(fi), "Yksikkö %zu", i + 1);
		assert_non_null(name = json_pack("{s:s}", "fi", fi));
		assert_int_equal(units_create(txn, name, t->u_parent,
		    t->u_pool, &t->u_id, &err), 0);
		json_decref(name);
	}
	for (s = 0; s < NSURVEYS; s++) {
		struct tsurvey	*ts = &w->sv[s];

		snprintf(ts->ts_slug, sizeof(ts->ts_slug), "kysely-%zu", s + 1);
		ts->ts_nver = 1;
		ts->ts_v[1] = random_version(NULL);
		def = survey_def(ts, &ts->ts_v[1]);
		if (catalog_create(txn, def, &ts->ts_id, &err) != 0)
			fail_msg("catalog_create: %s: %s", err.er_field,
			    err.er_message);
		json_decref(def);
		/* The queries: the root's total first, then at random. */
		for (q = 0; q < NQUERY; q++) {
			struct query	*qq = &ts->ts_q[q];

			qq->q_unit = q == 0 ? w->u[0].u_id :
			    w->u[rnd((uint32_t)w->nunits)].u_id;
			qq->q_by = q == 0 ? AGG_BY_NONE : (enum agg_by)rnd(3);
			qq->q_vfilter = q == 0 ? 0 : rnd(MAX_VERSIONS + 1);
			qq->q_range = q == 0 ? R_FULL : (enum range)rnd(R_COUNT);
			qq->q_coarse = rnd(2) == 0;
		}
	}
	assert_int_equal(storage_txn_commit(txn), 0);
	for (s = 0; s < NSURVEYS; s++) {
		struct tsurvey	*ts = &w->sv[s];

		/* Edited before it opens: rewritten in place. */
		if (rnd(2) == 0) {
			publish(w, s);
			assert_int_equal(ts->ts_nver, 1);
		}
		/* Its collectors open it: every edit is a new version now. */
		assert_int_equal(storage_txn_begin(w->st, true, &txn), 0);
		for (i = 0; i < w->nunits; i++) {
			make_collector(w, txn, s, i, COLLECTORS_KIOSK,
			    &ts->ts_kiosk[i]);
			make_collector(w, txn, s, i, COLLECTORS_LINK,
			    &ts->ts_link[i]);
		}
		assert_int_equal(storage_txn_commit(txn), 0);
	}
}

static void
forget_last(struct world *w)
{
	size_t	i;

	for (i = 0; i < w->last_n; i++)
		json_decref(w->last_obj[i]);
	w->last_n = 0;
}

/*
 * Everything of a world, whatever state a failed check left it in (the
 * store is removed in any case); w itself too.
 */
static int
world_close(struct world *w)
{
	size_t	m, s, i;
	int	rc = 0;

	for (m = 0; m < w->nmoments; m++)
		for (s = 0; s < NSURVEYS; s++)
			for (i = 0; i < NQUERY; i++)
				rread_clear(&w->reads[m][s][i]);
	free(w->reads);
	forget_last(w);
	for (i = 0; i < w->ncells; i++)
		free(w->cells[i].c_resp);
	free(w->cells);
	results_cache_free(w->rc);
	intake_state_free(w->is);
	sodium_free(w->hash_key);
	storage_close(w->st);
	if (w->dir[0] != '\0')
		rc = tmpdir_remove(w->dir);
	free(w);
	return rc;
}

/* ---------------------------------------------------------------- events */

/* A unit index, the busy ones more often. */
static size_t
pick_unit(const struct world *w)
{
	unsigned	total = 0, x;
	size_t		i;

	for (i = 0; i < w->nunits; i++)
		total += w->u[i].u_weight;
	x = rnd(total);
	for (i = 0; i < w->nunits; i++) {
		if (x < w->u[i].u_weight)
			return i;
		x -= w->u[i].u_weight;
	}
	return 0;
}

/* Random answers to version v: the JSON a client sends, and the slots. */
static json_t *
make_answers(const struct tver *v, struct resp *r)
{
	json_t		*ans, *val = NULL, *arr;
	uint32_t	 x, b;
	size_t		 q;

	memset(r, 0, sizeof(*r));
	assert_non_null(ans = json_object());
	for (q = 0; q < NQ; q++) {
		if (!(v->v_qmask & 1u << q))
			continue;
		/* Optional questions are skipped at their own rates. */
		if (q != 0 && rnd(10) < 2 + q % 4)
			continue;
		switch (pq[q].pq_type) {
		case QTYPE_SMILEY:
		case QTYPE_SCALE:
			x = rnd(5);
			val = json_integer(x + 1);
			r->r_slots[q] = (uint16_t)(1u << x);
			break;
		case QTYPE_NPS:
			x = rnd(11);
			val = json_integer(x);
			r->r_slots[q] = (uint16_t)(1u << x);
			break;
		case QTYPE_CHOICE:
			x = rnd(pq[q].pq_slots);
			val = json_string(opt_ids[x]);
			r->r_slots[q] = (uint16_t)(1u << x);
			break;
		case QTYPE_MULTI:
			x = 1 + rnd((1u << pq[q].pq_slots) - 1);
			assert_non_null(arr = json_array());
			for (b = 0; b < pq[q].pq_slots; b++)
				if (x & 1u << b)
					json_array_append_new(arr,
					    json_string(opt_ids[b]));
			val = arr;
			r->r_slots[q] = (uint16_t)x;
			break;
		case QTYPE_YESNO:
			x = rnd(2);
			val = json_boolean(x);
			r->r_slots[q] = (uint16_t)(1u << x);
			break;
		case QTYPE_TEXT:
			val = json_string("Palvelu oli hyvää.");
			r->r_slots[q] = 1;
			break;
		default:
			fail();
		}
		assert_int_equal(json_object_set_new(ans, pq[q].pq_id, val), 0);
	}
	return ans;
}

/* One writer job: a kiosk's batch or one form submission. */
struct job {
	size_t			 j_s;
	size_t			 j_unit;	/* index */
	const struct intake_target *j_tg;
	bool			 j_again;	/* a batch sent before */
	struct intake_item	 j_items[MAX_ITEMS];
	struct resp		 j_resp[MAX_ITEMS];
	uint32_t		 j_version[MAX_ITEMS];
	size_t			 j_n;
};

/* Check the job's responses as the loop does; the owner is decided now. */
static void
prepare_items(struct world *w, struct job *j, json_t *const *obj,
    const uint32_t *day)
{
	struct intake_read	rd;
	struct error		err;
	size_t			i;

	intake_read_init(&rd, w->is, w->st, w->hash_key);
	for (i = 0; i < j->j_n; i++) {
		memset(&err, 0, sizeof(err));
		if (intake_item_prepare(&rd, j->j_tg, obj[i], day[i],
		    &j->j_items[i], &err) != 0)
			fail_msg("intake_item_prepare: %s: %s", err.er_field,
			    err.er_message);
		assert_int_equal(j->j_items[i].ii_owner,
		    truth_owner(w, w->u[j->j_unit].u_id));
		if (!j->j_again)
			assert_int_equal(intake_survey_version(
			    j->j_items[i].ii_survey), j->j_version[i]);
	}
	intake_read_end(&rd);
}

static void
prepare_job(struct world *w, struct job *j)
{
	struct tsurvey	*ts;
	json_t		*obj[MAX_ITEMS];
	uint32_t	 day[MAX_ITEMS];
	char		 id[40];
	uint32_t	 back;
	size_t		 i;
	bool		 kiosk = rnd(3) != 0;

	memset(j, 0, sizeof(*j));
	if (w->last_n > 0 && rnd(8) == 0) {
		/*
		 * A kiosk that never heard back sends its batch again: every
		 * response is a duplicate and counts nothing. The route has
		 * already refused those whose day left the window.
		 */
		j->j_again = true;
		j->j_tg = w->last_tg;
		j->j_s = w->last_s;
		j->j_unit = w->last_unit;
		for (i = 0; i < w->last_n; i++)
			if (idem_day_check(w->last_day[i], fake_today) ==
			    IDEM_DAY_OK) {
				obj[j->j_n] = w->last_obj[i];
				day[j->j_n++] = w->last_day[i];
			}
		prepare_items(w, j, obj, day);
		return;
	}
	j->j_s = rnd(NSURVEYS);
	ts = &w->sv[j->j_s];
	j->j_unit = pick_unit(w);
	j->j_tg = kiosk ? &ts->ts_kiosk[j->j_unit] : &ts->ts_link[j->j_unit];
	j->j_n = kiosk ? 1 + rnd(MAX_ITEMS) : 1;
	for (i = 0; i < j->j_n; i++) {
		/*
		 * A form answers today; a kiosk's offline queue reaches two
		 * weeks back (into older buckets) and its local date a day
		 * ahead, and may hold answers to an older version.
		 */
		back = rnd(10);
		day[i] = (uint32_t)fake_today;
		if (kiosk && back >= 7)
			day[i] -= rnd(IDEM_WINDOW_DAYS + 1);
		else if (kiosk && back == 6)
			day[i] += IDEM_AHEAD_DAYS;
		/* The route's check, before anything reaches intake. */
		assert_int_equal(idem_day_check(day[i], fake_today),
		    IDEM_DAY_OK);
		j->j_version[i] = kiosk && ts->ts_nver > 1 && rnd(6) == 0 ?
		    1 + rnd(ts->ts_nver - 1) : ts->ts_nver;
		snprintf(id, sizeof(id), "resp-%u-%06u", w->seed, w->nextid++);
		obj[i] = json_pack("{s:s, s:s, s:o}", "id", id, "lang", "fi",
		    "answers", make_answers(&ts->ts_v[j->j_version[i]],
		    &j->j_resp[i]));
		assert_non_null(obj[i]);
		if (j->j_version[i] != ts->ts_nver)
			json_object_set_new(obj[i], "version",
			    json_integer(j->j_version[i]));
	}
	prepare_items(w, j, obj, day);
	if (kiosk) {
		forget_last(w);
		w->last_tg = j->j_tg;
		w->last_s = j->j_s;
		w->last_unit = j->j_unit;
		w->last_n = j->j_n;
		memcpy(w->last_obj, obj, j->j_n * sizeof(obj[0]));
		memcpy(w->last_day, day, j->j_n * sizeof(day[0]));
	} else
		json_decref(obj[0]);
}

/*
 * Responses: one to MAX_JOBS jobs prepared as the loop does, then stored
 * as the writer does, each job in a child of one write transaction and
 * each response in a child of its job's; commit; count them in the truth.
 */
static void
intake_event(struct world *w)
{
	struct job		 jobs[MAX_JOBS];
	struct storage_txn	*txn = NULL, *jc = NULL, *ic = NULL;
	struct intake_item	*it;
	const struct tver	*v;
	size_t			 nj = 1 + rnd(MAX_JOBS), j, i;

	for (j = 0; j < nj; j++)
		prepare_job(w, &jobs[j]);
	assert_int_equal(storage_txn_begin(w->st, true, &txn), 0);
	for (j = 0; j < nj; j++) {
		assert_int_equal(storage_txn_begin_child(txn, &jc), 0);
		for (i = 0; i < jobs[j].j_n; i++) {
			it = &jobs[j].j_items[i];
			assert_int_equal(storage_txn_begin_child(jc, &ic), 0);
			if (intake_item_apply(w->is, ic, jobs[j].j_tg, it,
			    NULL) != 0)
				fail_msg("intake_item_apply: %s",
				    it->ii_err.er_message);
			assert_int_equal(it->ii_outcome, jobs[j].j_again ?
			    INTAKE_DUPLICATE : INTAKE_STORED);
			assert_int_equal(storage_txn_commit(ic), 0);
		}
		assert_int_equal(storage_txn_commit(jc), 0);
	}
	assert_int_equal(intake_batch_precommit(w->is, txn), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	intake_batch_done(w->is, 0);
	for (j = 0; j < nj; j++) {
		for (i = 0; i < jobs[j].j_n; i++) {
			it = &jobs[j].j_items[i];
			if (jobs[j].j_again) {
				w->tally->duplicates++;
			} else {
				v = &w->sv[jobs[j].j_s].ts_v[
				    jobs[j].j_version[i]];
				truth_add(w, jobs[j].j_s, jobs[j].j_version[i],
				    it->ii_owner, period_bucket(v->v_kind,
				    it->ii_day), &jobs[j].j_resp[i]);
				w->tally->responses++;
			}
			intake_item_clear(it);
		}
	}
	w->tally->commits++;
}

/* A unit that is not the first (unit 1 is a root and stays one). */
static size_t
pick_child(const struct world *w)
{
	return 1 + rnd((uint32_t)w->nunits - 1);
}

static void
pool_event(struct world *w)
{
	size_t	ui = pick_child(w);
	size_t	a, b;

	if (w->u[ui].u_parent == 0)
		return;		/* a root cannot pool */
	a = moment(w);
	unit_update(w, ui, w->u[ui].u_parent, !w->u[ui].u_pool);
	b = moment(w);
	same_moments(w, a, b);
	w->tally->pools++;
}

/*
 * Totals by=none over the whole range for every unit and version filter:
 * what a move may change, and by how much.
 */
struct totals {
	bool		valid[MAX_VERSIONS + 1];
	struct rgroup	g[MAX_VERSIONS + 1][MAX_UNITS];
};

static void
read_totals(struct world *w, size_t s, struct totals *t)
{
	struct reading	r;
	struct rread	rr;
	struct query	q;
	size_t		ui;
	uint32_t	vf;

	memset(t, 0, sizeof(*t));
	reading_begin(w, s, &r);
	for (vf = 0; vf <= MAX_VERSIONS; vf++)
		for (ui = 0; ui < w->nunits; ui++) {
			memset(&q, 0, sizeof(q));
			q.q_unit = w->u[ui].u_id;
			q.q_by = AGG_BY_NONE;
			q.q_vfilter = vf;
			q.q_range = R_FULL;
			read_query(w, s, &r, &q, &rr, false);
			t->valid[vf] = rr.valid;
			if (rr.valid)
				t->g[vf][ui] = rr.g[0];
			rread_clear(&rr);
		}
	reading_end(&r);
}

/* after == before + sign * moved, number by number. */
static void
check_moved(struct verdict *v, const struct rgroup *before,
    const struct rgroup *after, const struct rgroup *moved, int sign)
{
	size_t	q, s;

	v->compared++;
	if ((int64_t)after->n != (int64_t)before->n + sign *
	    (int64_t)moved->n)
		flag(v, "unit %u: n %u then %u, the moved subtree holds %u "
		    "(sign %d)", after->unit, before->n, after->n, moved->n,
		    sign);
	for (q = 0; q < NQ; q++) {
		if (!(after->has & before->has & 1u << q))
			continue;
		if ((int64_t)after->q[q].answered != (int64_t)before->q[q].
		    answered + sign * (int64_t)moved->q[q].answered)
			flag(v, "unit %u: %s answered %u then %u, the moved "
			    "subtree holds %u (sign %d)", after->unit,
			    pq[q].pq_id, before->q[q].answered,
			    after->q[q].answered, moved->q[q].answered, sign);
		for (s = 0; s < pq[q].pq_slots; s++)
			if ((int64_t)after->q[q].counts[s] != (int64_t)before->
			    q[q].counts[s] + sign *
			    (int64_t)moved->q[q].counts[s])
				flag(v, "unit %u: %s slot %zu moved wrong",
				    after->unit, pq[q].pq_id, s);
	}
}

/*
 * Move a unit below another: reads before and after are the same for
 * every group whose units did not change, the moved subtree's total is
 * the same, and every ancestor it left (joined) lost (gained) exactly
 * that total.
 */
static void
move_event(struct world *w)
{
	struct totals	*before, *after;
	struct verdict	 v;
	uint64_t	 sub, in_before, in_after;
	uint32_t	 cand[MAX_UNITS], vf;
	size_t		 ui = pick_child(w), i, n = 0, s, a, b;
	int		 sign;

	sub = truth_subtree(w, w->u[ui].u_id);
	for (i = 0; i < w->nunits; i++)
		if (!(sub & UINT64_C(1) << i) &&
		    w->u[i].u_id != w->u[ui].u_parent)
			cand[n++] = w->u[i].u_id;
	if (n == 0)
		return;
	assert_non_null(before = calloc(NSURVEYS, sizeof(*before)));
	assert_non_null(after = calloc(NSURVEYS, sizeof(*after)));
	in_before = 0;
	for (i = 0; i < w->nunits; i++)
		if (truth_subtree(w, w->u[i].u_id) & UINT64_C(1) << ui)
			in_before |= UINT64_C(1) << i;
	for (s = 0; s < NSURVEYS; s++)
		read_totals(w, s, &before[s]);
	a = moment(w);
	unit_update(w, ui, cand[rnd((uint32_t)n)], w->u[ui].u_pool);
	b = moment(w);
	same_moments(w, a, b);
	in_after = 0;
	for (i = 0; i < w->nunits; i++)
		if (truth_subtree(w, w->u[i].u_id) & UINT64_C(1) << ui)
			in_after |= UINT64_C(1) << i;
	memset(&v, 0, sizeof(v));
	for (s = 0; s < NSURVEYS; s++) {
		read_totals(w, s, &after[s]);
		for (vf = 0; vf <= MAX_VERSIONS; vf++) {
			if (!before[s].valid[vf])
				continue;
			assert_true(after[s].valid[vf]);
			check_moved(&v, &before[s].g[vf][ui],
			    &after[s].g[vf][ui], &before[s].g[vf][ui], 0);
			for (i = 0; i < w->nunits; i++) {
				sign = !!(in_after & UINT64_C(1) << i) -
				    !!(in_before & UINT64_C(1) << i);
				check_moved(&v, &before[s].g[vf][i],
				    &after[s].g[vf][i], &before[s].g[vf][ui],
				    sign);
			}
		}
	}
	verdict_assert(w, &v, "totals across a move", 0, NULL);
	w->tally->same += v.compared;
	free(before);
	free(after);
	w->tally->moves++;
}

static void
version_event(struct world *w)
{
	size_t		s = rnd(NSURVEYS), a, b;
	struct tsurvey	*ts = &w->sv[s];

	if (ts->ts_nver == MAX_VERSIONS)
		return;
	a = moment(w);
	publish(w, s);
	b = moment(w);
	same_moments(w, a, b);
	/* Edited again before anyone answered it: a version of none. */
	if (rnd(3) == 0 && ts->ts_nver < MAX_VERSIONS) {
		publish(w, s);
		a = moment(w);
		same_moments(w, b, a);
	}
}

static struct tally	tally;
static unsigned		seeds[SEEDS] = { 1, 2, 3, 4 };

/* A seed's world; the teardown removes its store even after a failure. */
static int
seed_setup(void **state)
{
	struct world	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->seed = *(unsigned *)*state;
	*state = w;
	return 0;
}

static int
seed_teardown(void **state)
{
	return world_close(*state);
}

static void
test_release_seed(void **state)
{
	struct world	*w = *state;
	unsigned	 step, x;

	world_open(w, w->seed, &tally);
	moment(w);
	for (step = 0; step < STEPS; step++) {
		tally.events++;
		/* About 1.5 days a step: months and weeks fill buckets. */
		fake_today += rnd(4);
		x = rnd(100);
		if (x < 6)
			pool_event(w);
		else if (x < 12)
			move_event(w);
		else if (x < 16 || step == STEPS / 3 || step == 2 * STEPS / 3)
			version_event(w);
		else
			intake_event(w);
		if (rnd(5) == 0)
			moment(w);
	}
	moment(w);
	assert_true(fake_today <= DAY0 + DAYS);
	for (step = 0; step < w->ncells; step++) {
		struct tcell	*c = &w->cells[step];

		truth_replay(w, c);
		tally.cells++;
		tally.steps += c->c_steps;
		tally.qsteps += c->c_qsteps;
		tally.held += c->c_live.t_n - c->c_rel.t_n;
	}
	/* The run stepped something, and the checker was shown to bite. */
	assert_true(w->selfchecked);
}

/* What the seeds did together. */
static int
report(void **state)
{
	(void)state;
	print_message("%u seeds: %lu events: %lu commits of %lu responses "
	    "(%lu more sent again), %lu pool changes, %lu moves, %lu survey "
	    "edits (%lu in place, %lu to another period)\n", SEEDS,
	    tally.events, tally.commits, tally.responses, tally.duplicates,
	    tally.pools, tally.moves, tally.versions, tally.in_place,
	    tally.new_period);
	print_message("%lu cells: %lu steps of n, %lu of questions, %lu "
	    "responses held back at the end\n", tally.cells, tally.steps,
	    tally.qsteps, tally.held);
	print_message("%lu reads (%lu replies from the cache), %lu extents; "
	    "%lu pairs of reads, %lu group comparisons (%lu skipped: units "
	    "changed), %lu before/after comparisons\n", tally.reads,
	    tally.cached, tally.extents, tally.pairs, tally.compared,
	    tally.skipped, tally.same);
	return 0;
}

/*
 * The checkers on hand-made reads: a move of 1 (or k - 1) in n or in an
 * answered count, a histogram that moves alone, a number that goes down:
 * each is a violation; a whole step of k is not.
 */
static void
test_checker_catches(void **state)
{
	struct rread	a, b;
	struct rgroup	ga, gb;
	struct verdict	v;

	(void)state;
	memset(&ga, 0, sizeof(ga));
	ga.unit = 1;
	ga.from = DAY0;
	ga.to = DAY0 + 30;
	ga.mask = 3;
	ga.n = 10;
	ga.has = 1u << 0 | 1u << 2;
	ga.q[0].answered = 10;
	ga.q[0].counts[4] = 10;
	ga.q[2].answered = 5;
	ga.q[2].counts[1] = 5;
	memset(&a, 0, sizeof(a));
	a.valid = true;
	a.kind = PERIOD_MONTH;
	a.vset = 2;
	a.kmin = a.kmax = 5;
	a.ngroups = 1;
	a.g = &ga;
	b = a;
	b.g = &gb;

	gb = ga;
	gb.n = 15;
	gb.q[0].answered = 15;
	gb.q[0].counts[3] = 5;
	memset(&v, 0, sizeof(v));
	check_pair(&a, &b, &v);
	assert_int_equal(v.bad, 0);
	assert_int_equal(v.compared, 1);

	gb.n = 16;		/* one response more than a step */
	memset(&v, 0, sizeof(v));
	check_pair(&a, &b, &v);
	assert_int_equal(v.bad, 0);
	gb.n = 11;		/* one response: singled out */
	memset(&v, 0, sizeof(v));
	check_pair(&a, &b, &v);
	assert_int_equal(v.bad, 1);
	assert_non_null(strstr(v.why, "n moved from 10 to 11"));

	gb = ga;
	gb.q[2].answered = 9;	/* k - 1 more answers */
	memset(&v, 0, sizeof(v));
	check_pair(&a, &b, &v);
	assert_int_not_equal(v.bad, 0);

	gb = ga;
	gb.q[2].counts[0] = 1;	/* a histogram without its answered */
	gb.q[2].counts[1] = 4;
	memset(&v, 0, sizeof(v));
	check_pair(&a, &b, &v);
	assert_int_not_equal(v.bad, 0);

	gb = ga;
	gb.n = 5;		/* released numbers never go down */
	memset(&v, 0, sizeof(v));
	check_pair(&a, &b, &v);
	assert_int_not_equal(v.bad, 0);
	memset(&v, 0, sizeof(v));
	check_same(&a, &b, &v);
	assert_int_not_equal(v.bad, 0);
	memset(&v, 0, sizeof(v));
	check_truth(&b, &a, &v);
	assert_int_not_equal(v.bad, 0);

	gb = ga;
	gb.n = 11;
	gb.mask = 7;		/* another set of units: not comparable */
	memset(&v, 0, sizeof(v));
	check_pair(&a, &b, &v);
	assert_int_equal(v.bad, 0);
	assert_int_equal(v.skipped, 1);
}

int
main(void)
{
#define SEED(i)	{ .name = "test_release_seed_" #i, \
	.test_func = test_release_seed, .setup_func = seed_setup, \
	.teardown_func = seed_teardown, .initial_state = &seeds[(i) - 1] }
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_catches),
		SEED(1), SEED(2), SEED(3), SEED(4),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, report);
}
