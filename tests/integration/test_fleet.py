"""The kiosk fleet over HTTP: names, the day a tablet last called in, a
new enrollment code for a replaced tablet, revoking a lost one.

One real daemon (--dev) for the class; every test makes its own units,
surveys and collectors.
"""
import time
import uuid

from palaute_test import SharedDaemonTest, login_token, main
from intake_support import utc_today


class Fleet(SharedDaemonTest):
    def kiosk(self, **extra):
        unit = self.admin.unit()
        survey = self.admin.survey()
        return self.admin.collector(survey, unit, "kiosk", **extra), unit

    def enroll(self, code):
        r = self.d.post("/api/v1/kiosk/enroll", body={"code": code})
        self.assertEqual(r.status, 201, r)
        return r.json()["device_token"]

    def show(self, cid, token=None):
        r = self.d.get("/api/v1/collectors/%d" % cid,
                       token=token or self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def patch(self, cid, body, token=None):
        return self.d.request("PATCH", "/api/v1/collectors/%d" % cid,
                              body=body, token=token or self.token)

    def test_names(self):
        c, _ = self.kiosk(name="Aula, Itäinen toimipiste")
        self.assertEqual(c["name"], "Aula, Itäinen toimipiste")
        r = self.patch(c["id"], {"name": "Aula 2"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["name"], "Aula 2")
        self.assertEqual(self.show(c["id"])["name"], "Aula 2")
        listed = self.d.get("/api/v1/collectors", token=self.token).json()
        self.assertIn("Aula 2", [x.get("name") for x in
                                 listed["collectors"]])
        # null removes the name
        r = self.patch(c["id"], {"name": None})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("name", self.show(c["id"]))
        # Bad names change nothing.
        for body, status, code in (({"name": ""}, 422, "invalid"),
                                   ({"name": "   "}, 422, "invalid"),
                                   ({"name": "a\nb"}, 422, "invalid"),
                                   ({"name": "x" * 101}, 422, "invalid"),
                                   ({"name": 7}, 400, "wrong_type"),
                                   ({}, 400, "missing_field")):
            self.error(self.patch(c["id"], body), status, code, "name")
        self.error(self.patch(c["id"], {"name": "A", "x": 1}), 400,
                   "unknown_field", "x")
        self.assertNotIn("name", self.show(c["id"]))
        self.error(self.patch(999999, {"name": "A"}), 404, "not_found")
        # Creating with a bad name creates nothing.
        unit = self.admin.unit()
        r = self.d.post("/api/v1/collectors", body={
            "survey": self.admin.survey(), "unit": unit, "kind": "kiosk",
            "name": ""}, token=self.token)
        self.error(r, 422, "invalid", "name")
        listed = self.d.get("/api/v1/collectors?unit=%d" % unit,
                            token=self.token).json()
        self.assertEqual(listed["collectors"], [])

    def test_last_seen_is_a_day_and_only_a_day(self):
        c, unit = self.kiosk()
        self.assertNotIn("last_seen", self.show(c["id"]))
        token = self.enroll(c["enrollment_code"])
        r = self.d.get("/api/v1/kiosk/survey", token=token)
        self.assertEqual(r.status, 200, r)
        # Noted by the writer after the reply: wait for it.
        for _ in range(50):
            seen = self.show(c["id"]).get("last_seen")
            if seen:
                break
            time.sleep(0.1)
        self.assertEqual(seen, utc_today().isoformat())
        # A manager of the unit sees it too: a day, no time.
        name = "mgr-" + uuid.uuid4().hex[:10]
        password = "esihenkil\u00f6n oma salasana"
        self.admin.call("POST", "/api/v1/users", {
            "username": name, "password": password, "role": "manager",
            "units": [unit]}, status=201)
        mgr = login_token(self.d, name, password)
        self.assertEqual(self.show(c["id"], token=mgr)["last_seen"], seen)
        self.assertRegex(seen, r"^\d{4}-\d{2}-\d{2}$")
        # Managers cannot change the fleet.
        self.error(self.patch(c["id"], {"name": "A"}, token=mgr), 403,
                   "forbidden")

    def test_a_new_code_for_a_replaced_tablet(self):
        c, _ = self.kiosk(name="Aula")
        old = self.enroll(c["enrollment_code"])
        self.assertTrue(self.show(c["id"])["enrolled"])
        r = self.d.post("/api/v1/collectors/%d/enrollment" % c["id"],
                        token=self.token)
        self.assertEqual(r.status, 201, r)
        new = r.json()
        self.assertEqual(new["id"], c["id"])
        self.assertEqual(new["name"], "Aula")
        self.assertFalse(new["enrolled"])
        self.assertNotEqual(new["enrollment_code"], c["enrollment_code"])
        self.assertIn("enrollment_expires_at", new)
        # The old tablet is out; the new one gets in with the new code.
        self.error(self.d.get("/api/v1/kiosk/survey", token=old), 401,
                   "unauthorized")
        token = self.enroll(new["enrollment_code"])
        self.assertEqual(self.d.get("/api/v1/kiosk/survey",
                                    token=token).status, 200)
        self.assertTrue(self.show(c["id"])["enrolled"])
        # A code issued and replaced before use stops working.
        r = self.d.post("/api/v1/collectors/%d/enrollment" % c["id"],
                        token=self.token)
        unused = r.json()["enrollment_code"]
        r = self.d.post("/api/v1/collectors/%d/enrollment" % c["id"],
                        token=self.token)
        self.error(self.d.post("/api/v1/kiosk/enroll",
                               body={"code": unused}),
                   401, "unauthorized", "code")
        self.enroll(r.json()["enrollment_code"])

    def test_revoking_a_lost_tablet(self):
        c, _ = self.kiosk()
        token = self.enroll(c["enrollment_code"])
        r = self.d.request("DELETE", "/api/v1/collectors/%d/device"
                           % c["id"], token=self.token)
        self.assertEqual(r.status, 204, r)
        self.error(self.d.get("/api/v1/kiosk/survey", token=token), 401,
                   "unauthorized")
        shown = self.show(c["id"])
        self.assertFalse(shown["enrolled"])
        # The kiosk stays, for a new code.
        r = self.d.post("/api/v1/collectors/%d/enrollment" % c["id"],
                        token=self.token)
        self.assertEqual(r.status, 201, r)
        self.enroll(r.json()["enrollment_code"])

    def test_only_kiosks_have_tablets(self):
        link = self.admin.collector(self.admin.survey(), self.admin.unit(),
                                    "link")
        self.error(self.d.post("/api/v1/collectors/%d/enrollment"
                               % link["id"], token=self.token),
                   409, "conflict")
        self.error(self.d.request("DELETE", "/api/v1/collectors/%d/device"
                                  % link["id"], token=self.token),
                   409, "conflict")
        self.error(self.d.post("/api/v1/collectors/999999/enrollment",
                               token=self.token), 404, "not_found")
        # Audited, without codes.
        doc = self.admin.call("GET", "/api/v1/audit?limit=10000",
                              status=200).json()
        actions = {e["action"] for e in doc["entries"]}
        self.assertTrue({"collector.create"} <= actions)


if __name__ == "__main__":
    main()
