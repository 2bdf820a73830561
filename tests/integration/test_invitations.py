"""Invitation rounds over HTTP against the real daemon: each code's
personal link (/f/<slug>#code=...) in the creation reply and the CSV,
the check symbol as the server reads it, and no route that tells whether
a code is unused, used or unknown without spending it: every reply a
code can reach is compared whole for the three. A used code gets 409 and
nothing of a code reaches the store or the log.
"""
import csv
import io
import json
import os
import random
import re
import statistics
import time

from intake_support import new_id, slug_of
from palaute_test import SharedDaemonTest, main

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_RE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-"
                     r"[2-9A-HJKMNP-Z]{5}$")
GOOD = {"workload": 3, "recommend": 8}


def weighted(symbols):
    """sum (i + 1) * v_i mod 31: core/codes.h's check, written again."""
    return sum((i + 1) * ALPHABET.index(c)
               for i, c in enumerate(symbols)) % 31


def check_symbol(body):
    n = len(body)
    return ALPHABET[(-weighted(body)) * pow(n + 1, 29, 31) % 31]


def canonical(code):
    return code.replace("-", "").upper()


def fmt(symbols):
    return "%s-%s-%s" % (symbols[:4], symbols[4:8], symbols[8:])


def made_up_code(rng):
    """A code of the right shape whose check holds, never issued."""
    body = "".join(rng.choice(ALPHABET) for _ in range(12))
    return fmt(body + check_symbol(body))


class Invitations(SharedDaemonTest):
    def round(self, count, survey_file="survey-staff.json", **extra):
        unit = self.admin.unit()
        survey = self.admin.survey(survey_file, **extra)
        c = self.admin.collector(survey, unit, "invitation", count=count)
        return c, slug_of(c)

    def submit(self, slug, answers, code, rid=None, **extra):
        body = {"id": rid or new_id("i"), "lang": "fi", "answers": answers,
                "invitation": code}
        body.update(extra)
        return self.d.post("/api/v1/forms/%s/responses" % slug, body=body)

    @staticmethod
    def whole(r):
        """A reply as a client sees it, but for the day's Date header."""
        return (r.status, sorted((k.lower(), v) for k, v in r.headers
                                 if k.lower() != "date"), r.body)

    # ------------------------------------------------ personal links

    def test_the_reply_gives_each_code_its_personal_link(self):
        c, slug = self.round(7)
        codes, urls = c["codes"], c["code_urls"]
        self.assertEqual(len(codes), 7)
        self.assertEqual(len(set(codes)), 7)
        self.assertEqual(len(urls), 7)
        for code, url in zip(codes, urls):
            self.assertRegex(code, CODE_RE)
            self.assertEqual(weighted(canonical(code)), 0, code)
            # The code in the fragment, never in the path or the query.
            self.assertEqual(url, "/f/%s#code=%s" % (slug, code))
            path = url.split("#", 1)[0]
            self.assertNotIn("?", path)
            self.assertNotIn(canonical(code), path.upper())
        # The codes are shown once: reading the round never gives them.
        for r in (self.admin.call("GET", "/api/v1/collectors/%d" % c["id"],
                                  status=200),
                  self.admin.call("GET", "/api/v1/collectors", status=200)):
            for code in codes:
                self.assertNotIn(canonical(code).encode(),
                                 r.body.replace(b"-", b""))
            self.assertNotIn(b"code_urls", r.body)
        # The form says its codes end in a check symbol.
        doc = self.ok(self.d.get("/api/v1/forms/" + slug))
        self.assertTrue(doc["invitation_required"])
        self.assertTrue(doc["invitation_check"])
        # A link form has neither.
        link = self.admin.collector(c["survey"], c["unit"], "link")
        doc = self.ok(self.d.get("/api/v1/forms/" + slug_of(link)))
        self.assertFalse(doc["invitation_required"])
        self.assertFalse(doc["invitation_check"])
        # Each personal link works: its code is this form's.
        for code, url in zip(codes[:2], urls[:2]):
            got = url.split("#code=", 1)[1]
            self.assertEqual(self.submit(slug, GOOD, got).status, 201)

    def test_the_csv_carries_the_personal_link_of_each_code(self):
        unit = self.admin.unit()
        survey = self.admin.survey("survey-staff.json")
        r = self.admin.call("POST", "/api/v1/collectors?format=csv", {
            "survey": survey, "unit": unit, "kind": "invitation",
            "count": 25}, status=201)
        self.assertEqual(r.header("Content-Type"), "text/csv; charset=utf-8")
        self.assertRegex(r.header("Content-Disposition"),
                         r'^attachment; filename="invitations-\d+\.csv"$')
        text = r.body.decode("utf-8")
        self.assertTrue(text.endswith("\r\n"))
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.assertEqual(rows[0], ["code", "url", "form_url"])
        self.assertEqual(len(rows), 26)
        forms = {row[2] for row in rows[1:]}
        self.assertEqual(len(forms), 1)
        form = forms.pop()
        self.assertRegex(form, r"^/f/[A-Za-z0-9_-]{22}$")
        codes = set()
        for code, url, _ in rows[1:]:
            self.assertRegex(code, CODE_RE)
            self.assertEqual(weighted(canonical(code)), 0, code)
            self.assertEqual(url, "%s#code=%s" % (form, code))
            codes.add(code)
        self.assertEqual(len(codes), 25)
        # The links are the round's: a code of the file is used once.
        slug = form.rsplit("/", 1)[1]
        code = rows[5][0]
        self.assertEqual(self.submit(slug, GOOD, code).status, 201)
        self.error(self.submit(slug, GOOD, code), 409, "already_used",
                   "invitation")

    # ------------------------------------------------ the check symbol

    def test_a_mistyped_code_is_a_typing_error_as_text(self):
        c, slug = self.round(2)
        code = canonical(c["codes"][0])
        wrong = []
        for i in range(len(code)):
            other = ALPHABET[(ALPHABET.index(code[i]) + 7) % 31]
            wrong.append(code[:i] + other + code[i + 1:])
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                wrong.append(code[:i] + code[i + 1] + code[i] + code[i + 2:])
        for w in wrong:
            err = self.error(self.submit(slug, GOOD, fmt(w)), 422, "invalid",
                             "invitation")
            self.assertIn("typing error", err["message"])
        # The wrong shapes, refused as text too.
        for w in (code[:12], code + "2", code[:12] + "0", "nonsense"):
            err = self.error(self.submit(slug, GOOD, w), 422, "invalid",
                             "invitation")
            self.assertIn("13 letters and digits", err["message"])
        # None of it spent the code.
        self.assertEqual(self.submit(slug, GOOD, c["codes"][0]).status, 201)

    def test_server_and_reference_agree_on_the_check(self):
        """Random 13-symbol strings: the server calls a string a typing
        error exactly when the reference check here says so (its verdict
        is about the text alone: a reply naming the answers shows it got
        past the code)."""
        c, slug = self.round(1)
        rng = random.Random(1515)
        passed = 0
        for n in range(400):
            s = "".join(rng.choice(ALPHABET) for _ in range(13))
            if n % 4 == 0:  # a quarter made whole, so both verdicts occur
                s = s[:12] + check_symbol(s[:12])
            r = self.submit(slug, {"workload": 99}, fmt(s))
            self.assertEqual(r.status, 422, r)
            field = r.json()["error"]["field"]
            ok = weighted(s) == 0
            self.assertEqual(field, "workload" if ok else "invitation",
                             "%s: %r" % (s, r))
            passed += ok
        self.assertGreater(passed, 100)

    # ------------------------------------------------ no oracle

    def test_no_route_tells_unused_used_or_unknown_apart(self):
        """Every request a code can take, made with an unused code, a
        used one and one never issued, gets the same whole reply, unless
        it would have spent the unused one."""
        c, slug = self.round(3)
        path = "/api/v1/forms/%s/responses" % slug
        unused, used = c["codes"][0], c["codes"][1]
        self.assertEqual(self.submit(slug, GOOD, used).status, 201)
        unknown = made_up_code(random.Random(15))
        kinds = {"unused": unused, "used": used, "unknown": unknown}

        def same(label, replies):
            want = self.whole(replies["unused"])
            for k, r in replies.items():
                self.assertEqual(self.whole(r), want,
                                 "%s: the %s code's reply differs" %
                                 (label, k))

        # The submission, failing for any reason but the code, with the
        # same response id (a new id gives a new reply body otherwise):
        # (label, request, the status and field it must fail with).
        rid = "same-response-1"
        stored = new_id("stored")
        self.assertEqual(self.submit(slug, GOOD, c["codes"][2],
                                     rid=stored).status, 201)
        link = slug_of(self.admin.collector(c["survey"], c["unit"], "link"))
        failing = [
            ("an invalid answer", lambda code: self.submit(
                slug, {"workload": 9, "recommend": 8}, code, rid=rid),
             422, "workload"),
            ("a missing required answer", lambda code: self.submit(
                slug, {"recommend": 8}, code, rid=rid), 422, "workload"),
            ("no answer at all", lambda code: self.submit(
                slug, {}, code, rid=rid), 422, "workload"),
            ("an unknown question", lambda code: self.submit(
                slug, dict(GOOD, nosuch=1), code, rid=rid), 422,
             "nosuch"),
            ("a language the survey lacks", lambda code: self.submit(
                slug, GOOD, code, rid=rid, lang="ru"), 422, "lang"),
            ("a version that is not there", lambda code: self.submit(
                slug, GOOD, code, rid=rid, version=99), None, "version"),
            ("a bad response id", lambda code: self.submit(
                slug, GOOD, code, rid="x" * 300), 422, "id"),
            ("a member the contract lacks", lambda code: self.submit(
                slug, GOOD, code, rid=rid, extra=1), 400, "extra"),
            ("the code in lower case, a bad answer", lambda code: self.submit(
                slug, {"workload": 0, "recommend": 8}, code.lower(),
                rid=rid), 422, "workload"),
            # A retry of a stored response: 200, nothing burned or read.
            ("an id of a stored response (a retry)", lambda code: self.submit(
                slug, GOOD, code, rid=stored), 200, None),
            # The same code on a link form, which takes none.
            ("a code on another form", lambda code: self.submit(
                link, GOOD, code, rid=rid), 422, "invitation"),
        ]
        for label, send, status, field in failing:
            replies = {k: send(code) for k, code in kinds.items()}
            r = replies["unused"]
            if status is not None:
                self.assertEqual(r.status, status, "%s: %r" % (label, r))
            self.assertNotEqual(r.status, 201, label)
            if field is not None:
                self.assertEqual(r.json()["error"]["field"], field,
                                 "%s: %r" % (label, r))
            same(label, replies)
        # The form's other routes take no code: in a query, a header or a
        # body they change nothing.
        for label, send in {
            "the form, the code in the query": lambda code: self.d.get(
                "/api/v1/forms/%s?code=%s" % (slug, code)),
            "the form, the code in a header": lambda code: self.d.get(
                "/api/v1/forms/" + slug, headers={"X-Code": code}),
            "the form's page": lambda code: self.d.get("/f/" + slug),
            "the preflight": lambda code: self.d.request(
                "OPTIONS", path, headers={"Origin": "https://x.example",
                                          "X-Code": code}),
            "a kiosk enrollment with it": lambda code: self.d.post(
                "/api/v1/kiosk/enroll", body={"code": code}),
        }.items():
            same(label, {k: send(code) for k, code in kinds.items()})
        # The admin's QR route draws whatever code it is given: the
        # picture differs, the verdict does not.
        for code in kinds.values():
            r = self.admin.call("POST", "/api/v1/qr.svg", {
                "text": "https://palaute.example/f/%s#code=%s" % (slug,
                                                                  code)})
            self.assertEqual(r.status, 200, r)
        # The round as admins read it: the same before and after (used
        # moves in steps of min_group, DESIGN.md section 5).
        one = "/api/v1/collectors/%d" % c["id"]
        self.assertEqual(self.admin.call("GET", one, status=200).json()[
            "used"], 0)

        # Only a submission that would spend an unused code tells: the
        # used one is 409, the unknown one 422, the unused one is spent.
        self.error(self.submit(slug, GOOD, used), 409, "already_used",
                   "invitation")
        self.error(self.submit(slug, GOOD, unknown), 422, "invalid",
                   "invitation")
        self.assertEqual(self.submit(slug, GOOD, unused).status, 201)
        self.error(self.submit(slug, GOOD, unused), 409, "already_used",
                   "invitation")

    def test_timing_does_not_tell_either(self):
        """A submission that fails before the code is burned takes the
        same path for the three: no lookup, so no time of its own. The
        medians of interleaved tries stay within a loose bound (the
        machine is shared)."""
        c, slug = self.round(2)
        self.assertEqual(self.submit(slug, GOOD, c["codes"][1]).status, 201)
        kinds = {"unused": c["codes"][0], "used": c["codes"][1],
                 "unknown": made_up_code(random.Random(16))}
        times = {k: [] for k in kinds}
        for _ in range(40):
            for k, code in kinds.items():
                t0 = time.perf_counter()
                r = self.submit(slug, {"workload": 9, "recommend": 8}, code)
                times[k].append(time.perf_counter() - t0)
                self.assertEqual(r.status, 422)
        med = {k: statistics.median(v) for k, v in times.items()}
        lo, hi = min(med.values()), max(med.values())
        self.assertLess(hi, 3 * lo + 0.005, med)

    def test_a_used_code_is_409_and_stores_nothing_more(self):
        c, slug = self.round(3, min_group=3)
        code = c["codes"][0]
        self.assertEqual(self.submit(slug, GOOD, code).status, 201)
        for answers in (GOOD, {"workload": 1, "recommend": 0},
                        dict(GOOD, comment="Toinen yritys")):
            err = self.error(self.submit(slug, answers, code), 409,
                             "already_used", "invitation")
            self.assertIn("used already", err["message"])
        # Typed differently, the same code.
        self.error(self.submit(slug, GOOD, canonical(code).lower()), 409,
                   "already_used", "invitation")

        def released():
            r = self.admin.call("GET", "/api/v1/surveys/%d/results?unit=%d"
                                % (c["survey"], c["unit"]), status=200)
            return r.json()["groups"][0]["n"], self.admin.call(
                "GET", "/api/v1/collectors/%d" % c["id"],
                status=200).json()["used"]

        # The four refusals stored nothing: with k = 3, the second real
        # response leaves the released n at 0 (it would be 6 had they
        # counted), the third makes it one step of 3; the round's used
        # count steps with it.
        self.assertEqual(self.submit(slug, GOOD, c["codes"][1]).status, 201)
        self.assertEqual(released(), (0, 0))
        self.assertEqual(self.submit(slug, GOOD, c["codes"][2]).status, 201)
        self.assertEqual(released(), (3, 3))

    def test_codes_reach_neither_the_store_nor_the_log(self):
        c, slug = self.round(4)
        for code in c["codes"][:3]:
            self.assertEqual(self.submit(slug, dict(
                GOOD, comment="Kiitos"), code).status, 201)
            self.submit(slug, GOOD, code)  # and a 409
        self.submit(slug, GOOD, made_up_code(random.Random(17)))
        needles = []
        for code in c["codes"]:
            needles += [code, canonical(code), canonical(code).lower()]
        log = self.d.log()
        for n in needles:
            self.assertNotIn(n, log)
        for root, _, files in os.walk(self.d.state_dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                for n in needles:
                    self.assertNotIn(n.encode(), data,
                                     "%s holds a code" % name)

    # ------------------------------------------------ QR codes

    def test_personal_qr_codes_come_from_a_post(self):
        c, slug = self.round(1)
        url = "https://palaute.example/f/%s#code=%s" % (slug, c["codes"][0])
        r = self.admin.call("POST", "/api/v1/qr.svg", {"text": url})
        if r.status == 503:
            self.skipTest("built without libqrencode")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "image/svg+xml")
        self.assertTrue(r.body.startswith(b"<?xml"))
        # Never the code in a query: not the QR route's, not the form's.
        q = "/api/v1/qr.svg?text=" + re.sub(r"[#:/]", lambda m: "%%%02X" %
                                             ord(m.group()), url)
        self.error(self.admin.call("GET", q), 422, "invalid", "text")
        for bad in ("https://palaute.example/f/%s?code=%s" % (
                slug, c["codes"][0]), "https://palaute.example/dashboard/"):
            self.error(self.admin.call("POST", "/api/v1/qr.svg",
                                       {"text": bad}), 422, "invalid", "text")
        # The same URL without its code, by GET as before.
        plain = "https%3A%2F%2Fpalaute.example%2Ff%2F" + slug
        self.assertEqual(self.admin.call("GET", "/api/v1/qr.svg?text=" +
                                         plain).status, 200)
        # The contract of the body, and who may ask.
        self.error(self.admin.call("POST", "/api/v1/qr.svg", {}), 400,
                   "missing_field", "text")
        self.error(self.admin.call("POST", "/api/v1/qr.svg",
                                   {"text": url, "size": 3}), 400,
                   "unknown_field")
        self.error(self.d.post("/api/v1/qr.svg", body={"text": url}), 401,
                   "unauthorized")


if __name__ == "__main__":
    main()
