/*
 * dev.c — the --dev mode: everything under ./palaute-dev, nothing to set up.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "api/api.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/catalog.h"
#include "core/collectors.h"
#include "core/rec.h"
#include "core/units.h"
#include "core/users.h"
#include "daemon/config.h"
#include "daemon/demo.h"
#include "daemon/dev.h"
#include "storage/storage.h"

/* The --dev admin's password: 18 random bytes, 24 characters. */
#define DEV_PASSWORD_BYTES	18
#define DEV_PASSWORD_CHARS	24

#ifndef PALAUTE_SRCDIR
#define PALAUTE_SRCDIR "."
#endif

int
dev_config(struct config *cf, char *err, size_t errlen)
{
	char		cwd[PATH_MAX], www[PATH_MAX];
	struct stat	sb;

	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		snprintf(err, errlen, "getcwd: %s", strerror(errno));
		return -errno;
	}
	if (util_snprintf(cf->cf_state_dir, sizeof(cf->cf_state_dir),
	    "%s/palaute-dev", cwd) != 0) {
		snprintf(err, errlen, "the current folder's path is too long");
		return -ENAMETOOLONG;
	}
	/* Serve the clients from the source tree, so edits show at once. */
	if (util_snprintf(www, sizeof(www), "%s/clients/www", PALAUTE_SRCDIR)
	    == 0 && stat(www, &sb) == 0 && S_ISDIR(sb.st_mode))
		(void)util_snprintf(cf->cf_www_dir, sizeof(cf->cf_www_dir),
		    "%s", www);
	return 0;
}

/* The first admin of a --dev data directory, its password shown once. */
struct dev_admin {
	struct api_ctx		*da_ctx;
	struct users_new	 da_new;
	char			 da_password[DEV_PASSWORD_CHARS + 1];
	char			 da_hash[USERS_HASH_MAX];
};

static const char	dev_admin_flag[] = "dev_admin";

static void
dev_admin_free(struct dev_admin *da)
{
	sodium_memzero(da, sizeof(*da));
	free(da);
}

/* Writer thread: once per data directory, even if "admin" was deleted. */
static int
dev_admin_apply(struct storage_txn *txn, void *arg)
{
	struct dev_admin	*da = arg;
	struct error		 err;
	uint32_t		 id;
	int			 rc;

	rc = storage_put(txn, STORAGE_DB_META, dev_admin_flag,
	    sizeof(dev_admin_flag) - 1, "1", 1, STORAGE_NOOVERWRITE);
	if (rc != 0)
		return rc;
	memset(&err, 0, sizeof(err));
	rc = users_insert(da->da_ctx->ac_hash_key, txn, "palauted --dev",
	    &da->da_new, &id,
	    NULL, &err);
	/* Made with palautectl before the first --dev start: keep it. */
	return rc == -EEXIST ? -EALREADY : rc;
}

static void
dev_admin_done(int rc, void *arg)
{
	struct dev_admin	*da = arg;

	if (rc == 0)
		printf("  admin login: admin / %s  (shown once; log in at "
		    "POST /api/v1/session)\n\n", da->da_password);
	else if (rc == -EALREADY)
		printf("  admin login: a user \"admin\" exists already; use "
		    "its password\n\n");
	else if (rc != -EEXIST)
		log_warnx("--dev: cannot create the admin: %s", strerror(-rc));
	fflush(stdout);
	dev_admin_free(da);
}

/*
 * On the first start of a data directory, an admin "admin" with a random
 * password printed on stdout (never to the log). The hash is made here,
 * before the loop runs; the write goes through the writer.
 */
static int
dev_seed_admin(struct api_ctx *ctx)
{
	struct storage_txn	*txn = NULL;
	struct dev_admin	*da = NULL;
	unsigned char		 raw[DEV_PASSWORD_BYTES];
	void			*val = NULL;
	size_t			 len = 0;
	int			 ret;

	if ((ret = storage_txn_begin(ctx->ac_store, false, &txn)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_META, dev_admin_flag,
	    sizeof(dev_admin_flag) - 1, &val, &len);
	storage_txn_abort(txn);
	free(val);
	if (ret == 0)
		goto done;	/* made and shown on an earlier start */
	if (ret != -ENOENT)
		goto done;
	if ((da = calloc(1, sizeof(*da))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(da->da_password, sizeof(da->da_password), raw,
	    sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	if ((ret = users_hash_password(da->da_password, da->da_hash)) != 0)
		goto done;
	da->da_ctx = ctx;
	da->da_new.un_name = "admin";
	da->da_new.un_hash = da->da_hash;
	da->da_new.un_role = ROLE_ADMIN;
	if ((ret = ctx->ac_submit(ctx->ac_submit_arg, dev_admin_apply,
	    dev_admin_done, da)) != 0)
		goto done;
	da = NULL;
	ret = 0;
done:
	if (da != NULL)
		dev_admin_free(da);
	return ret;
}

/*
 * The demo of a --dev data directory: a city with three areas and eight
 * offices and workshops, one small service point pooled into its area;
 * the client, panel and staff surveys of tests/data; at a leaf a kiosk and
 * a link; and a year of history (daemon/demo.h). Like the admin, it is
 * written once, by
 * the writer (which owns write transactions; start-up has no other way
 * in that keeps that rule), and printed from the completion: the kiosk's
 * enrollment code exists in plain only in this memory, so it can be shown
 * on the first start alone.
 */
struct dev_demo_unit {
	const char	*du_fi, *du_sv, *du_en;
	int		 du_parent;	/* index into the table, -1: a root */
	bool		 du_pool;
	/* Its history: comments, mood, answers a month (demo.h). */
	bool		 du_busy;
	int		 du_mood;
	uint32_t	 du_clients, du_panel, du_staff;
};

static const struct dev_demo_unit dev_demo_units[] = {
	{ "Esimerkkikaupunki", "Exempelstad", "Example City", -1, false,
	    false, 0, 0, 0, 0 },
	{ "Aikuissosiaalityö", "Socialt arbete för vuxna", "Adult social work",
	    0, false, false, 0, 0, 6, 0 },
	{ "Palvelupiste Keskusta", "Servicepunkten Centrum",
	    "Service point Centre", 1, false, true, 0, 34, 0, 6 },
	{ "Palvelupiste Itä", "Servicepunkten Öst", "Service point East", 1,
	    false, true, -1, 26, 0, 5 },
	{ "Palvelupiste Länsi", "Servicepunkten Väst", "Service point West",
	    1, false, false, 1, 18, 0, 4 },
	/* Open two mornings a week: too few visits for a cell of its own. */
	{ "Palvelupiste Kylä", "Servicepunkten Byn", "Service point Village",
	    1, true, false, 0, 4, 0, 0 },
	{ "Kuntouttava työtoiminta", "Arbetsverksamhet i rehabiliterings"
	    "syfte", "Rehabilitative work activity", 0, false, false, 0, 0,
	    5, 0 },
	{ "Työpaja Verstas", "Verkstaden", "Workshop Verstas", 6, false,
	    false, 1, 14, 0, 5 },
	{ "Työpaja Kierrätys", "Återvinningsverkstaden", "Recycling workshop",
	    6, false, false, 0, 10, 0, 4 },
	{ "Kahvila Kajuutta", "Café Kajutan", "Café Kajuutta", 6, false,
	    false, 1, 9, 0, 3 },
	{ "Päivätoiminta", "Dagverksamhet", "Drop-in services", 0, false,
	    false, 0, 0, 0, 0 },
	{ "Päiväkeskus Majakka", "Dagcentret Fyren", "Drop-in centre "
	    "Majakka", 10, false, false, -1, 16, 0, 5 },
};
#define DEV_DEMO_NUNITS	(sizeof(dev_demo_units) / sizeof(dev_demo_units[0]))
#define DEV_DEMO_LEAF	2	/* Palvelupiste Keskusta: kiosk and link */

static const char	dev_demo_flag[] = "dev_demo";

struct dev_demo {
	json_t			*dd_client;	/* survey definitions */
	json_t			*dd_panel;
	json_t			*dd_staff;
	struct collectors_issue	*dd_kiosk;
	struct collectors_issue	*dd_link;
	char			 dd_bound[300];
	uint32_t		 dd_units[DEV_DEMO_NUNITS];
	uint32_t		 dd_surveys[DEMO_KINDS];
	uint32_t		 dd_collectors[2];
	bool			 dd_history;	/* write the year of history */
	size_t			 dd_responses;
};

static void
dev_demo_free(struct dev_demo *dd)
{
	if (dd == NULL)
		return;
	json_decref(dd->dd_client);
	json_decref(dd->dd_panel);
	json_decref(dd->dd_staff);
	collectors_issue_free(dd->dd_kiosk);
	collectors_issue_free(dd->dd_link);
	free(dd);
}

/* Writer thread: the year of history, at the units just made. */
static int
dev_demo_history(struct storage_txn *txn, struct dev_demo *dd)
{
	struct demo_unit	units[DEV_DEMO_NUNITS];
	struct demo_setup	ds;
	const struct dev_demo_unit *du;
	size_t			i;

	for (i = 0; i < DEV_DEMO_NUNITS; i++) {
		du = &dev_demo_units[i];
		units[i].du_id = dd->dd_units[i];
		units[i].du_parent = du->du_parent < 0 ? 0 :
		    dd->dd_units[du->du_parent];
		units[i].du_pool = du->du_pool;
		units[i].du_busy = du->du_busy;
		units[i].du_mood = du->du_mood;
		units[i].du_clients = du->du_clients;
		units[i].du_panel = du->du_panel;
		units[i].du_staff = du->du_staff;
	}
	ds.ds_units = units;
	ds.ds_nunits = DEV_DEMO_NUNITS;
	memcpy(ds.ds_surveys, dd->dd_surveys, sizeof(ds.ds_surveys));
	return demo_history(txn, &ds, &dd->dd_responses);
}

/* Writer thread: everything or (on a later start, -EEXIST) nothing. */
static int
dev_demo_apply(struct storage_txn *txn, void *arg)
{
	struct dev_demo			*dd = arg;
	const struct dev_demo_unit	*du;
	struct error			 err;
	json_t				*name, *detail;
	uint8_t				 link[REC_IDLEN];
	size_t				 i;
	int				 rc;

	memset(&err, 0, sizeof(err));
	rc = storage_put(txn, STORAGE_DB_META, dev_demo_flag,
	    sizeof(dev_demo_flag) - 1, "1", 1, STORAGE_NOOVERWRITE);
	if (rc != 0)
		return rc;
	for (i = 0; i < DEV_DEMO_NUNITS; i++) {
		du = &dev_demo_units[i];
		name = json_pack("{s:s, s:s, s:s}", "fi", du->du_fi, "sv",
		    du->du_sv, "en", du->du_en);
		if (name == NULL)
			return -ENOMEM;
		rc = units_create(txn, name, du->du_parent < 0 ? 0 :
		    dd->dd_units[du->du_parent], du->du_pool, &dd->dd_units[i],
		    &err);
		json_decref(name);
		if (rc != 0)
			goto fail;
	}
	if ((rc = catalog_create(txn, dd->dd_client,
	    &dd->dd_surveys[DEMO_CLIENT], &err)) != 0 ||
	    (rc = catalog_create(txn, dd->dd_panel,
	    &dd->dd_surveys[DEMO_PANEL], &err)) != 0 ||
	    (rc = catalog_create(txn, dd->dd_staff,
	    &dd->dd_surveys[DEMO_STAFF], &err)) != 0)
		goto fail;
	dd->dd_kiosk->ci_survey = dd->dd_link->ci_survey =
	    dd->dd_surveys[DEMO_CLIENT];
	snprintf(dd->dd_kiosk->ci_name, sizeof(dd->dd_kiosk->ci_name),
	    "Aula, Palvelupiste Keskusta");
	dd->dd_kiosk->ci_unit = dd->dd_link->ci_unit =
	    dd->dd_units[DEV_DEMO_LEAF];
	if ((rc = collectors_create(txn, dd->dd_kiosk, &dd->dd_collectors[0],
	    &err)) != 0 ||
	    (rc = collectors_create(txn, dd->dd_link, &dd->dd_collectors[1],
	    &err)) != 0)
		goto fail;
	/* The flag names the link, so later starts can show it again. */
	rec_key(dd->dd_collectors[1], link);
	if ((rc = storage_put(txn, STORAGE_DB_META, dev_demo_flag,
	    sizeof(dev_demo_flag) - 1, link, sizeof(link), 0)) != 0)
		return rc;
	if (dd->dd_history && (rc = dev_demo_history(txn, dd)) != 0)
		return rc;
	detail = json_pack("{s:i, s:i, s:i}", "units", (int)DEV_DEMO_NUNITS,
	    "surveys", DEMO_KINDS, "collectors", 2);
	return audit_append(txn, "palauted --dev", "demo.create", detail);
fail:
	if (err.er_code != ERR_NONE)
		log_warnx("--dev demo: %s%s%s", err.er_field[0] ? err.er_field :
		    "", err.er_field[0] ? ": " : "", err.er_message);
	return rc;
}

static void
dev_demo_done(int rc, void *arg)
{
	struct dev_demo	*dd = arg;

	if (rc == 0) {
		printf("  demo data: %zu units, surveys %u (client), %u "
		    "(panel) and %u (staff),\n"
		    "             %zu responses over the last 12 months\n"
		    "  kiosk:      http://%s/kiosk/?code=%s\n"
		    "              (enrollment code %s: once, within 24 h)\n"
		    "  form:       http://%s/f/%s\n\n",
		    DEV_DEMO_NUNITS, dd->dd_surveys[DEMO_CLIENT],
		    dd->dd_surveys[DEMO_PANEL], dd->dd_surveys[DEMO_STAFF],
		    dd->dd_responses,
		    dd->dd_bound, collectors_issue_code(dd->dd_kiosk, 0),
		    collectors_issue_code(dd->dd_kiosk, 0), dd->dd_bound,
		    dd->dd_link->ci_slug);
		fflush(stdout);
	} else if (rc != -EEXIST)
		log_warnx("--dev: cannot load the demo data: %s",
		    strerror(-rc));
	dev_demo_free(dd);
}

static int
dev_demo_read(const char *name, json_t **out)
{
	char		 path[PATH_MAX];
	void		*buf = NULL;
	size_t		 len = 0;
	json_error_t	 jerr;
	int		 ret;

	if ((ret = util_snprintf(path, sizeof(path), "%s/tests/data/%s",
	    PALAUTE_SRCDIR, name)) != 0)
		return ret;
	if ((ret = util_read_file(path, 1 << 20, &buf, &len)) != 0) {
		log_warnx("--dev demo: %s: %s", path, strerror(-ret));
		return ret;
	}
	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (*out == NULL) {
		log_warnx("--dev demo: %s:%d: %s", path, jerr.line, jerr.text);
		return -EINVAL;
	}
	return 0;
}

/*
 * On the first start of a data directory, queue the demo for the writer.
 * The codes are drawn here, on the loop thread, like a POST would.
 */
static int
dev_seed_demo(struct api_ctx *ctx, const char *bound, bool history)
{
	struct storage_txn	*txn = NULL;
	struct dev_demo		*dd = NULL;
	const char		*slug;
	json_t			*link = NULL;
	void			*val = NULL;
	size_t			 len = 0;
	int			 ret;

	if ((ret = storage_txn_begin(ctx->ac_store, false, &txn)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_META, dev_demo_flag,
	    sizeof(dev_demo_flag) - 1, &val, &len);
	if (ret == 0) {
		/* Loaded on an earlier start: show the link, if it is there. */
		if (len == REC_IDLEN && collectors_get(txn, rec_key_id(val),
		    &link) == 0 && (slug = json_string_value(
		    json_object_get(link, "slug"))) != NULL)
			printf("  demo form:  http://%s/f/%s\n\n", bound, slug);
		fflush(stdout);
		json_decref(link);
	}
	storage_txn_abort(txn);
	free(val);
	if (ret == 0)
		goto done;	/* loaded on an earlier start */
	if (ret != -ENOENT)
		goto done;
	if ((dd = calloc(1, sizeof(*dd))) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	dd->dd_history = history;
	if ((ret = util_snprintf(dd->dd_bound, sizeof(dd->dd_bound), "%s",
	    bound)) != 0)
		goto done;
	/* Without the survey files (an installed binary) there is no demo. */
	if (dev_demo_read("survey-client.json", &dd->dd_client) != 0 ||
	    dev_demo_read("survey-panel.json", &dd->dd_panel) != 0 ||
	    dev_demo_read("survey-staff.json", &dd->dd_staff) != 0) {
		ret = 0;
		goto done;
	}
	if ((ret = collectors_issue_new(ctx->ac_hash_key, COLLECTORS_KIOSK, 0,
	    0, 0, 0,
	    auth_now(), &dd->dd_kiosk)) != 0 ||
	    (ret = collectors_issue_new(ctx->ac_hash_key, COLLECTORS_LINK, 0,
	    0, 0, 0,
	    auth_now(), &dd->dd_link)) != 0)
		goto done;
	if ((ret = ctx->ac_submit(ctx->ac_submit_arg, dev_demo_apply,
	    dev_demo_done, dd)) != 0)
		goto done;
	dd = NULL;
	ret = 0;
done:
	dev_demo_free(dd);
	return ret;
}

int
dev_seed(struct api_ctx *ctx, const char *bound, bool history)
{
	int	rc;

	printf("\nPalaute is running (--dev).\n"
	    "  health:     http://%s/healthz\n"
	    "  kiosk:      http://%s/kiosk/\n"
	    "  dashboard:  http://%s/dashboard/\n"
	    "Stop it with Ctrl-C.\n\n", bound, bound, bound);
	fflush(stdout);
	if ((rc = dev_seed_admin(ctx)) != 0)
		return rc;
	if ((rc = dev_seed_demo(ctx, bound, history)) != 0)
		return rc;
	return 0;
}
