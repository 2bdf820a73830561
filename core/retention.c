/*
 * retention.c — one retention pass (core/retention.h): find the months that
 * are due, shred them, rotate the KEK, drop stale idempotency records.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/catalog.h"
#include "core/idem.h"
#include "core/rec.h"
#include "core/retention.h"
#include "storage/storage.h"

/* Idempotency records dropped per transaction of the sweep. */
#define RETENTION_IDEM_SLICE	16384

struct retention_survey {
	uint32_t	rs_id;
	unsigned	rs_months;	/* shortest of its versions */
};

struct retention_list {
	struct retention_survey	*rl_v;
	size_t			 rl_n;
	size_t			 rl_cap;
};

uint32_t
retention_first_kept(int64_t today, unsigned months)
{
	uint32_t	t;

	if (today < 0)
		today = 0;
	t = storage_day_month((uint32_t)today);
	return t >= months ? t - months + 1 : 0;
}

/* Every version's definition: keep the shortest retention per survey. */
static int
retention_one(const void *key, size_t klen, json_t *def, void *arg)
{
	struct retention_list	*rl = arg;
	struct retention_survey	*p;
	json_int_t		 m;
	uint32_t		 id;
	size_t			 i;

	if (klen != CATALOG_KEYLEN)
		return 0;	/* the survey record, not a version */
	id = rec_key_id(key);
	m = json_integer_value(json_object_get(json_object_get(def,
	    "privacy"), "retention_months"));
	if (m < 1 || m > 1200) {
		/* survey_parse() never lets this in; do not guess. */
		log_warnx("retention: survey %u has a version without a valid "
		    "retention_months; skipped", id);
		m = 0;
	}
	for (i = 0; i < rl->rl_n; i++)
		if (rl->rl_v[i].rs_id == id)
			break;
	if (i == rl->rl_n) {
		if (rl->rl_n == rl->rl_cap) {
			rl->rl_cap = rl->rl_cap ? rl->rl_cap * 2 : 16;
			if ((p = realloc(rl->rl_v, rl->rl_cap *
			    sizeof(*p))) == NULL)
				return -ENOMEM;
			rl->rl_v = p;
		}
		rl->rl_v[rl->rl_n].rs_id = id;
		rl->rl_v[rl->rl_n].rs_months = (unsigned)m;
		rl->rl_n++;
	} else if (rl->rl_v[i].rs_months != 0 &&
	    (m == 0 || (unsigned)m < rl->rl_v[i].rs_months))
		rl->rl_v[i].rs_months = (unsigned)m;
	return 0;
}

/* First day (day number) of month index m. */
static uint32_t
retention_month_day(uint32_t m)
{
	return (uint32_t)util_days_from_civil((int)(m / 12), m % 12 + 1, 1);
}

/*
 * The months before `before` in which survey has responses, into
 * months[0..*n) (at most cap): one seek per month found, so the cost is
 * the number of due months, not of responses.
 */
static int
retention_due(struct storage *st, uint32_t survey, uint32_t before,
    uint32_t *months, size_t cap, size_t *n_out)
{
	struct storage_txn	*txn = NULL;
	struct storage_iter	*it = NULL;
	const void		*k, *v;
	size_t			 kl, vl, n = 0;
	uint32_t		 from = 0, last, m = 0;
	int			 rc, ret = -1;

	if (before == 0 || retention_month_day(before) == 0) {
		*n_out = 0;
		return 0;
	}
	last = retention_month_day(before) - 1;
	if ((ret = storage_txn_begin(st, false, &txn)) != 0)
		goto done;
	while (n < cap && from <= last) {
		if ((ret = storage_response_iter(txn, survey, from, last,
		    &it)) != 0)
			goto done;
		rc = storage_iter_next(it, &k, &kl, &v, &vl);
		/* The key is the iterator's: read it before letting go. */
		if (rc == 0)
			m = storage_day_month(storage_response_key_day(k));
		storage_iter_free(it);
		it = NULL;
		if (rc == -ENOENT)
			break;
		if (rc != 0) {
			ret = rc;
			goto done;
		}
		months[n++] = m;
		from = retention_month_day(m + 1);
	}
	*n_out = n;
	ret = 0;
done:
	storage_iter_free(it);
	storage_txn_abort(txn);
	return ret;
}

static int
retention_audit(struct storage *st, const char *who, const char *action,
    json_t *detail)
{
	struct storage_txn	*txn = NULL;
	int			 ret;

	if ((ret = storage_txn_begin(st, true, &txn)) != 0) {
		json_decref(detail);
		return ret;
	}
	if ((ret = audit_append(txn, who, action, detail)) != 0) {
		storage_txn_abort(txn);
		return ret;
	}
	return storage_txn_commit(txn);
}

/*
 * Survey id's cutoff moves to first (the first month kept): in one
 * transaction its record keeps the month ("retention_from") and the audit
 * log says that nothing before it is kept. *moved false when the record
 * already had first or a later month (retention_months grew). The first
 * cutoff of a survey is *first_out true: nothing was due before it.
 */
static int
retention_advance(struct storage *st, const char *who, uint32_t id,
    uint32_t first, unsigned months, bool *moved, bool *first_out)
{
	struct storage_txn	*txn = NULL;
	json_t			*rec = NULL, *prev;
	char			 ym[16];
	int			 ret;

	*moved = *first_out = false;
	if ((ret = storage_txn_begin(st, true, &txn)) != 0)
		goto done;
	if ((ret = catalog_get(txn, id, &rec)) != 0)
		goto done;
	prev = json_object_get(rec, "retention_from");
	if (prev != NULL && codec_u32(prev) >= first) {
		ret = 0;
		goto done;
	}
	snprintf(ym, sizeof(ym), "%04u-%02u", (unsigned)(first / 12),
	    (unsigned)(first % 12 + 1));
	if (json_object_set_new(rec, "retention_from",
	    json_integer(first)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_SURVEYS, id, rec)) != 0 ||
	    (ret = audit_append(txn, who, "retention.purge", json_pack(
	    "{s:I, s:s, s:I}", "survey", (json_int_t)id, "before", ym,
	    "retention_months", (json_int_t)months))) != 0)
		goto done;
	ret = storage_txn_commit(txn);
	txn = NULL;
	if (ret == 0) {
		*moved = true;
		*first_out = prev == NULL;
	}
done:
	storage_txn_abort(txn);
	json_decref(rec);
	return ret;
}

/* Idempotency records past their window, a slice per transaction. */
static int
retention_idem(struct storage *st, int64_t today, size_t *total)
{
	struct storage_txn	*txn = NULL;
	size_t			 n;
	bool			 more = true;
	int			 ret;

	if (today <= IDEM_WINDOW_DAYS)
		return 0;
	while (more) {
		if ((ret = storage_txn_begin(st, true, &txn)) != 0)
			return ret;
		if ((ret = idem_sweep(txn, (uint32_t)(today -
		    IDEM_WINDOW_DAYS), RETENTION_IDEM_SLICE, &n, &more)) != 0) {
			storage_txn_abort(txn);
			return ret;
		}
		if ((ret = storage_txn_commit(txn)) != 0)
			return ret;
		*total += n;
	}
	return 0;
}

int
retention_run(struct storage *st, int64_t today, const char *who,
    struct retention_report *out)
{
	struct retention_list	 rl = { NULL, 0, 0 };
	struct storage_txn	*txn = NULL;
	uint32_t		 months[64], first;
	size_t			 i, j, n;
	bool			 moved, fresh, rotate = false;
	int			 ret = -1;

	memset(out, 0, sizeof(*out));
	if (st == NULL || today < 0) {
		ret = -EINVAL;
		goto done;
	}
	if ((ret = storage_txn_begin(st, false, &txn)) != 0)
		goto done;
	ret = rec_each(txn, STORAGE_DB_SURVEYS, NULL, 0, retention_one, &rl);
	storage_txn_abort(txn);
	txn = NULL;
	if (ret != 0)
		goto done;
	for (i = 0; i < rl.rl_n; i++) {
		if (rl.rl_v[i].rs_months == 0)
			continue;
		out->rr_surveys++;
		first = retention_first_kept(today, rl.rl_v[i].rs_months);
		/* Batches of months: a first pass over years of data. */
		do {
			if ((ret = retention_due(st, rl.rl_v[i].rs_id, first,
			    months, sizeof(months) / sizeof(months[0]),
			    &n)) != 0)
				goto done;
			for (j = 0; j < n; j++) {
				if ((ret = storage_shred(st, rl.rl_v[i].rs_id,
				    months[j])) != 0)
					goto done;
				out->rr_months++;
				rotate = true;
			}
		} while (n == sizeof(months) / sizeof(months[0]));
		/* After the shredding: a crash before it leaves it due. */
		if ((ret = retention_advance(st, who, rl.rl_v[i].rs_id, first,
		    rl.rl_v[i].rs_months, &moved, &fresh)) != 0)
			goto done;
		/* A cutoff that moved rotates, whether a month had data. */
		if (moved && !fresh)
			rotate = true;
	}
	if (rotate) {
		/* Without this, a copy taken before the pass still opens. */
		if ((ret = storage_rotate_kek(st)) != 0) {
			log_warnx("retention: the KEK rotation after the purge "
			    "failed: %s; old copies can still open the purged "
			    "months until a rotation succeeds", strerror(-ret));
			goto done;
		}
		out->rr_rotated = true;
		if ((ret = retention_audit(st, who, "key.rotate",
		    json_pack("{s:s}", "reason", "retention"))) != 0)
			goto done;
	}
	if ((ret = retention_idem(st, today, &out->rr_idem)) != 0)
		goto done;
	ret = 0;
done:
	storage_txn_abort(txn);
	free(rl.rl_v);
	return ret;
}

/*
 * A lock file of the state directory, opened read-only: flock() needs no
 * more, and a file that root made (palautectl) stays usable by the
 * service's own user (0644: it holds nothing).
 */
static int
retention_flock(const char *state_dir, const char *name, int how,
    int *fd_out)
{
	char	path[PATH_MAX];
	int	fd = -1, ret = -1;

	if ((ret = util_snprintf(path, sizeof(path), "%s/%s", state_dir,
	    name)) != 0)
		goto done;
	if ((fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1) {
		ret = -errno;
		goto done;
	}
	while (flock(fd, how) == -1) {
		if (errno == EINTR)
			continue;
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto done;
	}
	*fd_out = fd;
	fd = -1;
	ret = 0;
done:
	if (fd != -1)
		close(fd);
	return ret;
}

int
retention_lock(const char *state_dir, int *fd_out)
{
	return retention_flock(state_dir, RETENTION_LOCK_NAME,
	    LOCK_EX | LOCK_NB, fd_out);
}

int
retention_keylock(const char *state_dir, bool exclusive, int *fd_out)
{
	int	rc;

	rc = retention_flock(state_dir, RETENTION_KEYLOCK_NAME,
	    exclusive ? LOCK_EX : LOCK_SH, fd_out);
	if (rc == -ENOENT) {
		*fd_out = -1;
		return 0;
	}
	return rc;
}
