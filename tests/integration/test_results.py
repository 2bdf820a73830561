"""Results over HTTP: scoping, ranges, CSV, rebuild, the cache and the
audit trail of every read. (What the release rule shows across time is
test_release.py; comments are test_comments.py.)

One real daemon (--dev) for the class. Responses come in through the real
intake routes: kiosks, whose batches may carry a day up to 14 days back,
so that tests can put responses into distinct weeks. Every test makes its
own units and survey, so tests do not depend on one another. Days are
relative to the daemon's today (UTC), never fixed dates.
"""
import csv
import datetime
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile

from palaute_test import SharedDaemonTest, load_survey, login_token, main
from intake_support import new_id, palautectl, utc_today

K = 3          # min_group of most tests (the smallest DESIGN.md allows)
KC = 4         # min_group_comments of most tests


def iso(d):
    return d.isoformat()


def monday(d):
    return d - datetime.timedelta(days=d.weekday())


class ResultsTest(SharedDaemonTest):
    # -- the world of one test

    def unit(self, parent=None, pool=False):
        body = {"name": {"fi": "Yksikkö " + uuid.uuid4().hex[:8]}}
        if parent is not None:
            body["parent"] = parent
        if pool:
            body["pool"] = True
        r = self.admin.call("POST", "/api/v1/units", body, status=201)
        return r.json()["id"]

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

    def submit(self, token, day, n, visit=4, comment=None, lang="fi"):
        """n responses on day (a date) through a kiosk batch."""
        items = []
        for i in range(n):
            answers = {"visit": visit}
            if comment is not None:
                answers["comment"] = "%s %d" % (comment, i)
            items.append({"id": new_id(), "day": iso(day), "lang": lang,
                          "answers": answers})
        r = self.d.post("/api/v1/kiosk/responses", body={"responses": items},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["stored"], n, r)

    def results(self, survey, token=None, status=200, **query):
        q = "&".join("%s=%s" % (k, v) for k, v in query.items())
        r = self.d.get("/api/v1/surveys/%d/results?%s" % (survey, q),
                       token=token or self.token)
        self.assertEqual(r.status, status, r)
        return r.json()

    def comments(self, survey, token=None, **query):
        q = "&".join("%s=%s" % (k, v) for k, v in query.items())
        r = self.d.get("/api/v1/surveys/%d/comments?%s" % (survey, q),
                       token=token or self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def manager(self, units):
        name = "mgr-" + uuid.uuid4().hex[:10]
        password = "esihenkil\u00f6n oma salasana"
        self.admin.call("POST", "/api/v1/users", {
            "username": name, "password": password, "role": "manager",
            "units": units}, status=201)
        return name, login_token(self.d, name, password)

    @staticmethod
    def weeks():
        """Days in this week, last week and the week before, all within
        the kiosk's 14-day window."""
        today = utc_today()
        m = monday(today)
        return today, m - datetime.timedelta(days=1), \
            m - datetime.timedelta(days=8)


class Scope(ResultsTest):
    def test_manager_outside_subtree_is_403(self):
        root = self.unit()
        mine, other = self.unit(root), self.unit(root)
        below = self.unit(mine)
        s = self.survey()
        name, token = self.manager([mine])
        for u in (mine, below):
            self.results(s, token=token, unit=u)
        for u in (root, other, 999999):
            r = self.d.get("/api/v1/surveys/%d/results?unit=%d" % (s, u),
                           token=token)
            self.error(r, 403, "forbidden", "unit")
            r = self.d.get("/api/v1/surveys/%d/comments?unit=%d" % (s, u),
                           token=token)
            self.error(r, 403, "forbidden", "unit")
            r = self.d.get("/api/v1/surveys/%d/results.csv?unit=%d" % (s, u),
                           token=token)
            self.error(r, 403, "forbidden", "unit")
        # Without unit=, a manager of one subtree gets that one.
        self.assertEqual(self.results(s, token=token)["unit"], mine)
        # An admin is told that a unit does not exist.
        r = self.d.get("/api/v1/surveys/%d/results?unit=999999" % s,
                       token=self.token)
        self.error(r, 404, "not_found", "unit")
        r = self.d.get("/api/v1/surveys/%d/results?unit=%d" % (s, mine))
        self.error(r, 401, "unauthorized")
        r = self.d.get("/api/v1/surveys/999999/results?unit=%d" % mine,
                       token=token)
        self.error(r, 404, "not_found")


class Query(ResultsTest):
    def test_misaligned_range_is_422(self):
        u = self.unit()
        s = self.survey()          # weeks
        this_week, _, _ = self.weeks()
        m = monday(this_week)
        tue = m + datetime.timedelta(days=1)
        r = self.d.get("/api/v1/surveys/%d/results?unit=%d&from=%s&to=%s" % (
            s, u, iso(tue), iso(m + datetime.timedelta(days=6))),
            token=self.token)
        err = self.error(r, 422, "misaligned_range", "from")
        self.assertIn("from=%s&to=%s" % (
            iso(m), iso(m + datetime.timedelta(days=6))), err["message"])
        r = self.d.get("/api/v1/surveys/%d/results.csv?unit=%d&from=%s&to=%s"
                       % (s, u, iso(m), iso(tue)), token=self.token)
        err = self.error(r, 422, "misaligned_range", "to")
        self.assertIn("to=%s" % iso(m + datetime.timedelta(days=6)),
                      err["message"])
        # Groups by month on a survey kept by weeks: not whole buckets.
        r = self.d.get("/api/v1/surveys/%d/results?unit=%d&by=period&"
                       "period=month" % (s, u), token=self.token)
        self.error(r, 422, "invalid", "period")
        # Aligned ranges are fine, also ones without any data.
        doc = self.results(s, unit=u, **{
            "from": iso(m), "to": iso(m + datetime.timedelta(days=6))})
        self.assertEqual(doc["groups"][0]["n"], 0)

    def test_bad_parameters_are_400(self):
        u = self.unit()
        s = self.survey()
        for q, field in (("unit=x", "unit"), ("by=day", "by"),
                         ("from=2024-13-01", "from"), ("form=2024-01-01",
                                                       "form"),
                         ("unit=%d&unit=%d" % (u, u), "unit"),
                         ("question=c", "question")):
            r = self.d.get("/api/v1/surveys/%d/results?%s" % (s, q),
                           token=self.token)
            self.error(r, 400, "bad_request", field)
        # The CSV dialect is the CSV's alone.
        for route, q in (("results", "sep=comma"), ("comments", "sep=comma"),
                         ("results.csv", "sep=tab"),
                         ("results.csv", "sep=semicolon&sep=comma")):
            r = self.d.get("/api/v1/surveys/%d/%s?unit=%d&%s"
                           % (s, route, u, q), token=self.token)
            self.error(r, 400, "bad_request", "sep")
        r = self.d.get("/api/v1/surveys/%d/results?unit=%d&version=9" % (s, u),
                       token=self.token)
        self.error(r, 404, "not_found", "version")


class Csv(ResultsTest):
    def test_csv_header_bom_and_released_rows(self):
        p = self.unit()
        x, y = self.unit(p), self.unit(p)
        s = self.survey()
        today = utc_today()
        self.submit(self.kiosk(s, x), today, K, visit=5)
        self.submit(self.kiosk(s, y), today, 1, visit=2)
        r = self.d.get("/api/v1/surveys/%d/results.csv?unit=%d&by=unit"
                       % (s, p), token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "text/csv; charset=utf-8")
        self.assertTrue(r.header("Content-Disposition").startswith(
            "attachment"), r.headers)
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        text = r.body[3:].decode("utf-8")
        lines = text.split("\r\n")
        self.assertEqual(lines[0], "survey,unit,scope,from,to,question,"
                         "type,statistic,option,value")
        self.assertEqual(lines[-1], "")
        rows = [line.split(",") for line in lines[1:-1]]
        self.assertTrue(all(len(row) == 10 for row in rows), rows)
        by_unit = {}
        for row in rows:
            by_unit.setdefault(int(row[1]), []).append(row)
        # y: its one response is not released yet; its rows are those of
        # a unit with none (n 0, zero counts, empty statistics)
        yr = {(row[5], row[7], row[8]): row[9] for row in by_unit[y]}
        self.assertEqual(yr[("", "n", "")], "0")
        self.assertEqual(yr[("visit", "count", "2")], "0")
        self.assertEqual(yr[("visit", "mean", "")], "")
        # x: n, then the statistics
        xr = {(row[5], row[7], row[8]): row[9] for row in by_unit[x]}
        self.assertEqual(xr[("", "n", "")], str(K))
        self.assertEqual(xr[("visit", "count", "5")], str(K))
        self.assertEqual(xr[("visit", "mean", "")], "5")
        self.assertEqual(xr[("visit", "csat", "")], "100")
        self.assertEqual(xr[("reason", "count", "appointment")], "0")
        self.assertEqual(sorted(yr), sorted(xr))
        # the CSV says what the JSON says
        doc = self.results(s, unit=p, by="unit")
        self.assertEqual(len(doc["groups"]), 3)
        self.assertEqual(sorted(by_unit), sorted({p, x, y}))

    def csv(self, s, query):
        r = self.d.get("/api/v1/surveys/%d/results.csv?%s" % (s, query),
                       token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        return r.body[3:].decode("utf-8")

    def test_semicolon_dialect_for_spreadsheets(self):
        u = self.unit()
        s = self.survey()
        t = self.kiosk(s, u)
        self.submit(t, utc_today(), K - 1, visit=5)
        self.submit(t, utc_today(), 1, visit=4)   # the step of K
        query = "unit=%d" % u
        comma = self.csv(s, query)
        self.assertEqual(self.csv(s, query + "&sep=comma"), comma)
        semi = self.csv(s, query + "&sep=semicolon")
        self.assertEqual(semi.split("\r\n")[0], "survey;unit;scope;from;to;"
                         "question;type;statistic;option;value")
        # The same cells, field for field; only the decimal mark differs.
        want = list(csv.reader(io.StringIO(comma, newline="")))
        got = list(csv.reader(io.StringIO(semi, newline=""),
                              delimiter=";"))
        self.assertEqual(len(got), len(want))
        mean = "%g" % round((5 * (K - 1) + 4) / K, 2)
        seen = False
        for g, w in zip(got, want):
            self.assertEqual(g[:9], w[:9])
            self.assertEqual(g[9], w[9].replace(".", ","))
            if (w[5], w[7]) == ("visit", "mean"):
                self.assertEqual((w[9], g[9]),
                                 (mean, mean.replace(".", ",")))
                seen = True
        self.assertTrue(seen, want)
        self.assertIn(".", mean)   # a mean with decimals


class Rebuild(ResultsTest):
    def test_rebuild_beside_the_daemon(self):
        u = self.unit()
        s = self.survey()
        t = self.kiosk(s, u)
        self.submit(t, utc_today(), K + 1, comment="ok")
        before = self.results(s, unit=u, by="period")

        def rebuild(*args):
            rc, out, err = palautectl(self.d.state_dir, "rebuild", *args)
            self.assertEqual(rc, 0, err)
            fields = dict(line.split(" ", 1) for line in out.splitlines())
            self.assertNotIn("ok 0", out + err)   # no comment, ever
            return fields

        f = rebuild("--dry-run")
        self.assertEqual(f["result"], "dry-run")
        f = rebuild()
        self.assertEqual(f["result"], "ok")
        self.assertEqual(f["cells_written"], "0")   # intake kept them right
        self.assertEqual(f["bad_responses"], "0")
        self.assertGreaterEqual(int(f["responses"]), K + 1)
        self.assertGreaterEqual(int(f["cells_same"]), 1)
        self.assertEqual(self.results(s, unit=u, by="period"), before)
        self.assertEqual(before["groups"][-1]["n"], K)   # one step
        # The daemon goes on: the next step counts each response once.
        self.submit(t, utc_today(), K - 1)
        [g] = self.results(s, unit=u)["groups"]
        self.assertEqual(g["n"], 2 * K)


class Cache(ResultsTest):
    """The cache follows new responses through the store's journal."""

    daemon_args = ("-o", "verbose=yes")

    def test_new_responses_are_synced_not_reread(self):
        p = self.unit()
        units = [self.unit(p) for _ in range(4)]
        s = self.survey()
        today = utc_today()
        kiosks = [self.kiosk(s, u) for u in units]
        for t in kiosks:
            self.submit(t, today, K)
        self.assertEqual(self.results(s, unit=p)["groups"][0]["n"], 4 * K)
        whole = "survey %d: model read whole" % s
        synced = "survey %d: cells synced" % s
        reads = self.d.wait_log(whole)
        # Every read after a new response is right (released in steps of
        # K, each kiosk's cell on its own), and none reads the survey's
        # cells whole again.
        count = [K] * 4
        for i, t in enumerate(kiosks * 2 + kiosks[:1] * 4):
            self.submit(t, today, 1)
            count[kiosks.index(t)] += 1
            released = [c - c % K for c in count]
            [g] = self.results(s, unit=p)["groups"]
            self.assertEqual(g["n"], sum(released))
            [g] = self.results(s, unit=units[kiosks.index(t)])["groups"]
            self.assertEqual(g["n"], released[kiosks.index(t)])
        self.assertEqual(sum(released), 4 * K + 2 * K)
        # The log is in order: once the last sync is in, so is any
        # whole read before it.
        self.assertGreaterEqual(self.d.wait_log(synced, 12), 12)
        self.assertEqual(self.d.log().count(whole), reads)
        # A new unit (the tree changed): read whole once more.
        self.unit(p)
        self.assertEqual(self.results(s, unit=p)["groups"][0]["n"],
                         sum(released))
        self.assertEqual(self.d.wait_log(whole, reads + 1), reads + 1)


def xlsx_sheets(body):
    """The sheets of a workbook by name, each a {cell ref: value} with
    numbers as floats and strings as str (shared strings resolved)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/"
               "relationships"}
    z = zipfile.ZipFile(io.BytesIO(body))
    strings = []
    if "xl/sharedStrings.xml" in z.namelist():
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
        for si in root.findall("m:si", ns):
            strings.append("".join(t.text or "" for t in
                                   si.iter("{%s}t" % ns["m"])))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    sheets = {}
    for sh in wb.find("m:sheets", ns):
        rid = sh.get("{%s}id" % ns["r"])
        root = ET.fromstring(z.read("xl/" + target[rid]))
        cells = {}
        for c in root.iter("{%s}c" % ns["m"]):
            v = c.find("m:v", ns)
            if v is None:
                continue
            cells[c.get("r")] = (strings[int(v.text)] if c.get("t") == "s"
                                 else float(v.text))
        sheets[sh.get("name")] = cells
    return sheets


class Xlsx(ResultsTest):
    def test_workbook_says_what_the_json_says(self):
        p = self.unit()
        x, y = self.unit(p), self.unit(p)
        s = self.survey()
        today = utc_today()
        self.submit(self.kiosk(s, x), today, K, visit=5)
        self.submit(self.kiosk(s, y), today, 2 * K, visit=3)
        doc = self.results(s, unit=p, by="unit")
        r = self.d.get("/api/v1/surveys/%d/results.xlsx?unit=%d&by=unit"
                       "&lang=sv" % (s, p), token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/vnd."
                         "openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn('filename="results.xlsx"',
                      r.header("Content-Disposition"))
        sheets = xlsx_sheets(r.body)
        names = list(sheets)
        self.assertEqual(names[:2], ["Information", "Sammandrag"])
        cover = sheets["Information"]
        self.assertIn(float(K), cover.values())
        self.assertTrue(any(isinstance(v, str) and "steg om %d svar" % K in v
                            for v in cover.values()), cover)
        summary = sheets["Sammandrag"]
        # A row per group: the unit's name, then n as a number.
        units = {u["id"]: u["name"]["fi"] for u in self.admin.call(
            "GET", "/api/v1/units", status=200).json()["units"]}
        for row, g in enumerate(doc["groups"], start=2):
            name = units[g["unit"]] + (" (egen)" if g.get("own") else "")
            self.assertEqual(summary["A%d" % row], name)
            self.assertEqual(summary["D%d" % row], float(g["n"]))
        # The smiley's sheet: its distribution per group, labelled 1..5.
        visit = [n for n in names if n.startswith("1 ")]
        self.assertEqual(len(visit), 1, names)
        dist = sheets[visit[0]]
        self.assertEqual([dist[c + "1"] for c in "EFGHI"],
                         ["1", "2", "3", "4", "5"])
        for row, g in enumerate(doc["groups"], start=2):
            counts = g["questions"]["visit"]["counts"]
            self.assertEqual([dist.get("%s%d" % (c, row)) for c in "EFGHI"],
                             [float(n) for n in counts])

    def test_lang_is_the_workbooks_alone(self):
        u = self.unit()
        s = self.survey()
        for route, q in (("results.xlsx", "lang=de"),
                         ("results", "lang=fi"),
                         ("results.csv", "lang=fi")):
            r = self.d.get("/api/v1/surveys/%d/%s?unit=%d&%s"
                           % (s, route, u, q), token=self.token)
            self.error(r, 400, "bad_request", "lang")
        # No data at all is still a workbook, in Finnish by default.
        r = self.d.get("/api/v1/surveys/%d/results.xlsx?unit=%d" % (s, u),
                       token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Yhteenveto", xlsx_sheets(r.body))


class Audit(ResultsTest):
    def test_every_read_is_audited(self):
        u = self.unit()
        s = self.survey()
        this_week, _, _ = self.weeks()
        self.submit(self.kiosk(s, u), this_week, KC, comment="ok")
        name, token = self.manager([u])
        frm = iso(monday(this_week))
        to = iso(monday(this_week) + datetime.timedelta(days=6))
        query = "unit=%d&from=%s&to=%s" % (u, frm, to)
        for path in ("results", "results.csv", "comments", "results.xlsx"):
            r = self.d.get("/api/v1/surveys/%d/%s?%s" % (s, path, query),
                           token=token)
            self.assertEqual(r.status, 200, r)
        # a refused read is no read
        r = self.d.get("/api/v1/surveys/%d/results?unit=%d&from=%s&to=%s"
                       % (s, u, frm, frm), token=token)
        self.assertEqual(r.status, 422)
        doc = self.admin.call("GET", "/api/v1/audit?limit=10000",
                              status=200).json()
        self.assertTrue(doc["verified"], doc)
        mine = [e for e in doc["entries"] if e["who"] == name and
                e["action"] != "login"]
        self.assertEqual([e["action"] for e in mine],
                         ["results.read", "results.csv", "comments.read",
                          "results.xlsx"])
        for e in mine:
            det = e["detail"]
            self.assertEqual((det["survey"], det["unit"], det["from"],
                              det["to"], det["via"]),
                             (s, u, frm, to, "session"), e)
            self.assertRegex(e["day"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertEqual(mine[2]["detail"]["question"], "comment")
        self.assertNotIn("ok 0", str(doc))   # never a comment in the log


if __name__ == "__main__":
    main()
