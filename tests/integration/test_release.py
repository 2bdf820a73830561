"""Release in steps of k, tried as an attacker would (DESIGN.md section 5).

Every test takes whole replies of every route a manager (or an admin) can
call — results as JSON with each grouping, the CSV, comments, surveys,
units, collectors, the session, and error replies — before and after an
event: one new response, a backdated answer, a pooling change. Replies
are compared byte for byte; only the comments' order is set aside (it is
shuffled on purpose on every read, so their sorted lists are compared).
The audit trail is left out: it records these very reads.

One real daemon (--dev) for the class; responses come in through the
kiosk route, whose batches may carry a day up to 14 days back. The
workbook is compared by what its sheets say: its zip entries carry the
time they were written.
"""
import datetime
import json
import uuid

from palaute_test import SharedDaemonTest, login_token, main
from intake_support import new_id, utc_today
from test_results import xlsx_sheets

K = 3          # min_group: the smallest DESIGN.md allows
KC = 4         # min_group_comments


def iso(d):
    return d.isoformat()


class ReleaseTest(SharedDaemonTest):
    def unit(self, parent=None, pool=False):
        body = {"name": {"fi": "Yksikkö " + uuid.uuid4().hex[:8]}}
        if parent is not None:
            body["parent"] = parent
        if pool:
            body["pool"] = True
        return self.admin.call("POST", "/api/v1/units", body,
                               status=201).json()["id"]

    def patch_unit(self, unit, **change):
        self.admin.call("PATCH", "/api/v1/units/%d" % unit, change,
                        status=200)

    def survey(self, **changes):
        changes.setdefault("min_group", K)
        changes.setdefault("min_group_comments", KC)
        changes.setdefault("period", "week")
        return self.admin.survey(**changes)

    def kiosk(self, survey, unit):
        c = self.admin.collector(survey, unit, "kiosk")
        r = self.d.post("/api/v1/kiosk/enroll",
                        body={"code": c["enrollment_code"]})
        self.assertEqual(r.status, 201, r)
        return r.json()["device_token"]

    def submit(self, token, n, day=None, visit=4, comment=None,
               reason=None):
        items = []
        for i in range(n):
            answers = {"visit": visit}
            if comment is not None:
                answers["comment"] = "%s %s" % (comment, uuid.uuid4().hex)
            if reason is not None:
                answers["reason"] = reason
            items.append({"id": new_id(), "day": iso(day or utc_today()),
                          "lang": "fi", "answers": answers})
        r = self.d.post("/api/v1/kiosk/responses", body={"responses": items},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["stored"], n, r)

    def manager(self, units):
        name = "mgr-" + uuid.uuid4().hex[:10]
        password = "esihenkil\u00f6n oma salasana"
        self.admin.call("POST", "/api/v1/users", {
            "username": name, "password": password, "role": "manager",
            "units": units}, status=201)
        return login_token(self.d, name, password)

    def results(self, survey, unit, **query):
        q = "&".join("%s=%s" % kv for kv in query.items())
        r = self.d.get("/api/v1/surveys/%d/results?unit=%d&%s"
                       % (survey, unit, q), token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    # -- whole replies

    def routes(self, survey, unit, admin):
        """Every GET a reader of unit can make about survey."""
        s, u = survey, unit
        paths = [
            "/api/v1/session",
            "/api/v1/units",
            "/api/v1/units/%d" % u,
            "/api/v1/collectors",
            "/api/v1/surveys/%d/results?unit=%d" % (s, u),
            "/api/v1/surveys/%d/results?unit=%d&by=unit" % (s, u),
            "/api/v1/surveys/%d/results?unit=%d&by=period" % (s, u),
            "/api/v1/surveys/%d/results?unit=%d&version=1" % (s, u),
            "/api/v1/surveys/%d/results.csv?unit=%d&by=unit" % (s, u),
            "/api/v1/surveys/%d/results.csv?unit=%d&by=period&sep=semicolon"
            % (s, u),
            "/api/v1/surveys/%d/results.xlsx?unit=%d&by=unit" % (s, u),
            "/api/v1/surveys/%d/comments?unit=%d" % (s, u),
            # Errors: their texts must not tell anything either.
            "/api/v1/surveys/%d/results?unit=%d&from=2020-01-02" % (s, u),
            "/api/v1/surveys/%d/results?unit=%d&version=99" % (s, u),
            "/api/v1/surveys/%d/comments?unit=%d&question=visit" % (s, u),
        ]
        if not admin:
            # An admin is told whether a survey has responses at all
            # (DESIGN.md section 5, known limits); a manager never.
            paths += ["/api/v1/surveys", "/api/v1/surveys/%d" % s]
        return paths

    def snapshot(self, survey, unit, token, admin=False):
        snap = {}
        for path in self.routes(survey, unit, admin):
            r = self.d.get(path, token=token)
            body = r.body
            if "/comments" in path and r.status == 200:
                doc = r.json()
                if "comments" in doc:
                    doc["comments"] = sorted(doc["comments"],
                                             key=lambda c: c["text"])
                body = json.dumps(doc, sort_keys=True).encode()
            if ".xlsx" in path and r.status == 200:
                # The zip's entries carry the time they were written:
                # compare what the sheets say, cell by cell.
                body = json.dumps(xlsx_sheets(body), sort_keys=True).encode()
            snap[path] = (r.status, r.header("Content-Type"), body)
        return snap

    def assertSameReplies(self, a, b):
        self.assertEqual(sorted(a), sorted(b))
        for path in a:
            self.assertEqual(a[path], b[path], path)

    @staticmethod
    def group(doc, unit=None):
        for g in doc["groups"]:
            if unit is None or g["unit"] == unit:
                return g
        raise AssertionError("no group of %r in %r" % (unit, doc))


class Refresh(ReleaseTest):
    def test_one_response_changes_no_reply_k_move_by_exactly_k(self):
        u = self.unit()
        s = self.survey()
        t = self.kiosk(s, u)
        mgr = self.manager([u])
        self.submit(t, K, visit=4)
        before = self.snapshot(s, u, mgr)
        admin_before = self.snapshot(s, u, self.token, admin=True)
        doc0 = self.results(s, u)
        self.assertEqual(self.group(doc0)["n"], K)
        self.assertEqual(doc0["k"], K)
        self.assertEqual(doc0["k_comments"], KC)
        self.assertNotIn("suppressed", json.dumps(doc0))

        # The client the manager just saw taps 1.
        self.submit(t, 1, visit=1)
        self.assertSameReplies(before, self.snapshot(s, u, mgr))
        self.assertSameReplies(admin_before,
                               self.snapshot(s, u, self.token, admin=True))
        # k - 2 more: still nothing.
        self.submit(t, K - 2, visit=1)
        self.assertSameReplies(before, self.snapshot(s, u, mgr))

        # The k-th since the step: the numbers move by exactly those k.
        self.submit(t, 1, visit=1)
        g0, g1 = self.group(doc0), self.group(self.results(s, u))
        self.assertEqual(g1["n"] - g0["n"], K)
        v0, v1 = g0["questions"]["visit"], g1["questions"]["visit"]
        self.assertEqual(v1["answered"] - v0["answered"], K)
        self.assertEqual([b - a for a, b in zip(v0["counts"], v1["counts"])],
                         [K, 0, 0, 0, 0])
        self.assertNotEqual(before, self.snapshot(s, u, mgr))

    def test_a_cell_of_one_reads_as_a_cell_of_none(self):
        parent = self.unit()
        u = self.unit(parent)
        s = self.survey()
        t = self.kiosk(s, u)
        mgr = self.manager([u])
        mgr_parent = self.manager([parent])
        none = self.snapshot(s, u, mgr)
        none_parent = self.snapshot(s, parent, mgr_parent)
        none_admin = self.snapshot(s, u, self.token, admin=True)
        self.submit(t, 1, visit=1, comment="yksi")
        self.assertSameReplies(none, self.snapshot(s, u, mgr))
        self.assertSameReplies(none_parent,
                               self.snapshot(s, parent, mgr_parent))
        self.assertSameReplies(none_admin,
                               self.snapshot(s, u, self.token, admin=True))
        for path, (status, _, body) in none.items():
            self.assertNotIn(b"suppressed", body, path)


class Backdated(ReleaseTest):
    def test_an_answer_into_an_old_bucket_waits_for_k(self):
        u = self.unit()
        s = self.survey()
        t = self.kiosk(s, u)
        mgr = self.manager([u])
        old = utc_today() - datetime.timedelta(days=10)
        self.submit(t, K, day=old)
        self.submit(t, K)
        before = self.snapshot(s, u, mgr)
        weeks0 = self.results(s, u, by="period")
        # One kiosk answer, backdated into the week already read.
        self.submit(t, 1, day=old, visit=1)
        self.assertSameReplies(before, self.snapshot(s, u, mgr))
        self.submit(t, K - 2, day=old, visit=1)
        self.assertSameReplies(before, self.snapshot(s, u, mgr))
        self.submit(t, 1, day=old, visit=1)
        weeks1 = self.results(s, u, by="period")
        moved = [(a["from"], b["n"] - a["n"]) for a, b in
                 zip(weeks0["groups"], weeks1["groups"]) if a != b]
        self.assertEqual(len(moved), 1, moved)
        self.assertEqual(moved[0][1], K)


class Optional(ReleaseTest):
    def test_an_optional_question_answered_by_fewer_than_k(self):
        u = self.unit()
        s = self.survey()
        t = self.kiosk(s, u)
        self.submit(t, K)
        # A released group of 2K in which one person answered "reason".
        self.submit(t, K - 1)
        self.submit(t, 1, reason="appointment")
        g = self.group(self.results(s, u))
        self.assertEqual(g["n"], 2 * K)
        reason = g["questions"]["reason"]
        self.assertEqual(reason["answered"], 0)
        self.assertEqual(set(reason["counts"]), {0})
        # Once k have answered it (and the cell steps), it shows them all.
        self.submit(t, K - 1, reason="appointment")
        self.submit(t, 1, reason="appointment")
        reason = self.group(self.results(s, u))["questions"]["reason"]
        self.assertEqual(reason["answered"], K + 1)


class Pooling(ReleaseTest):
    def numbers(self, survey, units):
        """Every released number of every unit's groups: by=unit and the
        subtree, keyed by (query unit, group unit, own)."""
        out = {}
        for u in units:
            for by in ("none", "unit"):
                for g in self.results(survey, u, by=by)["groups"]:
                    g = dict(g)
                    g.pop("pool", None)   # the setting, not a number
                    out[(u, by, g["unit"], g.get("own", False))] = g
        return out

    def test_pooling_unpooling_and_moving_move_no_released_number(self):
        city = self.unit()
        area = self.unit(city)
        other = self.unit(city)
        office = self.unit(area)
        s = self.survey()
        t = self.kiosk(s, office)
        self.submit(t, 2 * K)
        units = [city, area, other, office]
        before = self.numbers(s, units)
        self.assertEqual(self.group(self.results(s, office))["n"], 2 * K)

        self.patch_unit(office, pool=True)
        self.assertEqual(self.numbers(s, units), before)
        # New responses count where the office pools now: the area.
        self.submit(t, K)
        doc = self.results(s, area, by="unit")
        self.assertEqual(self.group(doc, area)["n"], K)      # own cells
        self.assertEqual(self.group(doc, office)["n"], 2 * K)
        pooled = self.numbers(s, units)

        self.patch_unit(office, pool=False)
        self.assertEqual(self.numbers(s, units), pooled)

        # Moving: the office's cells go with it, the area's stay.
        self.patch_unit(office, parent=other)
        moved = self.numbers(s, units)
        self.assertEqual(moved[(office, "none", office, False)],
                         pooled[(office, "none", office, False)])
        self.assertEqual(moved[(city, "none", city, False)],
                         pooled[(city, "none", city, False)])
        self.assertEqual(self.group(self.results(s, area))["n"], K)
        self.assertEqual(self.group(self.results(s, other))["n"], 2 * K)

    def test_a_small_pooled_office_hides_nothing_above_it(self):
        # An office with fewer than k pooled into an area with none of
        # its own: the city still shows everything released.
        city = self.unit()
        area = self.unit(city)
        small = self.unit(area, pool=True)
        area2 = self.unit(city)
        offices = [self.unit(area2) for _ in range(3)]
        s = self.survey(min_group=5, min_group_comments=10)
        self.submit(self.kiosk(s, small), 3)
        for o, n in zip(offices, (10, 15, 20)):
            self.submit(self.kiosk(s, o), n)
        self.assertEqual(self.group(self.results(s, city))["n"], 45)
        doc = self.results(s, city, by="unit")
        self.assertEqual(self.group(doc, area)["n"], 0)
        self.assertEqual(self.group(doc, area2)["n"], 45)


if __name__ == "__main__":
    main()
