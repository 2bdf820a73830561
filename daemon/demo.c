/*
 * demo.c — a year of history for the --dev demo (daemon/demo.h): made-up
 * responses to the client, panel and staff surveys, stored through core
 * exactly as intake stores a response (intake_store()): sealed records,
 * cells whose released state steps, comments in steps of k_comments.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/log.h"
#include "common/util.h"
#include "core/answers.h"
#include "core/catalog.h"
#include "core/collectors.h"
#include "core/intake.h"
#include "core/period.h"
#include "core/survey.h"
#include "daemon/demo.h"
#include "storage/storage.h"

/* Months of history, the current one included. */
#define DEMO_MONTHS	12

/*
 * A fixed seed: every demo is the same, so a newcomer's screenshots match
 * the README and a test can count on what is there.
 */
#define DEMO_SEED	0x5eed2026u

struct demo_rng {
	uint64_t	r_state;
};

static uint32_t
demo_rand(struct demo_rng *r, uint32_t n)
{
	/* xorshift64*: plenty for made-up answers. */
	r->r_state ^= r->r_state >> 12;
	r->r_state ^= r->r_state << 25;
	r->r_state ^= r->r_state >> 27;
	return (uint32_t)(((r->r_state * 2685821657736338717ULL) >> 33) % n);
}

/* What people write, by tone (0 bad .. 2 good) and language. */
static const char *const demo_comments[3][3][4] = {
	{	/* bad */
		{ "Jouduin odottamaan yli tunnin.",
		  "Kukaan ei vastannut puhelimeen koko viikolla.",
		  "Asiani siirtyi taas seuraavalle kerralle.",
		  "Aulassa oli liian kova melu." },
		{ "Jag fick vänta över en timme.",
		  "Ingen svarade i telefon hela veckan.",
		  "Mitt ärende sköts upp igen.",
		  "Det var för mycket buller i väntrummet." },
		{ "I had to wait for over an hour.",
		  "Nobody answered the phone all week.",
		  "My matter was put off again.",
		  "The lobby was far too noisy." },
	},
	{	/* middling */
		{ "Ihan ok, mutta lomakkeet ovat vaikeita.",
		  "Sain apua, mutta ohjeet jäivät epäselviksi.",
		  "Aukioloajat voisivat olla pidemmät.",
		  "Parkkipaikkoja on liian vähän." },
		{ "Helt okej, men blanketterna är svåra.",
		  "Jag fick hjälp, men anvisningarna var oklara.",
		  "Öppettiderna kunde vara längre.",
		  "Det finns för få parkeringsplatser." },
		{ "Fine, but the forms are hard.",
		  "I got help, but the instructions were unclear.",
		  "The opening hours could be longer.",
		  "There are too few parking spaces." },
	},
	{	/* good */
		{ "Kiitos, sain asiani hoidettua kerralla.",
		  "Työntekijä kuunteli ja otti minut tosissaan.",
		  "Ystävällinen vastaanotto, hyvä mieli jäi.",
		  "Pajalla on hyvä porukka ja mukavaa tekemistä." },
		{ "Tack, mitt ärende sköttes på en gång.",
		  "Arbetaren lyssnade och tog mig på allvar.",
		  "Vänligt bemötande, jag gick glad därifrån.",
		  "Verkstaden har ett bra gäng och trevligt arbete." },
		{ "Thank you, everything was sorted in one go.",
		  "The worker listened and took me seriously.",
		  "A friendly welcome, I left in a good mood.",
		  "The workshop has a good crowd and nice work." },
	},
};

static const char *const demo_langs[] = { "fi", "sv", "en" };

/*
 * fi three times in four, then sv, then en: a bilingual city. A language
 * the survey does not have falls back to Finnish, which every survey has.
 */
static size_t
demo_lang(struct demo_rng *r, const struct survey *s)
{
	uint32_t	x = demo_rand(r, 20);
	size_t		li = x < 15 ? 0 : x < 18 ? 1 : 2, i;

	for (i = 0; i < survey_lang_count(s); i++)
		if (strcmp(survey_lang(s, i), demo_langs[li]) == 0)
			return li;
	return 0;
}

/* A value from 0..n-1, leaning up with mood (-2..2). */
static uint32_t
demo_lean(struct demo_rng *r, uint32_t n, int mood)
{
	int	v = (int)demo_rand(r, n) + (int)demo_rand(r, 3) - 1 + mood;

	return v < 0 ? 0 : v >= (int)n ? n - 1 : (uint32_t)v;
}

/* One survey's history, response by response. */
struct demo_run {
	struct storage_txn	*dr_txn;
	struct demo_rng		 dr_rng;
	const struct demo_setup	*dr_setup;
	uint32_t		 dr_survey;
	uint32_t		 dr_version;
	struct survey		*dr_parsed;
	size_t			 dr_stored;
};

/* Store one response of answers (stolen) at unit on day. */
static int
demo_store(struct demo_run *dr, size_t u, int64_t day,
    enum collectors_kind kind, json_t *answers, const char *lang)
{
	const struct demo_unit	*du = &dr->dr_setup->ds_units[u];
	struct intake_response	 ir;
	struct answers		*a = NULL;
	struct error		 err;
	int			 ret;

	memset(&err, 0, sizeof(err));
	if (answers == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	/* Checked and scrubbed as a submission would be. */
	if ((ret = answers_check(dr->dr_parsed, answers, lang, &a,
	    &err)) != 0) {
		log_warnx("--dev demo: %s: %s", err.er_field, err.er_message);
		goto done;
	}
	memset(&ir, 0, sizeof(ir));
	ir.ir_survey = dr->dr_survey;
	ir.ir_version = dr->dr_version;
	ir.ir_parsed = dr->dr_parsed;
	ir.ir_unit = du->du_id;
	ir.ir_owner = du->du_pool ? du->du_parent : du->du_id;
	ir.ir_kind = kind;
	ir.ir_day = (uint32_t)day;
	ir.ir_answers = a;
	if ((ret = intake_store(dr->dr_txn, &ir)) == 0)
		dr->dr_stored++;
done:
	answers_free(a);
	json_decref(answers);
	return ret;
}

/* A comment in tone 0..2, in language li, or NULL at rate 1/per. */
static const char *
demo_comment(struct demo_run *dr, int tone, size_t li, uint32_t per)
{
	if (demo_rand(&dr->dr_rng, per) != 0)
		return NULL;
	return demo_comments[tone][li][demo_rand(&dr->dr_rng, 4)];
}

static int
demo_client(struct demo_run *dr, size_t u, int64_t day, int mood)
{
	static const char *const reasons[] = { "appointment", "advice",
	    "benefits", "documents" };
	static const char *const helped[] = { "no", "partly", "yes" };
	struct demo_rng	*r = &dr->dr_rng;
	const char	*text;
	size_t		 li = demo_lang(r, dr->dr_parsed);
	uint32_t	 face = demo_lean(r, 5, mood);
	json_t		*a;

	a = json_pack("{s:i}", "visit", (int)face + 1);
	if (a != NULL && demo_rand(r, 10) < 7)
		json_object_set_new(a, "reason", json_string(
		    reasons[demo_rand(r, 4)]));
	if (a != NULL && demo_rand(r, 10) < 6)
		json_object_set_new(a, "helped", json_string(
		    helped[face >= 3 ? 2 : face >= 2 ? 1 : demo_rand(r, 2)]));
	/* The busy service points get a comment from every third client. */
	text = demo_comment(dr, face >= 3 ? 2 : face >= 2 ? 1 : 0, li,
	    dr->dr_setup->ds_units[u].du_busy ? 3 : 8);
	if (a != NULL && text != NULL)
		json_object_set_new(a, "comment", json_string(text));
	return demo_store(dr, u, day, COLLECTORS_KIOSK, a, demo_langs[li]);
}

static int
demo_staff(struct demo_run *dr, size_t u, int64_t day, int mood)
{
	static const char *const develop[] = { "client_system", "training",
	    "supervision", "staffing", "cooperation", "management" };
	struct demo_rng	*r = &dr->dr_rng;
	const char	*text;
	json_t		*a, *d;
	size_t		 li = demo_lang(r, dr->dr_parsed);
	uint32_t	 i, n, first;

	a = json_pack("{s:i, s:i}", "workload", (int)demo_lean(r, 5, -mood) +
	    1, "recommend", (int)demo_lean(r, 11, mood + 1));
	/* Up to three distinct options, or none: it is optional. */
	if (a != NULL && (n = demo_rand(r, 4)) > 0 &&
	    (d = json_array()) != NULL) {
		first = demo_rand(r, 6);
		for (i = 0; i < n; i++)
			json_array_append_new(d, json_string(
			    develop[(first + 2 * i) % 6]));
		json_object_set_new(a, "develop", d);
	}
	if (a != NULL && demo_rand(r, 10) < 8)
		json_object_set_new(a, "safe", json_boolean(demo_rand(r,
		    10) < 8));
	if (a != NULL && (text = demo_comment(dr, mood > 0 ? 2 : 1, li,
	    4)) != NULL)
		json_object_set_new(a, "comment", json_string(text));
	return demo_store(dr, u, day, COLLECTORS_LINK, a, demo_langs[li]);
}

static int
demo_panel(struct demo_run *dr, size_t u, int64_t day, int mood)
{
	static const char *const channel[] = { "visit", "phone", "online" };
	static const char *const topics[] = { "housing", "income",
	    "substance", "family", "digital" };
	struct demo_rng	*r = &dr->dr_rng;
	const char	*text;
	json_t		*a, *t;
	size_t		 li = demo_lang(r, dr->dr_parsed);
	uint32_t	 first;

	a = json_pack("{s:i, s:b, s:i, s:i, s:s}", "overall",
	    (int)demo_lean(r, 4, mood) + 1, "treated_well",
	    demo_rand(r, 10) < 8, "reach", (int)demo_lean(r, 11, mood),
	    "recommend", (int)demo_lean(r, 11, mood + 1), "channel",
	    channel[demo_rand(r, 3)]);
	if (a != NULL && (t = json_array()) != NULL) {
		first = demo_rand(r, 5);
		json_array_append_new(t, json_string(topics[first]));
		if (demo_rand(r, 2) == 0)
			json_array_append_new(t, json_string(
			    topics[(first + 1 + demo_rand(r, 4)) % 5]));
		json_object_set_new(a, "topics", t);
	}
	if (a != NULL && (text = demo_comment(dr, mood > 0 ? 2 : 1, li,
	    3)) != NULL)
		json_object_set_new(a, "ideas", json_string(text));
	return demo_store(dr, u, day, COLLECTORS_LINK, a, demo_langs[li]);
}

/*
 * Every month of the year up to today, for every unit with visits of
 * that survey: a count that follows the unit's size and the season (a
 * quiet July), and answers that follow the unit's mood, improving a
 * little over the year.
 */
static int
demo_survey(struct demo_run *dr, enum demo_kind kind)
{
	const struct demo_setup	*ds = dr->dr_setup;
	const struct demo_unit	*du;
	int64_t			 today = util_today(), first, last, day;
	int			 y, now, idx;
	unsigned		 m, d, month;
	uint32_t		 n, i, per;
	size_t			 u;
	int			 mood, ret = 0;

	util_civil_from_days(today, &y, &m, &d);
	now = y * 12 + (int)m - 1;
	for (month = 0; month < DEMO_MONTHS; month++) {
		idx = now - (DEMO_MONTHS - 1 - (int)month);
		first = util_days_from_civil(idx / 12, (unsigned)(idx % 12) + 1,
		    1);
		last = period_last_day(PERIOD_MONTH, first);
		if (last > today)
			last = today;
		for (u = 0; u < ds->ds_nunits; u++) {
			du = &ds->ds_units[u];
			per = kind == DEMO_CLIENT ? du->du_clients :
			    kind == DEMO_STAFF ? du->du_staff : du->du_panel;
			if (per == 0)
				continue;
			n = per + demo_rand(&dr->dr_rng, per / 2 + 2);
			if (idx % 12 == 6)	/* July: the summer break */
				n /= 2;
			/* This month: only the days so far. */
			n = (uint32_t)((int64_t)n * (last - first + 1) /
			    (period_last_day(PERIOD_MONTH, first) - first + 1));
			for (i = 0; i < n && ret == 0; i++) {
				day = first + demo_rand(&dr->dr_rng,
				    (uint32_t)(last - first + 1));
				mood = du->du_mood + (month >= 8);
				switch (kind) {
				case DEMO_CLIENT:
					ret = demo_client(dr, u, day, mood);
					break;
				case DEMO_STAFF:
					ret = demo_staff(dr, u, day, mood);
					break;
				case DEMO_PANEL:
					ret = demo_panel(dr, u, day, mood);
					break;
				case DEMO_KINDS:
					ret = -EINVAL;
					break;
				}
			}
			if (ret != 0)
				return ret;
		}
	}
	return 0;
}

int
demo_history(struct storage_txn *txn, const struct demo_setup *ds,
    size_t *stored_out)
{
	struct demo_run	 dr;
	size_t		 k;
	int		 ret = 0;

	memset(&dr, 0, sizeof(dr));
	dr.dr_txn = txn;
	dr.dr_setup = ds;
	dr.dr_rng.r_state = DEMO_SEED;
	for (k = 0; k < DEMO_KINDS && ret == 0; k++) {
		dr.dr_survey = ds->ds_surveys[k];
		if ((ret = catalog_load(txn, dr.dr_survey, 0, &dr.dr_parsed,
		    &dr.dr_version)) != 0)
			break;
		ret = demo_survey(&dr, (enum demo_kind)k);
		survey_free(dr.dr_parsed);
		dr.dr_parsed = NULL;
	}
	if (ret == 0 && stored_out != NULL)
		*stored_out = dr.dr_stored;
	return ret;
}
