"""Intake over HTTP against the real daemon: kiosks (enrollment, the
survey, offline batches), web forms with and without invitation codes,
validation of every question type, rate limits, CORS, body limits, a full
store, and a burst whose identifying details must reach neither the data
directory nor the log.

Days are always relative to the daemon's today (UTC): tests never wait for
the calendar.
"""
import json
import os
import socket
import threading
import time
import unittest
import uuid

from intake_support import day, new_id, response_keys, slug_of, verify
from palaute_test import (Admin, Daemon, Response, SharedDaemonTest,
                          load_survey, main)


class IntakeTest(SharedDaemonTest):
    """Kiosks, forms and submissions on the class's daemon."""

    def kiosk(self, survey_file="survey-client.json", **extra):
        """A new kiosk collector, enrolled: (collector, device token)."""
        unit = self.admin.unit()
        survey = self.admin.survey(survey_file)
        c = self.admin.collector(survey, unit, "kiosk", **extra)
        r = self.d.post("/api/v1/kiosk/enroll",
                        body={"code": c["enrollment_code"]})
        self.assertEqual(r.status, 201, r)
        return c, r.json()["device_token"]

    def form(self, survey_file="survey-client.json", kind="link", **extra):
        unit = self.admin.unit()
        survey = self.admin.survey(survey_file)
        c = self.admin.collector(survey, unit, kind, **extra)
        return c, slug_of(c)

    def batch(self, token, items):
        return self.d.post("/api/v1/kiosk/responses",
                           body={"responses": items}, token=token)

    def submit(self, slug, answers, lang="fi", rid=None, **extra):
        body = {"id": rid or new_id(), "lang": lang, "answers": answers}
        body.update(extra)
        return self.d.post("/api/v1/forms/%s/responses" % slug, body=body)

    def statuses(self, r):
        self.assertEqual(r.status, 200, r)
        return [x["status"] for x in r.json()["results"]]


def item(answers=None, offset=0, lang="fi", rid=None):
    return {"id": rid or new_id("k"), "day": day(offset), "lang": lang,
            "answers": answers if answers is not None else {"visit": 4}}


def spearman(ranks):
    """Spearman's rho of ranks (a permutation of 0..n-1) against 0..n-1."""
    n = len(ranks)
    return 1 - 6 * sum((r - i) ** 2 for i, r in enumerate(ranks)) / \
        (n * (n * n - 1))


class StoreOrder(IntakeTest):
    """DESIGN.md section 4 read from the data directory: a response's key
    is (survey, day, a random tag drawn once per commit, random bytes)."""

    COMMITS = 60

    def test_commits_are_neighbours_in_no_order(self):
        c, slug = self.form()
        survey = c["survey"]
        # One response at a time: each is acknowledged after its own
        # commit, and each commit adds one key.
        arrived, seen = [], set()
        for n in range(self.COMMITS):
            r = self.submit(slug, {"visit": 1 + n % 5, "comment": "x%d" % n})
            self.assertEqual(r.status, 201, r)
            keys = set(response_keys(self.d.state_dir, survey))
            self.assertEqual(len(keys - seen), 1)
            arrived.append((keys - seen).pop())
            seen = keys
        self.assertEqual(len({k[:16] for k in arrived}), 1, "one day")
        tags = [k[16:24] for k in arrived]
        self.assertEqual(len(set(tags)), self.COMMITS, "a tag per commit")

        # A kiosk's batch of 30 is one commit: its keys share a tag of
        # their own and lie together, nothing of another commit between.
        unit = self.admin.unit()
        kc = self.admin.collector(survey, unit, "kiosk")
        token = self.d.post("/api/v1/kiosk/enroll", body={
            "code": kc["enrollment_code"]}).json()["device_token"]
        self.assertEqual(self.statuses(self.batch(token, [
            item({"visit": 1 + n % 5}) for n in range(30)])), [201] * 30)
        keys = response_keys(self.d.state_dir, survey)
        batch = [i for i, k in enumerate(keys) if k not in seen]
        self.assertEqual(len(batch), 30)
        self.assertEqual(batch, list(range(batch[0], batch[0] + 30)))
        self.assertEqual(len({keys[i][16:24] for i in batch}), 1)
        self.assertNotIn(keys[batch[0]][16:24], tags)

        # The commits' order in the store against their arrival: for a
        # random order Spearman's rho has a standard deviation of
        # 1/sqrt(59) = 0.13 (the bound is 4.6 of them), and about half
        # of the successive commits sort upwards (sd 2.3; the bounds are
        # 6 of them away). A counter or a clock in the key puts rho at 1
        # and every commit upwards.
        place = {k: i for i, k in enumerate(sorted(arrived))}
        ranks = [place[k] for k in arrived]
        rho = spearman(ranks)
        up = sum(1 for a, b in zip(ranks, ranks[1:]) if b > a)
        self.assertLess(abs(rho), 0.6, (rho, ranks))
        self.assertTrue(15 < up < 44, (up, ranks))


class Kiosk(IntakeTest):
    def test_enroll_gives_a_device_token_and_the_survey(self):
        unit = self.admin.unit("Kallion toimipiste")
        survey = self.admin.survey()
        c = self.admin.collector(survey, unit, "kiosk",
                                 idle_reset_seconds=45)
        r = self.d.post("/api/v1/kiosk/enroll",
                        body={"code": c["enrollment_code"].lower()})
        self.assertEqual(r.status, 201, r)
        doc = r.json()
        token = doc["device_token"]
        self.assertEqual(len(token), 43)
        self.assertEqual(doc["survey"]["id"], survey)
        self.assertEqual(doc["survey"]["version"], 1)
        self.assertEqual(doc["survey"]["languages"], ["fi", "sv", "en"])
        self.assertEqual([q["id"] for q in doc["survey"]["questions"]],
                         ["visit", "reason", "helped", "comment"])
        for k in ("controller", "purpose", "contact", "retention_months",
                  "voluntary", "anonymous"):
            self.assertIn(k, doc["privacy"])
        self.assertEqual(doc["unit"], {"id": unit,
                                       "name": {"fi": "Kallion toimipiste"}})
        self.assertEqual(doc["idle_reset_seconds"], 45)
        # The notice tells who is asked and the smallest group reported;
        # the rest of the admin's view stays off the tablet.
        self.assertEqual(doc["survey"]["audience"], "client")
        self.assertEqual(doc["survey"]["min_group"], 5)
        for k in ("period", "min_group_comments", "slug", "kiosk"):
            self.assertNotIn(k, doc["survey"])

        r = self.d.get("/api/v1/kiosk/survey", token=token)
        self.assertEqual(r.status, 200, r)
        got = r.json()
        self.assertNotIn("device_token", got)
        del doc["device_token"]
        self.assertEqual(got, doc)

        # The collector now shows as enrolled.
        r = self.admin.call("GET", "/api/v1/collectors/%d" % c["id"],
                            status=200)
        self.assertTrue(r.json()["enrolled"])

    def test_idle_reset_defaults_to_the_survey(self):
        _, token = self.kiosk()
        r = self.d.get("/api/v1/kiosk/survey", token=token)
        self.assertEqual(r.json()["idle_reset_seconds"], 30)

    def test_codes_work_once(self):
        unit = self.admin.unit()
        c = self.admin.collector(self.admin.survey(), unit, "kiosk")
        code = c["enrollment_code"]
        self.assertEqual(self.d.post("/api/v1/kiosk/enroll",
                                     body={"code": code}).status, 201)
        # Used: 410 gone, so the tablet can tell the user to ask again.
        self.error(self.d.post("/api/v1/kiosk/enroll", body={"code": code}),
                   410, "gone", "code")
        # Never issued, or not a code at all: 401.
        self.error(self.d.post("/api/v1/kiosk/enroll",
                               body={"code": "ABCDE-FGHJK"}),
                   401, "unauthorized", "code")
        self.error(self.d.post("/api/v1/kiosk/enroll",
                               body={"code": "hello"}),
                   401, "unauthorized", "code")
        self.error(self.d.post("/api/v1/kiosk/enroll", body={}),
                   400, "missing_field", "code")
        self.error(self.d.post("/api/v1/kiosk/enroll",
                               body={"code": code, "x": 1}),
                   400, "unknown_field", "x")

    def test_kiosk_routes_need_a_device_token(self):
        self.error(self.d.get("/api/v1/kiosk/survey"), 401, "unauthorized")
        self.error(self.batch(None, [item()]), 401, "unauthorized")
        # A user's token is not a kiosk's.
        self.error(self.d.get("/api/v1/kiosk/survey",
                              token=self.token), 401, "unauthorized")
        self.error(self.d.get("/api/v1/kiosk/survey", token="x" * 43), 401,
                   "unauthorized")

    def test_deleted_collector_revokes_the_device(self):
        c, token = self.kiosk()
        self.assertEqual(self.batch(token, [item()]).status, 200)
        self.admin.delete_collector(c["id"])
        self.error(self.d.get("/api/v1/kiosk/survey", token=token), 401,
                   "unauthorized")
        self.error(self.batch(token, [item()]), 401, "unauthorized")
        # Its enrollment code is forgotten with it.
        self.error(self.d.post("/api/v1/kiosk/enroll",
                               body={"code": c["enrollment_code"]}),
                   401, "unauthorized")

    def test_offline_flush_with_duplicate_stale_and_invalid(self):
        _, token = self.kiosk()
        first = item({"visit": 5, "comment": "Hyvä palvelu"})
        self.assertEqual(self.statuses(self.batch(token, [first])), [201])

        # Offline for a while; then the queue is flushed at once, with
        # the first response again (its reply was lost).
        queue = [
            item({"visit": 3, "reason": "advice"}, offset=-3),
            dict(first),
            item({"visit": 2}, offset=-15),             # stale
            item({"visit": 7}, offset=-1),              # invalid answer
            item({"visit": 1, "helped": "no"}, offset=-14),
            item({"visit": 4}, offset=+2),              # future
            item({"visit": 4}, offset=+1),              # local date ahead
        ]
        r = self.batch(token, queue)
        self.assertEqual(self.statuses(r),
                         [201, 200, 422, 422, 201, 422, 201])
        doc = r.json()
        self.assertEqual((doc["stored"], doc["duplicates"], doc["rejected"]),
                         (3, 1, 3))
        res = doc["results"]
        self.assertEqual([x["id"] for x in res], [x["id"] for x in queue])
        self.assertEqual(res[2]["error"]["field"], "day")
        self.assertEqual(res[3]["error"],
                         {"code": "invalid_answer", "field": "visit",
                          "message": res[3]["error"]["message"]})
        self.assertEqual(res[5]["error"]["field"], "day")
        self.assertNotIn("error", res[0])

        # The tablet retries everything it did not get a 2xx for, and
        # everything again: nothing counts twice.
        r = self.batch(token, queue)
        self.assertEqual(self.statuses(r),
                         [200, 200, 422, 422, 200, 422, 200])

        rc, v, err = verify(self.d.state_dir)
        self.assertEqual(rc, 0, err)
        self.assertEqual(v["result"], "ok")

    def test_duplicate_within_one_batch(self):
        _, token = self.kiosk()
        one = item()
        self.assertEqual(self.statuses(self.batch(token, [one, one])),
                         [201, 200])

    def test_same_id_on_two_kiosks_is_two_responses(self):
        _, t1 = self.kiosk()
        _, t2 = self.kiosk()
        one = item()
        self.assertEqual(self.statuses(self.batch(t1, [one])), [201])
        self.assertEqual(self.statuses(self.batch(t2, [one])), [201])

    def test_item_shape_errors(self):
        _, token = self.kiosk()
        good = item()
        r = self.batch(token, [
            "not an object",
            dict(good, extra=1),
            {k: v for k, v in good.items() if k != "day"},
            dict(good, id=new_id(), day="2024-02-30"),
            dict(good, id=new_id(), day=20240101),
            dict(good, id="short"),
            dict(good, id="has spaces in it"),
            {k: v for k, v in good.items() if k != "answers"},
            dict(good, id=new_id(), lang="de"),
            dict(good, id=new_id(), version=99),
            dict(good, id=new_id(), version=1),
        ])
        res = r.json()["results"]
        got = [(x["status"], x.get("error", {}).get("code"),
                x.get("error", {}).get("field")) for x in res]
        self.assertEqual(got, [
            (400, "wrong_type", None),
            (400, "unknown_field", "extra"),
            (400, "missing_field", "day"),
            (422, "invalid", "day"),
            (400, "wrong_type", "day"),
            (422, "invalid", "id"),
            (422, "invalid", "id"),
            (400, "missing_field", "answers"),
            (422, "invalid", "lang"),
            (422, "invalid", "version"),
            (201, None, None),
        ])

    def test_batch_limits_and_shape(self):
        _, token = self.kiosk()
        self.assertEqual(self.statuses(self.batch(token, [])), [])
        r = self.batch(token, [item() for _ in range(500)])
        self.assertEqual(self.statuses(r), [201] * 500)
        self.error(self.batch(token, [item() for _ in range(501)]), 413,
                   "too_large", "responses")
        self.error(self.d.post("/api/v1/kiosk/responses", body={},
                               token=token), 400, "missing_field",
                   "responses")
        self.error(self.d.post("/api/v1/kiosk/responses",
                               body={"responses": {}}, token=token),
                   400, "wrong_type", "responses")
        self.error(self.d.post("/api/v1/kiosk/responses",
                               body={"responses": [], "more": 1},
                               token=token), 400, "unknown_field", "more")
        rc, v, err = verify(self.d.state_dir)
        self.assertEqual(rc, 0, err)

    def test_retry_survives_a_restart(self):
        # Daemons of its own: the class's must keep running.
        first = Daemon().start()
        second = None
        try:
            admin = Admin(first)
            unit = admin.unit()
            c = admin.collector(admin.survey(), unit, "kiosk")
            token = first.post("/api/v1/kiosk/enroll", body={
                "code": c["enrollment_code"]}).json()["device_token"]
            one = item()
            r = first.post("/api/v1/kiosk/responses",
                           body={"responses": [one]}, token=token)
            self.assertEqual(r.json()["results"][0]["status"], 201)
            self.assertEqual(first.stop(), 0)
            second = Daemon(workdir=first.workdir).start()
            r = second.post("/api/v1/kiosk/responses",
                            body={"responses": [one]}, token=token)
            self.assertEqual(r.json()["results"][0]["status"], 200, r)
            self.assertEqual(second.stop(), 0)
            rc, v, err = verify(second.state_dir)
            self.assertEqual((rc, v["responses"]), (0, 1), err)
        finally:
            if second is not None:
                second.cleanup()
            first.cleanup()


class Forms(IntakeTest):
    def test_link_form(self):
        c, slug = self.form()
        r = self.d.get("/api/v1/forms/" + slug)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertFalse(doc["invitation_required"])
        self.assertEqual(doc["survey"]["languages"], ["fi", "sv", "en"])
        self.assertIn("retention_months", doc["privacy"])
        self.assertEqual(doc["unit"]["id"], c["unit"])

        rid = new_id("f")
        r = self.submit(slug, {"visit": 4, "comment": "Kiitos"}, rid=rid)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json(), {"id": rid, "duplicate": False})
        # The same submission again (a lost reply): counted once.
        r = self.submit(slug, {"visit": 4, "comment": "Kiitos"}, rid=rid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"id": rid, "duplicate": True})
        self.assertEqual(self.submit(slug, {"visit": 2}, lang="en").status,
                         201)
        # A link takes no invitation code.
        self.error(self.submit(slug, {"visit": 2}, invitation="ABCD"), 422,
                   "invalid", "invitation")

    def test_unknown_or_withdrawn_form(self):
        self.error(self.d.get("/api/v1/forms/AAAAAAAAAAAAAAAAAAAAAA"), 404,
                   "not_found")
        self.error(self.d.get("/api/v1/forms/not-a-slug"), 404, "not_found")
        self.error(self.submit("AAAAAAAAAAAAAAAAAAAAAA", {"visit": 1}), 404,
                   "not_found")
        c, slug = self.form()
        self.admin.delete_collector(c["id"])
        self.error(self.d.get("/api/v1/forms/" + slug), 404, "not_found")
        self.error(self.submit(slug, {"visit": 1}), 404, "not_found")

    def test_invitation_form(self):
        c, slug = self.form("survey-staff.json", "invitation", count=3)
        codes = c["codes"]
        r = self.d.get("/api/v1/forms/" + slug)
        self.assertTrue(r.json()["invitation_required"], r)
        answers = {"workload": 3, "recommend": 8}

        self.error(self.submit(slug, answers), 400, "missing_field",
                   "invitation")
        self.error(self.submit(slug, answers, invitation="nonsense"), 422,
                   "invalid", "invitation")
        # A well-formed code of another round is not this form's.
        other, _ = self.form("survey-staff.json", "invitation", count=1)
        self.error(self.submit(slug, answers, invitation=other["codes"][0]),
                   422, "invalid", "invitation")

        rid = new_id("s")
        r = self.submit(slug, answers, rid=rid, invitation=codes[0])
        self.assertEqual(r.status, 201, r)
        # Reuse by anyone else: 409.
        self.error(self.submit(slug, answers, invitation=codes[0]), 409,
                   "already_used", "invitation")
        # Typed the way people type: lower case, no dashes.
        r = self.submit(slug, answers,
                        invitation=codes[1].replace("-", "").lower())
        self.assertEqual(r.status, 201, r)
        # The same submission retried: a duplicate, not a reuse.
        r = self.submit(slug, answers, rid=rid, invitation=codes[0])
        self.assertEqual(r.status, 200, r)
        # A refused submission burns nothing.
        self.error(self.submit(slug, {"workload": 9, "recommend": 1},
                               invitation=codes[2]), 422, "invalid_answer",
                   "workload")
        self.assertEqual(self.submit(slug, answers,
                                     invitation=codes[2]).status, 201)

        # Three used codes, min_group 5: the count shows none of them yet.
        r = self.admin.call("GET", "/api/v1/collectors/%d" % c["id"],
                            status=200)
        self.assertEqual((r.json()["issued"], r.json()["used"]), (3, 0))

    def test_invitation_used_in_steps(self):
        """A round's used count moves only in whole steps of min_group:
        the whole reply, as an admin reads the round or the list of
        rounds, is the same before and after one person answers."""
        c, slug = self.form("survey-staff.json", "invitation", count=11)
        one = "/api/v1/collectors/%d" % c["id"]
        listed = "/api/v1/collectors?survey=%d" % c["survey"]

        def read():
            return (self.admin.call("GET", one, status=200).body,
                    self.admin.call("GET", listed, status=200).body)

        def answer(i):
            r = self.submit(slug, {"workload": 3, "recommend": 8},
                            invitation=c["codes"][i])
            self.assertEqual(r.status, 201, r)

        before = read()
        for i in range(4):
            answer(i)
            self.assertEqual(read(), before, "after %d answers" % (i + 1))
        answer(4)
        step = read()
        self.assertNotEqual(step, before)
        self.assertEqual(json.loads(step[0])["used"], 5)
        for i in range(5, 9):
            answer(i)
            self.assertEqual(read(), step, "after %d answers" % (i + 1))
        answer(9)
        self.assertEqual(json.loads(read()[0])["used"], 10)

    def test_bad_bodies(self):
        _, slug = self.form()
        path = "/api/v1/forms/%s/responses" % slug
        good = json.dumps({"id": new_id(), "lang": "fi",
                           "answers": {"visit": 3}}).encode()
        r = self.d.request("POST", path, raw=good,
                           headers={"Content-Type": "text/plain"})
        self.error(r, 415, "unsupported_media_type")
        r = self.d.request("POST", path, raw=b'{"id": "abcdefgh", ',
                           headers={"Content-Type": "application/json"})
        self.error(r, 400, "malformed_json")
        r = self.d.request("POST", path, raw=b'{"id": 1, "id": 2}',
                           headers={"Content-Type": "application/json"})
        self.error(r, 400, "malformed_json")
        self.error(self.submit(slug, {"visit": 3}, colour="blue"), 400,
                   "unknown_field", "colour")
        # Far more than any survey needs: 413 on a form ...
        big = {"id": new_id(), "lang": "fi",
               "answers": {"visit": 3, "comment": "x" * 100000}}
        self.error(self.d.post(path, body=big), 413, "too_large")
        # ... while a kiosk batch of that size is fine (its own limit).
        _, token = self.kiosk()
        big_batch = [item({"visit": 3, "comment": "y" * 400})
                     for _ in range(250)]
        self.assertGreater(len(json.dumps({"responses": big_batch})), 100000)
        self.assertEqual(set(self.statuses(self.batch(token, big_batch))),
                         {201})


class Validation(IntakeTest):
    """Every 422 of DESIGN.md section 4, type by type, on the panel survey
    (smiley of 4 faces, scale 0..10, nps, choice, multi, yesno, text) and
    the staff survey (multi with max_choices 3, text of 2000)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        unit = cls.admin.unit()
        cls.panel = slug_of(cls.admin.collector(
            cls.admin.survey("survey-panel.json"), unit, "link"))
        cls.staff = slug_of(cls.admin.collector(
            cls.admin.survey("survey-staff.json"), unit, "link"))
        # The client survey with nothing required.
        optional = load_survey("survey-client.json")
        for q in optional["questions"]:
            q["required"] = False
        cls.optional = slug_of(cls.admin.collector(
            cls.admin.survey(questions=optional["questions"]), unit,
            "link"))

    base_panel = {"overall": 3, "treated_well": True}
    base_staff = {"workload": 3, "recommend": 5}

    def bad(self, slug, base, change, field, code="invalid_answer",
            status=422, lang="fi"):
        answers = dict(base)
        answers.update(change)
        for k, v in change.items():
            if v is Ellipsis:
                del answers[k]
        err = self.error(self.submit(slug, answers, lang=lang), status, code,
                         field)
        return err

    def test_valid_submissions(self):
        r = self.submit(self.panel, {
            "overall": 4, "reach": 0, "recommend": 10, "channel": "phone",
            "topics": ["family", "housing"], "treated_well": False,
            "ideas": "Lisää iltavastaanottoja"}, lang="sv")
        self.assertEqual(r.status, 201, r)
        r = self.submit(self.staff, {"workload": 5, "recommend": 0,
                                     "develop": ["training"],
                                     "comment": "z" * 2000}, lang="en")
        self.assertEqual(r.status, 201, r)
        # null and a blank text mean "not answered".
        r = self.submit(self.panel, {"overall": 1, "treated_well": True,
                                     "reach": None, "ideas": "   "})
        self.assertEqual(r.status, 201, r)

    def test_smiley(self):
        for v in (0, 5, -1, "3", 2.0, True, [3]):
            self.bad(self.panel, self.base_panel, {"overall": v}, "overall")

    def test_scale(self):
        for v in (-1, 11, "5", 5.5, False):
            self.bad(self.panel, self.base_panel, {"reach": v}, "reach")

    def test_nps(self):
        for v in (-1, 11, "10", 9.0):
            self.bad(self.panel, self.base_panel, {"recommend": v},
                     "recommend")

    def test_choice(self):
        for v in ("fax", "", 1, ["phone"]):
            self.bad(self.panel, self.base_panel, {"channel": v}, "channel")

    def test_multi(self):
        for v in (["housing", "housing"], ["housing", "pets"], [], "housing",
                  [1]):
            self.bad(self.panel, self.base_panel, {"topics": v}, "topics")
        self.bad(self.staff, self.base_staff,
                 {"develop": ["training", "supervision", "staffing",
                              "management"]}, "develop")

    def test_yesno(self):
        for v in ("yes", 1, 0):
            self.bad(self.panel, self.base_panel, {"treated_well": v},
                     "treated_well")

    def test_text(self):
        self.bad(self.staff, self.base_staff, {"comment": "z" * 2001},
                 "comment")
        self.bad(self.staff, self.base_staff, {"comment": 42}, "comment")

    def test_required_unknown_and_empty(self):
        self.bad(self.panel, self.base_panel, {"overall": Ellipsis},
                 "overall")
        self.bad(self.panel, self.base_panel, {"overall": None}, "overall")
        self.bad(self.panel, self.base_panel, {"mood": 3}, "mood")
        # Nothing answered would count a respondent who said nothing.
        self.error(self.submit(self.optional, {}), 422, "invalid_answer",
                   "answers")
        self.error(self.submit(self.optional, {"visit": None,
                                               "comment": " "}),
                   422, "invalid_answer", "answers")
        self.assertEqual(self.submit(self.optional, {"helped": "no"}).status,
                         201)

    def test_language(self):
        # The panel survey is in Finnish and Swedish only.
        self.bad(self.panel, self.base_panel, {}, "lang", code="invalid",
                 lang="en")
        self.bad(self.panel, self.base_panel, {}, "lang", code="invalid",
                 lang="xx")
        r = self.d.post("/api/v1/forms/%s/responses" % self.panel, body={
            "id": new_id(), "answers": self.base_panel})
        self.error(r, 400, "missing_field", "lang")
        self.error(self.submit(self.panel, "overall=3"), 400, "wrong_type",
                   "answers")

    def test_id(self):
        for rid in ("short", "x" * 65, "ääääääääää", "a/b/c/d/e/f"):
            r = self.submit(self.panel, self.base_panel, rid=rid)
            self.error(r, 422, "invalid", "id")
        r = self.d.post("/api/v1/forms/%s/responses" % self.panel, body={
            "lang": "fi", "answers": self.base_panel})
        self.error(r, 400, "missing_field", "id")


class RateLimits(IntakeTest):
    daemon_args = ("-o", "kiosk_rate=5", "-o", "form_rate=5")

    def test_form_flood_gets_429(self):
        _, slug = self.form()
        _, other = self.form()
        got = [self.submit(slug, {"visit": 3}) for _ in range(12)]
        self.assertEqual([r.status for r in got[:5]], [201] * 5)
        flooded = [r for r in got if r.status == 429]
        self.assertGreaterEqual(len(flooded), 6)
        r = flooded[0]
        self.error(r, 429, "rate_limited")
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)
        self.assertLessEqual(int(r.header("Retry-After")), 60)
        # Per link: another form is not slowed down.
        self.assertEqual(self.submit(other, {"visit": 3}).status, 201)

    def test_kiosk_flood_gets_429(self):
        _, token = self.kiosk()
        _, token2 = self.kiosk()
        got = [self.batch(token, [item()]) for _ in range(12)]
        self.assertEqual([r.status for r in got[:5]], [200] * 5)
        self.assertTrue(all(r.status == 429 for r in got[6:]),
                        [r.status for r in got])
        self.assertGreaterEqual(int(got[-1].header("Retry-After")), 1)
        # Per device token.
        self.assertEqual(self.batch(token2, [item()]).status, 200)


class SubmitLimits(IntakeTest):
    """kiosk_rate and form_rate count stored responses only: a bucket that
    every request drew on let anyone count others' submissions by
    draining it with refusals (api/routes/intake.h)."""
    daemon_args = ("-o", "kiosk_rate=5", "-o", "form_rate=5")

    def test_form_refusals_and_retries_draw_nothing(self):
        _, slug = self.form()
        for _ in range(8):
            self.error(self.submit(slug, {}), 422, "invalid_answer")
        rid = new_id()
        self.assertEqual(self.submit(slug, {"visit": 3}, rid=rid).status, 201)
        for _ in range(8):
            self.assertEqual(self.submit(slug, {"visit": 3},
                                         rid=rid).status, 200)
        got = [self.submit(slug, {"visit": 3}).status for _ in range(5)]
        self.assertEqual(got, [201] * 4 + [429])

    def test_kiosk_refusals_and_retries_draw_nothing(self):
        _, token = self.kiosk()
        for _ in range(8):
            self.assertEqual(self.statuses(self.batch(
                token, [item({"visit": 9})])), [422])
        again = item()
        self.assertEqual(self.statuses(self.batch(token, [again])), [201])
        for _ in range(8):
            self.assertEqual(self.statuses(self.batch(token, [again])),
                             [200])
        got = [self.batch(token, [item()]).status for _ in range(5)]
        self.assertEqual(got, [200] * 4 + [429])

    def test_probes_show_nothing_of_others(self):
        """Two links, alike but for one response someone else stored on
        one of them: an attacker's probes (their own id again, empty
        answers) get the same replies on both, header for header."""
        seen = []
        for other in (False, True):
            _, slug = self.form()
            self.assertEqual(self.submit(slug, {"visit": 3},
                                         rid="probe-0001").status, 201)
            if other:
                self.assertEqual(self.submit(slug, {"visit": 1}).status,
                                 201)
            replies = []
            for _ in range(6):
                for answers in ({"visit": 3}, {}):
                    r = self.submit(slug, answers, rid="probe-0001")
                    replies.append((r.status, r.header("Retry-After"),
                                    r.body))
            seen.append(replies)
        self.assertEqual(seen[0], seen[1])
        self.assertEqual({s for s, _, _ in seen[0]}, {200, 422})


class Cors(IntakeTest):
    daemon_args = ("-o",
                   "cors_origins=https://kunta.example https://www.example")

    def test_preflight_only_for_listed_origins(self):
        _, slug = self.form()
        for path in ("/api/v1/forms/" + slug,
                     "/api/v1/forms/%s/responses" % slug):
            r = self.d.request("OPTIONS", path, headers={
                "Origin": "https://www.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type"})
            self.assertEqual(r.status, 204, r)
            self.assertEqual(r.header("Access-Control-Allow-Origin"),
                             "https://www.example")
            self.assertIn("POST", r.header("Access-Control-Allow-Methods"))
            self.assertEqual(r.header("Access-Control-Allow-Headers"),
                             "Content-Type")
            self.assertEqual(r.header("Vary"), "Origin")
            r = self.d.request("OPTIONS", path, headers={
                "Origin": "https://evil.example"})
            self.error(r, 403, "forbidden")
            self.assertIsNone(r.header("Access-Control-Allow-Origin"))
            r = self.d.request("OPTIONS", path)
            self.error(r, 403, "forbidden")

    def test_replies_carry_the_origin(self):
        _, slug = self.form()
        r = self.d.get("/api/v1/forms/" + slug,
                       headers={"Origin": "https://kunta.example"})
        self.assertEqual(r.header("Access-Control-Allow-Origin"),
                         "https://kunta.example")
        r = self.d.post("/api/v1/forms/%s/responses" % slug,
                        body={"id": new_id(), "lang": "fi",
                              "answers": {"visit": 9}},
                        headers={"Origin": "https://kunta.example"})
        self.error(r, 422, "invalid_answer", "visit")
        self.assertEqual(r.header("Access-Control-Allow-Origin"),
                         "https://kunta.example")
        r = self.d.get("/api/v1/forms/" + slug,
                       headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))

    def test_no_preflight_elsewhere(self):
        r = self.d.request("OPTIONS", "/api/v1/units",
                           headers={"Origin": "https://www.example"})
        self.error(r, 405, "method_not_allowed")


class BenchRoute(unittest.TestCase):
    def test_noop_exists_only_when_asked_for(self):
        d = Daemon().start()
        try:
            r = d.post("/bench/noop", body={})
            self.assertEqual(r.status, 404, r)
            doc = d.get("/api/v1/openapi.json").json()
            self.assertNotIn("/bench/noop", doc["paths"])
        finally:
            d.cleanup()
        d = Daemon("-o", "bench=yes").start()
        try:
            r = d.post("/bench/noop", body={"id": "x"})
            self.assertEqual((r.status, r.body), (204, b""))
            self.assertEqual(d.get("/healthz").status, 200)
        finally:
            d.cleanup()


class StorageFull(IntakeTest):
    """A tiny map fills up: writes answer 507, reads keep working."""

    daemon_args = ("-o", "map_size=1M", "-o", "kiosk_rate=100000")

    def fill(self, token, size, tries=200):
        """Kiosk batches of size until one meets the full map: the number
        of responses stored on the way."""
        stored = 0
        for _ in range(tries):
            batch = [item({"visit": 3, "comment": "t" * 300})
                     for _ in range(size)]
            r = self.batch(token, batch)
            if r.status == 507:
                self.error(r, 507, "storage_full")
                return stored, True
            sts = self.statuses(r)
            stored += sts.count(201)
            if 507 in sts:
                bad = [x for x in r.json()["results"] if x["status"] == 507]
                self.assertEqual(bad[0]["error"]["code"], "storage_full")
                # The items before the full page are stored; a batch of
                # one, or one that meets it at its first item, has none.
                self.assertLessEqual(set(sts), {201, 507}, r)
                return stored, True
            self.assertEqual(set(sts), {201}, r)
        return stored, False

    def test_full_map_is_507_and_reads_go_on(self):
        c, token = self.kiosk()
        _, slug = self.form()
        # Coarse to fine: a big batch needs more room than a small one.
        stored = 0
        for size in (100, 10, 1):
            n, full = self.fill(token, size)
            stored += n
            self.assertTrue(full, "the map never filled")
        self.assertGreater(stored, 100)
        # Full: a form submission is refused cleanly ...
        for _ in range(50):
            r = self.submit(slug, {"visit": 3, "comment": "u" * 400})
            if r.status != 201:
                break
            stored += 1
        self.error(r, 507, "storage_full")
        # ... and every read still answers.
        self.assertEqual(self.d.get("/api/v1/forms/" + slug).status, 200)
        self.assertEqual(self.d.get("/api/v1/kiosk/survey",
                                    token=token).status, 200)
        self.assertEqual(self.d.get("/healthz").status, 200)
        self.admin.call("GET", "/api/v1/collectors/%d" % c["id"],
                        status=200)
        rc, v, err = verify(self.d.state_dir)
        self.assertEqual(rc, 0, err)
        self.assertEqual(v["responses"], stored)


class NoIdentifiers(IntakeTest):
    """A burst from a known address and user agent; then neither the data
    directory nor the log holds any of what identifies the sender."""

    UA = "PalauteProbe/7.3 (identifying-agent-4f1c9e)"
    ADDR = "127.0.0.2"

    def send(self, method, path, body, token=None):
        hdrs = {"User-Agent": self.UA, "Content-Type": "application/json",
                "X-Forwarded-For": "203.0.113.77"}
        if token:
            hdrs["Authorization"] = "Bearer " + token
        conn = __import__("http.client").client.HTTPConnection(
            self.d.host, self.d.port, timeout=30,
            source_address=(self.ADDR, 0))
        try:
            conn.request(method, path, body=json.dumps(body).encode(),
                         headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def test_burst_leaves_no_trace(self):
        try:
            socket.create_connection((self.d.host, self.d.port),
                                     source_address=(self.ADDR, 0)).close()
        except OSError as e:
            self.skipTest("cannot bind %s: %s" % (self.ADDR, e))
        marker = "kommentti-merkki-%s" % uuid.uuid4().hex
        unit = self.admin.unit()
        survey = self.admin.survey()
        kc = self.admin.collector(survey, unit, "kiosk")
        inv = self.admin.collector(survey, unit, "invitation", count=5)
        slug = slug_of(inv)
        r = self.send("POST", "/api/v1/kiosk/enroll",
                      {"code": kc["enrollment_code"]})
        self.assertEqual(r.status, 201, r)
        token = r.json()["device_token"]
        ids = []
        for i in range(10):
            batch = [item({"visit": 1 + j % 5, "comment": "%s %d" % (
                marker, j)}) for j in range(20)]
            ids += [x["id"] for x in batch]
            r = self.send("POST", "/api/v1/kiosk/responses",
                          {"responses": batch}, token=token)
            self.assertEqual(r.status, 200, r)
        for code in inv["codes"]:
            rid = new_id("inv")
            ids.append(rid)
            r = self.send("POST", "/api/v1/forms/%s/responses" % slug, {
                "id": rid, "lang": "fi", "invitation": code,
                "answers": {"visit": 2, "comment": marker}})
            self.assertEqual(r.status, 201, r)
        # Errors are logged the least: a flood of bad ones too.
        for _ in range(5):
            self.send("POST", "/api/v1/forms/%s/responses" % slug,
                      {"id": "bad id", "answers": marker})
        self.assertEqual(self.d.stop(), 0)

        needles = [self.UA, "identifying-agent", self.ADDR, "203.0.113.77",
                   marker, token] + inv["codes"] + [
                   c.replace("-", "") for c in inv["codes"]] + [
                   kc["enrollment_code"], ids[0], ids[-1]]
        hits = []
        files = 0
        for root, _, names in os.walk(self.d.workdir):
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                files += 1
                for n in needles:
                    if n.encode() in data:
                        hits.append((path, n))
        self.assertGreaterEqual(files, 3)
        log = self.d.log() + "\n" + self.d.stdout()
        for n in needles:
            if n in log:
                hits.append(("log", n))
        self.assertEqual(hits, [])
        # The store itself is sound and holds every response.
        rc, v, err = verify(self.d.state_dir)
        self.assertEqual((rc, v["responses"]), (0, 205), err)


if __name__ == "__main__":
    main()
