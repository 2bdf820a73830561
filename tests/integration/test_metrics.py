"""GET /metrics: valid Prometheus text format, the counters move with the
traffic, nothing in it names a path, survey, unit or respondent; the map
warning at 80 %, 507 on writes while reads keep working."""
import time
import unittest
import uuid

from ops_support import Form, parse, value
from palaute_test import Daemon, DaemonTest, main


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
        n = 7
        for _ in range(n):
            self.assertEqual(form.submit().status, 201)
        text, m = self.scrape()
        for fam in ("palaute_http_requests_total",
                    "palaute_submission_duration_seconds",
                    "palaute_commit_duration_seconds",
                    "palaute_commit_batch_size",
                    "palaute_store_map_use_ratio",
                    "palaute_open_connections",
                    "palaute_rate_limited_total"):
            self.assertIn(fam, m)
            self.assertTrue(m[fam]["help"], fam)
        self.assertEqual(m["palaute_submission_duration_seconds"]["type"],
                         "histogram")
        route = "/api/v1/forms/{}/responses"
        self.assertEqual(value(m, "palaute_http_requests_total",
                               route=route, method="POST", status=201), n)
        self.assertEqual(value(m, "palaute_submission_duration_seconds_count"),
                         n)
        self.assertGreater(value(m, "palaute_submission_duration_seconds_sum"),
                           0)
        # Every submission was one job of some commit.
        self.assertGreaterEqual(value(m, "palaute_commit_batch_size_sum"), n)
        self.assertGreaterEqual(value(m, "palaute_commit_batch_size_count"), 1)
        self.assertGreaterEqual(
            value(m, "palaute_http_requests_total", route="unmatched",
                  method="GET", status=404), 1)
        ratio = value(m, "palaute_store_map_use_ratio")
        self.assertTrue(0 < ratio < 1, ratio)
        self.assertGreaterEqual(value(m, "palaute_open_connections"), 1)
        # The writer holds the ids of the last 14 days: these n.
        self.assertEqual(value(m, "palaute_idempotency_ids"), n)
        # Labels are route patterns: no path, slug or id gets in.
        self.assertNotIn(secret, text)
        self.assertNotIn(form.slug, text)
        for name, labels, _ in (s for f in m.values() for s in f["samples"]):
            self.assertLessEqual(set(labels), {"route", "method", "status",
                                               "le", "version"}, name)

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
