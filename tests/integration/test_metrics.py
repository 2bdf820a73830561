"""GET /metrics: valid Prometheus text format, the counters move with the
traffic, nothing in it names a path, survey, unit or respondent, and
nothing in it counts responses: two whole scrapes taken before and after
a kiosk's and a form's submission differ only in the scrapes' own count;
the map warning at 80 %, 507 on writes while reads keep working."""
import datetime
import time
import unittest
import uuid

from ops_support import Form, parse, value
from palaute_test import Daemon, DaemonTest, main

# api/metrics.h: what would count responses moves this many at a time.
STEP = 100
SCRAPE_ROW = ('palaute_http_requests_total{route="/metrics",method="GET",'
              'status="200"} ')


class Metrics(DaemonTest):
    daemon_args = ("-o", "form_rate=1000000")

    def scrape(self):
        r = self.d.get("/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith(
            "text/plain; version=0.0.4"), r.header("Content-Type"))
        self.assertEqual(r.header("Cache-Control"), "no-store")
        return r.body.decode("utf-8"), parse(r.body.decode("utf-8"))

    def test_format_and_counts(self):
        form = Form(self.d)
        secret = "/no-such-page-%s" % uuid.uuid4().hex
        self.assertEqual(self.d.get(secret).status, 404)
        route = "/api/v1/forms/{}/responses"
        n = 7
        for _ in range(n):
            self.assertEqual(form.submit().status, 201)
        # A refusal stores nothing: it is counted by route and status.
        bad = self.d.post(form.path, body={"id": str(uuid.uuid4()),
                                           "lang": "fi", "answers": {}})
        self.assertEqual(bad.status, 422, bad)
        text, m = self.scrape()
        for fam in ("palaute_http_requests_total",
                    "palaute_submission_duration_seconds",
                    "palaute_commit_duration_seconds",
                    "palaute_commit_failures_total",
                    "palaute_store_map_use_ratio",
                    "palaute_open_connections",
                    "palaute_rate_limited_total"):
            self.assertIn(fam, m)
            self.assertTrue(m[fam]["help"], fam)
        self.assertEqual(m["palaute_submission_duration_seconds"]["type"],
                         "histogram")
        # A stored submission has no row; fewer than a step show nothing.
        for status in (200, 201):
            self.assertIsNone(value(m, "palaute_http_requests_total",
                                    route=route, method="POST",
                                    status=status))
        self.assertEqual(value(m, "palaute_http_requests_total",
                               route=route, method="POST", status=422), 1)
        self.assertEqual(value(m, "palaute_submission_duration_seconds_count"),
                         0)
        self.assertEqual(value(m, "palaute_submission_duration_seconds_sum"),
                         0)
        # The step's last submission shows the whole step at once.
        for _ in range(STEP - n):
            self.assertEqual(form.submit().status, 201)
        _, m = self.scrape()
        self.assertEqual(value(m, "palaute_submission_duration_seconds_count"),
                         STEP)
        self.assertGreater(value(m, "palaute_submission_duration_seconds_sum"),
                           0)
        self.assertEqual(value(m, "palaute_submission_duration_seconds_bucket",
                               le="+Inf"), STEP)
        # Each submission was one commit at least (and the set-up more).
        self.assertGreaterEqual(
            value(m, "palaute_commit_duration_seconds_count"), STEP)
        self.assertEqual(
            value(m, "palaute_commit_duration_seconds_count") % STEP, 0)
        self.assertGreaterEqual(
            value(m, "palaute_http_requests_total", route="unmatched",
                  method="GET", status=404), 1)
        ratio = value(m, "palaute_store_map_use_ratio")
        self.assertTrue(0 < ratio < 1, ratio)
        self.assertEqual(round(ratio * 100), ratio * 100)
        self.assertGreaterEqual(value(m, "palaute_open_connections"), 1)
        # Gone: each was a count of responses.
        for fam in ("palaute_idempotency_ids", "palaute_commit_batch_size",
                    "palaute_retention_months_total"):
            self.assertNotIn(fam, m)
        # Labels are route patterns: no path, slug or id gets in.
        self.assertNotIn(secret, text)
        self.assertNotIn(form.slug, text)
        for name, labels, _ in (s for f in m.values() for s in f["samples"]):
            self.assertLessEqual(set(labels), {"route", "method", "status",
                                               "le", "version"}, name)

    def settled_scrape(self):
        """A whole scrape once only its own connection is open: the
        connections of the requests before it close on their own time
        (the gauge is of the moment; see below). Returns the text and
        the number of scrapes this one saw answered before it."""
        deadline = time.monotonic() + 10
        while True:
            text, m = self.scrape()
            self.scrapes += 1
            if value(m, "palaute_open_connections") == 1 or \
                    time.monotonic() > deadline:
                return text
            time.sleep(0.02)

    def test_two_scrapes_show_nothing_of_two_submissions(self):
        """What an attacker does: scrape, let a client tap the kiosk and
        another send the form, scrape again. The two whole expositions
        must be the same but for the lines allowed to differ:

        - the row of GET /metrics itself, which each scrape moves by
          exactly one (it is counted once answered, so a scrape shows
          the scrapes before it): it counts the scraper, not the clients;
        - palaute_open_connections, a gauge of the moment: a scrape is
          taken once it shows only the scrape's own connection, so it is
          equal too (a connection is no response, and anyone on the
          network path sees it anyway).

        Nothing else may move: not a row of the submission routes (2xx
        are not counted by route), not the submission or commit
        histograms (they move 100 at a time, and this daemon has made
        far fewer commits), not the map's use (whole percent), and no
        duration sum (a sum moves only with its step)."""
        form = Form(self.d)
        kiosk = form.admin.collector(form.survey, form.unit, "kiosk")
        r = self.d.post("/api/v1/kiosk/enroll",
                        body={"code": kiosk["enrollment_code"]})
        self.assertEqual(r.status, 201, r)
        device = r.json()["device_token"]
        today = datetime.datetime.now(datetime.timezone.utc).date()
        # One of each first: whatever a first submission does once (the
        # day's sweep of old ids) is not what the attacker compares.
        self.scrapes = 0
        self.assertEqual(form.submit().status, 201)
        batch = {"responses": [{"id": str(uuid.uuid4()),
                                "day": today.isoformat(), "lang": "fi",
                                "answers": {"visit": 5}}]}
        self.assertEqual(self.d.post("/api/v1/kiosk/responses", body=batch,
                                     token=device).status, 200)

        def lines(text):
            seen = self.scrapes - 1
            out = []
            for line in text.split("\n"):
                if line.startswith(SCRAPE_ROW):
                    self.assertEqual(float(line[len(SCRAPE_ROW):]), seen)
                    continue
                out.append(line)
            return out

        before = lines(self.settled_scrape())
        m = parse("\n".join(before))
        # No step falls between the two scrapes: none was taken yet.
        self.assertEqual(value(m, "palaute_commit_duration_seconds_count"),
                         0)
        self.assertEqual(value(m, "palaute_submission_duration_seconds_count"),
                         0)
        batch["responses"][0]["id"] = str(uuid.uuid4())
        r = self.d.post("/api/v1/kiosk/responses", body=batch, token=device)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x["status"] for x in r.json()["results"]], [201])
        self.assertEqual(form.submit().status, 201)
        after = lines(self.settled_scrape())
        self.assertEqual(after, before)

        # The comparison sees what may be seen: a refusal, which stores
        # nothing, changes its row.
        bad = self.d.post(form.path, body={"id": str(uuid.uuid4()),
                                           "lang": "fi", "answers": {}})
        self.assertEqual(bad.status, 422, bad)
        refused = lines(self.settled_scrape())
        self.assertNotEqual(refused, before)
        self.assertEqual(
            [x for x in refused if x not in before],
            ['palaute_http_requests_total{route="/api/v1/forms/{}/'
             'responses",method="POST",status="422"} 1'])

    def test_rate_limit_refusals_are_counted(self):
        d = Daemon("-o", "form_rate=2").start()
        try:
            form = Form(d)
            statuses = [form.submit().status for _ in range(6)]
            refused = statuses.count(429)
            self.assertGreaterEqual(refused, 1, statuses)
            m = parse(d.get("/metrics").body.decode())
            self.assertEqual(value(m, "palaute_rate_limited_total"), refused)
        finally:
            d.cleanup()

    def test_metrics_is_for_loopback_or_admins(self):
        # This client is loopback, so it is let in without a token; a
        # token that is not an admin's does not change that.
        self.assertEqual(self.d.get("/metrics").status, 200)
        self.assertEqual(self.d.get("/metrics", token="x" * 40).status, 200)


class MapFull(unittest.TestCase):
    """A 1 MiB map fills up: writes get 507, reads go on, /metrics shows
    the ratio, and the log warns at 80 %."""

    def test_full_map(self):
        d = Daemon("-o", "map_size=1M", "-o", "form_rate=1000000").start()
        d2 = None
        try:
            form = Form(d)
            big = "x" * 480
            last = None
            for _ in range(2000):  # bounded: 1 MiB holds far fewer
                last = form.submit(comment=big)
                if last.status != 201:
                    break
            self.assertEqual(last.status, 507, last)
            self.assertEqual(last.json()["error"]["code"], "storage_full")
            # Reads keep working.
            self.assertEqual(d.get("/healthz").status, 200)
            self.assertEqual(d.get("/api/v1/forms/%s" % form.slug).status,
                             200)
            m = parse(d.get("/metrics").body.decode())
            self.assertGreaterEqual(value(m, "palaute_store_map_use_ratio"),
                                    0.8)
            self.assertEqual(d.stop(), 0)
            # The check runs at start (and every minute): a restart on
            # the full store warns at once.
            d2 = Daemon("-o", "map_size=1M", workdir=d.workdir).start()
            deadline = time.monotonic() + 5
            while "full" not in d2.log() and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertRegex(d2.log(), r"map is \d+% full")
        finally:
            if d2 is not None:
                d2.kill()
            d.cleanup()


if __name__ == "__main__":
    main()
