"""Comments over HTTP: released in steps of min_group_comments per unit,
bucket, month and question (core/comments.h), read from a unit's subtree,
shuffled on every read, without day or unit.

One real daemon (--dev) for the class. Responses come in through a kiosk,
whose batches may carry a day up to 14 days back. Each test makes its own
units and survey. Days are relative to the daemon's today (UTC). Only the
comments route is read here: the results replies are another test's.
"""
import datetime
import uuid

from palaute_test import SharedDaemonTest, load_survey, main
from intake_support import new_id, utc_today

K = 3          # min_group (the smallest DESIGN.md allows)
KC = 4         # min_group_comments: the step of comments, above K


def iso(d):
    return d.isoformat()


def monday(d):
    return d - datetime.timedelta(days=d.weekday())


class CommentsTest(SharedDaemonTest):
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

    def submit(self, token, day, n, comment=None, lang="fi"):
        """n responses on day (a date) through a kiosk batch, each with
        the comment "<comment> <i>" when comment is given."""
        items = []
        for i in range(n):
            answers = {"visit": 4}
            if comment is not None:
                answers["comment"] = "%s %d" % (comment, i)
            items.append({"id": new_id(), "day": iso(day), "lang": lang,
                          "answers": answers})
        r = self.d.post("/api/v1/kiosk/responses", body={"responses": items},
                        token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["stored"], n, r)

    def comments(self, survey, **query):
        q = "&".join("%s=%s" % (k, v) for k, v in query.items())
        r = self.d.get("/api/v1/surveys/%d/comments?%s" % (survey, q),
                       token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def texts(self, survey, **query):
        return sorted(c["text"] for c in
                      self.comments(survey, **query)["comments"])

    @staticmethod
    def sorted_reply(doc):
        """The reply without its order: what two reads must agree on."""
        doc = dict(doc)
        doc["comments"] = sorted(doc["comments"],
                                 key=lambda c: (c["text"], c["lang"] or ""))
        return doc


class Steps(CommentsTest):
    def test_nothing_until_kc_then_exactly_kc(self):
        p = self.unit()
        u = self.unit(p)
        s = self.survey()
        today = utc_today()
        t = self.kiosk(s, u)
        self.submit(t, today, KC - 1, comment="hyvä palvelu")
        doc = self.comments(s, unit=u)
        self.assertEqual(doc["k_comments"], KC)
        self.assertEqual(doc["count"], 0)
        self.assertEqual(doc["comments"], [])
        self.assertIs(doc["truncated"], False)
        self.assertEqual(doc["question"], "comment")
        for gone in ("n", "suppressed", "reason", "min_group_comments"):
            self.assertNotIn(gone, doc)
        # Responses without a comment add nothing to the step.
        self.submit(t, today, 2)
        self.assertEqual(self.comments(s, unit=u)["count"], 0)

        self.submit(t, today, 1, comment="bra service", lang="sv")
        doc = self.comments(s, unit=p, question="comment")
        self.assertEqual((doc["survey"], doc["unit"]), (s, p))
        self.assertEqual(doc["count"], KC)
        items = doc["comments"]
        self.assertEqual(len(items), KC)
        for c in items:
            # the text and its language, nothing else: no day, no unit
            self.assertEqual(set(c), {"text", "lang"}, c)
        self.assertEqual(sorted(c["lang"] for c in items),
                         ["fi"] * (KC - 1) + ["sv"])
        self.assertIn({"text": "bra service 0", "lang": "sv"}, items)
        self.assertEqual(sorted(c["text"] for c in items),
                         ["bra service 0"] + ["hyvä palvelu %d" % i
                                              for i in range(KC - 1)])

        # One more: the reply is what it was, bar the order.
        before = self.sorted_reply(self.comments(s, unit=u))
        self.submit(t, today, 1, comment="vielä yksi")
        self.assertEqual(self.sorted_reply(self.comments(s, unit=u)), before)
        # ... and so until the next step is whole.
        self.submit(t, today, KC - 2, comment="lisää")
        self.assertEqual(self.sorted_reply(self.comments(s, unit=u)), before)
        self.submit(t, today, 1, comment="viimeinen")
        doc = self.comments(s, unit=u)
        self.assertEqual(doc["count"], 2 * KC)
        self.assertIn("viimeinen 0", [c["text"] for c in doc["comments"]])

    def test_steps_per_week(self):
        # Each week gathers its own steps: KC - 1 last week and KC this
        # week show this week's KC, over either range or both.
        u = self.unit()
        s = self.survey()
        this_week, last_week, _ = self.weeks()
        t = self.kiosk(s, u)
        self.submit(t, this_week, KC, comment="a")
        self.submit(t, last_week, KC - 1, comment="b")
        both = {"from": iso(monday(last_week)),
                "to": iso(monday(this_week) + datetime.timedelta(days=6))}
        self.assertEqual(self.texts(s, unit=u, **both),
                         ["a %d" % i for i in range(KC)])
        self.assertEqual(self.texts(s, unit=u, **{
            "from": iso(monday(last_week)),
            "to": iso(monday(last_week) + datetime.timedelta(days=6))}), [])
        doc = self.comments(s, unit=u, **{
            "from": iso(monday(this_week)),
            "to": iso(monday(this_week) + datetime.timedelta(days=6))})
        self.assertEqual(doc["count"], KC)
        self.assertEqual(doc["from"], iso(monday(this_week)))

    @staticmethod
    def weeks():
        today = utc_today()
        m = monday(today)
        return today, m - datetime.timedelta(days=1), \
            m - datetime.timedelta(days=8)

    def test_fresh_order_on_every_read(self):
        u = self.unit()
        s = self.survey()
        t = self.kiosk(s, u)
        self.submit(t, utc_today(), 3 * KC, comment="järjestys")
        first = [c["text"] for c in self.comments(s, unit=u)["comments"]]
        again = [c["text"] for c in self.comments(s, unit=u)["comments"]]
        self.assertEqual(len(first), 3 * KC)
        self.assertEqual(sorted(again), sorted(first))
        # 12 texts: two reads agree on the order once in 12! (4.8e8).
        self.assertNotEqual(again, first)


class Subtree(CommentsTest):
    def test_comments_only_in_their_subtree(self):
        root = self.unit()
        a = self.unit(root)
        c = self.unit(a)
        d = self.unit(root)
        pooled = self.unit(root, pool=True)
        s = self.survey()
        today = utc_today()
        self.submit(self.kiosk(s, c), today, KC, comment="c")
        self.submit(self.kiosk(s, pooled), today, KC, comment="pooled")
        self.assertEqual(self.comments(s, unit=root)["count"], 2 * KC)
        self.assertEqual(self.texts(s, unit=a),
                         ["c %d" % i for i in range(KC)])
        self.assertEqual(self.texts(s, unit=c),
                         ["c %d" % i for i in range(KC)])
        self.assertEqual(self.texts(s, unit=d), [])
        # Steps are per unit: KC - 1 at each of two siblings is nothing,
        # also at their parent.
        e = self.unit(d)
        f = self.unit(d)
        self.submit(self.kiosk(s, e), today, KC - 1, comment="e")
        self.submit(self.kiosk(s, f), today, KC - 1, comment="f")
        self.assertEqual(self.texts(s, unit=d), [])
        self.assertEqual(self.comments(s, unit=root)["count"], 2 * KC)


class Versions(CommentsTest):
    def test_versions_of_the_question_and_the_strictest_step(self):
        u = self.unit()
        s = self.survey()
        today = utc_today()
        t = self.kiosk(s, u)
        self.submit(t, today, KC, comment="v1")
        body = load_survey("survey-client.json")
        body.update(min_group=K, min_group_comments=KC + 2, period="week")
        body["title"]["fi"] = "Uusi otsikko"
        body.pop("slug", None)
        r = self.admin.call("PUT", "/api/v1/surveys/%d" % s, body)
        self.assertEqual(r.status, 200, r)
        self.submit(t, today, KC + 1, comment="v2")
        doc = self.comments(s, unit=u)
        self.assertEqual(doc["k_comments"], KC + 2)
        self.assertEqual(doc["count"], KC)
        self.submit(t, today, 1, comment="v2-last")
        doc = self.comments(s, unit=u)
        self.assertEqual(doc["count"], 2 * KC + 2)
        doc = self.comments(s, unit=u, version=1)
        self.assertEqual(doc["k_comments"], KC)
        self.assertEqual(sorted(c["text"] for c in doc["comments"]),
                         ["v1 %d" % i for i in range(KC)])
        doc = self.comments(s, unit=u, version=2)
        self.assertEqual(doc["k_comments"], KC + 2)
        self.assertEqual(doc["count"], KC + 2)


class Questions(CommentsTest):
    def test_unknown_question_is_404(self):
        u = self.unit()
        s = self.survey()
        for q in ("visit", "nope"):
            r = self.d.get("/api/v1/surveys/%d/comments?unit=%d&question=%s"
                           % (s, u, q), token=self.token)
            self.error(r, 404, "not_found", "question")

    def test_two_text_questions_need_question(self):
        u = self.unit()
        body = load_survey("survey-client.json")
        body["questions"].append({"id": "more", "type": "text",
                                  "text": {"fi": "Muuta?", "sv": "Annat?",
                                           "en": "Anything else?"}})
        s = self.admin.survey(questions=body["questions"], min_group=K,
                              min_group_comments=KC, period="week")
        r = self.d.get("/api/v1/surveys/%d/comments?unit=%d" % (s, u),
                       token=self.token)
        self.error(r, 400, "missing_field", "question")
        t = self.kiosk(s, u)
        items = [{"id": new_id(), "day": iso(utc_today()), "lang": "fi",
                  "answers": {"visit": 3, "comment": "c %d" % i,
                              "more": "m %d" % i}} for i in range(KC)]
        r = self.d.post("/api/v1/kiosk/responses", body={"responses": items},
                        token=t)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.texts(s, unit=u, question="more"),
                         ["m %d" % i for i in range(KC)])
        self.assertEqual(self.texts(s, unit=u, question="comment"),
                         ["c %d" % i for i in range(KC)])


if __name__ == "__main__":
    main()
