"""Accounts, sessions, API tokens, login throttling and the audit log, over
HTTP against the real palauted (--dev: its admin password is printed once on
stdout), and palautectl add-user against the same store."""
import base64
import datetime
import os
import re
import subprocess
import threading
import time

from palaute_test import (ADMIN_RE, PALAUTECTL, Daemon, DaemonTest,
                          admin_password, login, login_token, main)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MANAGER_PW = "kolme-kirjainta-ja-numero-7"


class AccountTest(DaemonTest):
    def admin(self):
        """A session token of the --dev admin."""
        return login_token(self.d, "admin", admin_password(self.d))

    def unit_id(self, token):
        r = self.d.get("/api/v1/units", token=token)
        self.assertEqual(r.status, 200, r)
        return r.json()["units"][0]["id"]

    def manager(self, token, name="m.virtanen"):
        """A manager of the first demo unit: (id, unit)."""
        unit = self.unit_id(token)
        r = self.d.post("/api/v1/users", token=token, body={
            "username": name, "password": MANAGER_PW, "role": "manager",
            "units": [unit]})
        self.assertEqual(r.status, 201, r)
        return r.json()["id"], unit


class Sessions(AccountTest):
    def test_login_gives_a_token_that_works(self):
        before = datetime.datetime.now(datetime.timezone.utc)
        r = login(self.d, "admin", admin_password(self.d))
        self.assertEqual(r.status, 201, r)
        body = r.json()
        self.assertEqual(set(body), {"token", "expires_at", "user"})
        self.assertRegex(body["token"], TOKEN_RE)
        self.assertEqual(len(base64.urlsafe_b64decode(body["token"] + "=")),
                         32)
        expires = datetime.datetime.strptime(
            body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc)
        ttl = (expires - before).total_seconds()
        self.assertTrue(8 * 3600 - 60 < ttl < 8 * 3600 + 60, ttl)
        self.assertEqual(body["user"]["username"], "admin")
        self.assertEqual(body["user"]["role"], "admin")
        self.assertEqual(body["user"]["units"], [])
        r = self.d.get("/api/v1/users", token=body["token"])
        self.assertEqual(r.status, 200, r)
        users = r.json()["users"]
        self.assertEqual([u["username"] for u in users], ["admin"])
        self.assertNotIn(b"hash", r.body)
        self.assertNotIn(b"argon2", r.body)
        r = self.d.get("/api/v1/session", token=body["token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["kind"], "session")
        self.assertEqual(r.json()["user"]["id"], body["user"]["id"])

    def test_user_name_is_case_insensitive(self):
        r = login(self.d, "ADMIN", admin_password(self.d))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["user"]["username"], "admin")

    def test_wrong_password_and_unknown_user_look_the_same(self):
        pw = admin_password(self.d)
        wrong = login(self.d, "admin", pw + "x")
        unknown = login(self.d, "nobody", pw)
        for r in (wrong, unknown):
            self.error(r, 401, "bad_credentials")
            self.assertTrue(r.header("WWW-Authenticate"))
        self.assertEqual(wrong.body, unknown.body)

    def test_unknown_user_takes_as_long_as_a_wrong_password(self):
        pw = admin_password(self.d)

        def timed(name):
            t0 = time.monotonic()
            r = login(self.d, name, "not the password at all")
            self.error(r, 401, "bad_credentials")
            return time.monotonic() - t0

        # Two of each: the account limit is 5. Argon2 takes ~0.1 s; an
        # answer without a hash would take about a millisecond.
        known = min(timed("admin") for _ in range(2))
        unknown = min(timed("nobody-%d" % i) for i in range(2))
        self.assertGreater(unknown, known * 0.4, (known, unknown))
        self.assertGreater(known, unknown * 0.4, (known, unknown))
        self.assertEqual(login(self.d, "admin", pw).status, 201)

    def test_logout_ends_the_session(self):
        token = self.admin()
        r = self.d.request("DELETE", "/api/v1/session", token=token)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.error(self.d.get("/api/v1/users", token=token), 401,
                         "unauthorized")
        self.error(self.d.request("DELETE", "/api/v1/session",
                                        token=token), 401, "unauthorized")

    def test_no_or_bad_token_is_401(self):
        r = self.d.get("/api/v1/users")
        self.error(r, 401, "unauthorized")
        self.assertIn("Bearer", r.header("WWW-Authenticate"))
        for auth in ("Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=",
                     "Bearer " + "A" * 43, "Bearer " + "A" * 44,
                     "Bearer not a token"):
            r = self.d.get("/api/v1/users", headers={"Authorization": auth})
            self.error(r, 401, "unauthorized")
            self.assertIn("Bearer", r.header("WWW-Authenticate"))
        self.error(self.d.request("DELETE", "/api/v1/session"), 401,
                         "unauthorized")

    def test_bad_login_bodies(self):
        d = self.d
        r = d.post("/api/v1/session", raw=b'{"username": "admin"',
                   headers={"Content-Type": "application/json"})
        self.error(r, 400, "malformed_json")
        r = d.post("/api/v1/session", raw=b'{"username": "a", "username": '
                   b'"b", "password": "c"}',
                   headers={"Content-Type": "application/json"})
        self.error(r, 400, "malformed_json")
        r = d.post("/api/v1/session", raw=b'{"username": "admin"}',
                   headers={"Content-Type": "text/plain"})
        self.error(r, 415, "unsupported_media_type")
        self.error(d.post("/api/v1/session", body={
            "username": "admin", "password": "x", "remember": True}),
            400, "unknown_field", "remember")
        self.error(d.post("/api/v1/session", body={
            "username": "admin", "password": 12345678901234}),
            400, "wrong_type", "password")
        self.error(d.post("/api/v1/session", body={
            "username": "admin"}), 400, "missing_field", "password")
        self.error(d.post("/api/v1/session", body=["admin"]),
                         400, "wrong_type")


class Throttling(AccountTest):
    def test_six_wrong_passwords_are_throttled(self):
        pw = admin_password(self.d)
        for _ in range(5):
            self.error(login(self.d, "admin", "wrong password!"),
                             401, "bad_credentials")
        r = login(self.d, "admin", "wrong password!")
        self.error(r, 429, "rate_limited")
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)
        # Locked: the right password waits too, whatever the case.
        r = login(self.d, "Admin", pw)
        self.error(r, 429, "rate_limited")
        # Another account from the same client is not locked.
        self.error(login(self.d, "someone", "wrong password!"), 401,
                         "bad_credentials")

    def test_success_resets_the_count(self):
        pw = admin_password(self.d)
        for _ in range(4):
            self.assertEqual(login(self.d, "admin", "nope nope").status, 401)
        self.assertEqual(login(self.d, "admin", pw).status, 201)
        for _ in range(4):
            self.assertEqual(login(self.d, "admin", "nope nope").status, 401)
        self.assertEqual(login(self.d, "admin", pw).status, 201)


class LoginStorm(AccountTest):
    # One worker, 9 places; no account limit in the way of the storm.
    daemon_args = ("-o", "login_workers=1", "-o", "login_attempts=1000")

    def test_storm_is_bounded_and_does_not_stall_writes(self):
        token = self.admin()
        results = []
        lock = threading.Lock()

        def attempt(i):
            r = login(self.d, "storm-%d" % i, "a wrong password here")
            with lock:
                results.append(r)

        threads = [threading.Thread(target=attempt, args=(i,))
                   for i in range(40)]
        for t in threads:
            t.start()
        # While the storm runs, the loop answers and the writer writes.
        t0 = time.monotonic()
        self.assertEqual(self.d.get("/healthz").status, 200)
        r = self.d.post("/api/v1/tokens", body={"name": "during storm"},
                        token=token)
        self.assertEqual(r.status, 201, r)
        elapsed = time.monotonic() - t0
        for t in threads:
            t.join(60)
        self.assertLess(elapsed, 1.0)
        statuses = sorted(r.status for r in results)
        self.assertEqual(set(statuses) - {401, 503}, set(), statuses)
        busy = [r for r in results if r.status == 503]
        self.assertTrue(busy, statuses)
        for r in busy:
            self.error(r, 503, "unavailable")
            self.assertEqual(r.header("Retry-After"), "1")
        self.assertGreaterEqual(statuses.count(401), 9)


class Users(AccountTest):
    def test_create_get_list_delete(self):
        token = self.admin()
        mid, unit = self.manager(token)
        r = self.d.get("/api/v1/users/%d" % mid, token=token)
        self.assertEqual(r.status, 200, r)
        u = r.json()
        self.assertEqual(set(u), {"id", "username", "role", "units",
                                  "created"})
        self.assertEqual(u["role"], "manager")
        self.assertEqual(u["units"], [unit])
        self.assertRegex(u["created"], DAY_RE)
        names = [x["username"] for x in self.d.get(
            "/api/v1/users", token=token).json()["users"]]
        self.assertEqual(names, ["admin", "m.virtanen"])
        self.error(self.d.get("/api/v1/users/9999", token=token), 404,
                         "not_found")
        self.error(self.d.get("/api/v1/users/abc", token=token), 400,
                         "bad_request")
        r = self.d.request("DELETE", "/api/v1/users/%d" % mid, token=token)
        self.assertEqual(r.status, 204, r)
        self.error(self.d.get("/api/v1/users/%d" % mid, token=token),
                         404, "not_found")
        self.error(self.d.request("DELETE", "/api/v1/users/%d" % mid,
                                        token=token), 404, "not_found")

    def test_admin_cannot_delete_self(self):
        token = self.admin()
        me = self.d.get("/api/v1/session", token=token).json()["user"]["id"]
        self.error(self.d.request("DELETE", "/api/v1/users/%d" % me,
                                        token=token), 409, "conflict")

    def test_delete_revokes_sessions_and_tokens(self):
        token = self.admin()
        mid, _ = self.manager(token)
        r = login(self.d, "m.virtanen", MANAGER_PW)
        self.assertEqual(r.status, 201, r)
        session = r.json()["token"]
        r = self.d.post("/api/v1/tokens", token=token,
                        body={"name": "manager's export", "user": mid})
        self.assertEqual(r.status, 201, r)
        api = r.json()["token"]
        for t in (session, api):
            self.assertEqual(self.d.get("/api/v1/session",
                                        token=t).status, 200)
        r = self.d.request("DELETE", "/api/v1/users/%d" % mid, token=token)
        self.assertEqual(r.status, 204, r)
        for t in (session, api):
            self.error(self.d.get("/api/v1/session", token=t), 401,
                             "unauthorized")
        self.assertEqual(self.d.get("/api/v1/tokens",
                                    token=token).json()["tokens"], [])
        self.error(login(self.d, "m.virtanen", MANAGER_PW), 401,
                         "bad_credentials")

    def test_manager_is_refused_admin_routes(self):
        token = self.admin()
        mid, unit = self.manager(token)
        r = login(self.d, "m.virtanen", MANAGER_PW)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["user"]["role"], "manager")
        self.assertEqual(r.json()["user"]["units"], [unit])
        mt = r.json()["token"]
        for method, path, body in (
                ("GET", "/api/v1/users", None),
                ("POST", "/api/v1/users", {"username": "x", "password": "y",
                                           "role": "admin"}),
                ("GET", "/api/v1/users/%d" % mid, None),
                ("DELETE", "/api/v1/users/1", None),
                ("GET", "/api/v1/tokens", None),
                ("POST", "/api/v1/tokens", {"name": "mine"}),
                ("DELETE", "/api/v1/tokens/1", None),
                ("GET", "/api/v1/audit", None)):
            r = self.d.request(method, path, body=body, token=mt)
            self.error(r, 403, "forbidden")
        # Their own session they may see and end.
        self.assertEqual(self.d.get("/api/v1/session", token=mt).status, 200)
        self.assertEqual(self.d.request("DELETE", "/api/v1/session",
                                        token=mt).status, 204)

    def test_bad_user_bodies(self):
        token = self.admin()
        unit = self.unit_id(token)
        d = self.d
        good = {"username": "anna", "password": "pitkä salasana 1",
                "role": "manager", "units": [unit]}

        def post(body=None, **kw):
            return d.post("/api/v1/users", body=body, token=token, **kw)

        self.error(post(raw=b'{"username": "anna", ',
                              headers={"Content-Type": "application/json"}),
                         400, "malformed_json")
        self.error(post(raw=b'{"username": "anna", "username": "b", '
                              b'"password": "pitk\\u00e4 salasana 1", '
                              b'"role": "admin"}',
                              headers={"Content-Type": "application/json"}),
                         400, "malformed_json")
        self.error(post(dict(good, email="anna@example.org")), 400,
                         "unknown_field", "email")
        self.error(post(dict(good, username=5)), 400, "wrong_type",
                         "username")
        self.error(post(dict(good, units=str(unit))), 400,
                         "wrong_type", "units")
        self.error(post(dict(good, units=["1"])), 400, "wrong_type",
                         "units[0]")
        self.error(post({"password": "pitkä salasana 1", "role": "admin"}),
                   400, "missing_field", "username")
        self.error(post(dict(good, password="short pw 1")), 422,
                         "password_too_short", "password")
        self.error(post(dict(good, role="root")), 422, "invalid",
                         "role")
        self.error(post(dict(good, username="anna virtanen")), 422,
                         "invalid", "username")
        no_units = dict(good)
        del no_units["units"]
        self.error(post(no_units), 400, "missing_field", "units")
        self.error(post(dict(good, role="admin")), 422, "invalid",
                         "units")
        self.error(post(dict(good, units=[999999])), 422, "invalid",
                         "units[0]")
        self.error(post(dict(good, units=[unit, unit])), 422,
                         "invalid", "units[1]")
        self.error(post(raw=b"username=anna",
                              headers={"Content-Type":
                                       "application/x-www-form-urlencoded"}),
                         415, "unsupported_media_type")
        big = dict(good, password="x" * (70 << 10))
        self.error(post(big), 413, "too_large")
        self.assertEqual(post(good).status, 201)
        self.error(post(dict(good, username="ANNA")), 409, "conflict",
                         "username")


class PasswordLinks(AccountTest):
    STRONG = "oma pitkä salasana 9"

    def link_token(self, link):
        self.assertRegex(link["url"], r"^/dashboard/#set-password=")
        self.assertRegex(link["expires_at"], r"^\d{4}-\d\d-\d\dT")
        token = link["url"].split("=", 1)[1]
        self.assertRegex(token, TOKEN_RE)
        return token

    def set_password(self, token, password):
        return self.d.post("/api/v1/password",
                           body={"token": token, "password": password})

    def test_a_new_user_sets_their_own_password(self):
        admin = self.admin()
        unit = self.unit_id(admin)
        r = self.d.post("/api/v1/users", token=admin, body={
            "username": "l.korhonen", "role": "manager", "units": [unit]})
        self.assertEqual(r.status, 201, r)
        user = r.json()
        token = self.link_token(user["password_link"])
        # The link is no credential, and nobody knows a password yet.
        self.error(self.d.get("/api/v1/session", token=token), 401,
                   "unauthorized")
        self.assertEqual(login(self.d, "l.korhonen", "").status, 401)
        # A weak password is refused and the link still works.
        self.error(self.set_password(token, "lyhyt"), 422,
                   "password_too_short", "password")
        r = self.set_password(token, self.STRONG)
        self.assertEqual(r.status, 204, r)
        me = login_token(self.d, "l.korhonen", self.STRONG)
        self.assertEqual(self.d.get("/api/v1/session", token=me).status, 200)
        # Once only.
        self.error(self.set_password(token, "toinen pitkä salasana 8"), 401,
                   "unauthorized", "token")
        self.assertEqual(login(self.d, "l.korhonen",
                               "toinen pitkä salasana 8").status, 401)

    def test_a_reset_link_ends_sessions_once_used(self):
        admin = self.admin()
        uid, _ = self.manager(admin)
        old = login_token(self.d, "m.virtanen", MANAGER_PW)
        r = self.d.post("/api/v1/users/%d/password-link" % uid, token=admin)
        self.assertEqual(r.status, 201, r)
        first = self.link_token(r.json())
        r = self.d.post("/api/v1/users/%d/password-link" % uid, token=admin)
        second = self.link_token(r.json())
        # The old password works until the link is used; the first link
        # stopped when the second was made.
        self.assertEqual(self.d.get("/api/v1/session", token=old).status,
                         200)
        self.error(self.set_password(first, self.STRONG), 401,
                   "unauthorized", "token")
        self.assertEqual(self.set_password(second, self.STRONG).status, 204)
        self.error(self.d.get("/api/v1/session", token=old), 401,
                   "unauthorized")
        self.assertEqual(login(self.d, "m.virtanen", MANAGER_PW).status, 401)
        login_token(self.d, "m.virtanen", self.STRONG)
        # Audited, never with the token.
        doc = self.d.get("/api/v1/audit?limit=1000", token=admin).json()
        actions = [e["action"] for e in doc["entries"]]
        self.assertIn("user.password_link", actions)
        self.assertIn("user.password_set", actions)
        for t in (first, second):
            self.assertNotIn(t, str(doc))
            self.assertNotIn(t, self.d.log())

    def test_bad_links(self):
        admin = self.admin()
        for body, status, code, field in (
                ({"token": "x" * 43, "password": self.STRONG}, 401,
                 "unauthorized", "token"),
                ({"token": "short", "password": self.STRONG}, 401,
                 "unauthorized", "token"),
                ({"password": self.STRONG}, 400, "missing_field", "token"),
                ({"token": "x" * 43}, 400, "missing_field", "password"),
                ({"token": "x" * 43, "password": self.STRONG, "u": 1}, 400,
                 "unknown_field", "u")):
            self.error(self.d.post("/api/v1/password", body=body), status,
                       code, field)
        # A session token sets no password.
        self.error(self.set_password(admin, self.STRONG), 401,
                   "unauthorized", "token")
        self.error(self.d.post("/api/v1/users/999999/password-link",
                               token=admin), 404, "not_found")
        uid, _ = self.manager(admin)
        mgr = login_token(self.d, "m.virtanen", MANAGER_PW)
        self.error(self.d.post("/api/v1/users/%d/password-link" % uid,
                               token=mgr), 403, "forbidden")
        # A deleted user's link goes with them.
        link = self.link_token(self.d.post(
            "/api/v1/users/%d/password-link" % uid, token=admin).json())
        self.assertEqual(self.d.request("DELETE", "/api/v1/users/%d" % uid,
                                        token=admin).status, 204)
        self.error(self.set_password(link, self.STRONG), 401,
                   "unauthorized", "token")


class ChangeUsers(AccountTest):
    """PATCH /api/v1/users/{id}: an admin changes units or resets a
    password; POST /api/v1/session/password: a user changes their own."""

    def patch(self, token, uid, body=None, **kw):
        return self.d.request("PATCH", "/api/v1/users/%d" % uid, body=body,
                              token=token, **kw)

    def second_unit(self, token):
        r = self.d.post("/api/v1/units", token=token,
                        body={"name": {"fi": "Toinen toimipiste"}})
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def test_admin_changes_units_and_resets_a_password(self):
        token = self.admin()
        mid, unit = self.manager(token)
        other = self.second_unit(token)
        r = login(self.d, "m.virtanen", MANAGER_PW)
        self.assertEqual(r.status, 201, r)
        old_session = r.json()["token"]
        r = self.d.post("/api/v1/tokens", token=token,
                        body={"name": "export", "user": mid})
        self.assertEqual(r.status, 201, r)
        api = r.json()["token"]

        r = self.patch(token, mid, {"units": [other, unit]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["units"], [other, unit])
        self.assertNotIn("hash", r.json())
        # Units alone end no session: the manager sees the new one at once.
        seen = [u["id"] for u in self.d.get(
            "/api/v1/units", token=old_session).json()["units"]]
        self.assertIn(other, seen)
        self.assertIn(unit, seen)

        new_pw = "uusi-salasana-kahdeksan-8"
        r = self.patch(token, mid, {"password": new_pw})
        self.assertEqual(r.status, 200, r)
        self.error(self.d.get("/api/v1/session", token=old_session),
                         401, "unauthorized")
        # An API token is a credential of its own and stays.
        self.assertEqual(self.d.get("/api/v1/session", token=api).status,
                         200)
        self.error(login(self.d, "m.virtanen", MANAGER_PW), 401,
                         "bad_credentials")
        self.assertEqual(login(self.d, "m.virtanen", new_pw).status, 201)
        # The admin's own session was not touched.
        self.assertEqual(self.d.get("/api/v1/users", token=token).status,
                         200)

        entries = [e for e in self.d.get(
            "/api/v1/audit?limit=1000", token=token).json()["entries"]
            if e["action"] == "user.update"]
        self.assertEqual([e["detail"] for e in entries], [
            {"id": mid, "units": [other, unit]},
            {"id": mid, "password": True, "sessions_revoked": 1}])
        self.assertNotIn(new_pw, self.d.log())

    def test_admin_resets_own_password_and_keeps_this_session(self):
        token = self.admin()
        other = login(self.d, "admin", admin_password(self.d)).json()["token"]
        me = self.d.get("/api/v1/session", token=token).json()["user"]["id"]
        r = self.patch(token, me, {"password": "ylläpitäjän uusi 2"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.d.get("/api/v1/session", token=token).status,
                         200)
        self.error(self.d.get("/api/v1/session", token=other), 401,
                         "unauthorized")

    def test_bad_patches_change_nothing(self):
        token = self.admin()
        mid, unit = self.manager(token)
        me = self.d.get("/api/v1/session", token=token).json()["user"]["id"]
        before = self.d.get("/api/v1/users/%d" % mid, token=token).json()
        self.error(self.patch(token, mid, {}), 400, "missing_field")
        self.error(self.patch(token, mid, {"role": "admin"}), 400,
                         "unknown_field", "role")
        self.error(self.patch(token, mid, {"units": "1"}), 400,
                         "wrong_type", "units")
        self.error(self.patch(token, mid, {"units": ["1"]}), 400,
                         "wrong_type", "units[0]")
        self.error(self.patch(token, mid, {"units": []}), 400,
                         "missing_field", "units")
        self.error(self.patch(token, mid, {"password": 7}), 400,
                         "wrong_type", "password")
        self.error(self.patch(token, mid, {"password": "lyhyt 1"}),
                         422, "password_too_short", "password")
        self.error(self.patch(token, mid, {"units": [unit, unit]}),
                         422, "invalid", "units[1]")
        self.error(self.patch(token, mid, {"units": [999999]}), 422,
                         "invalid", "units[0]")
        self.error(self.patch(token, me, {"units": [unit]}), 422,
                         "invalid", "units")
        self.error(self.patch(token, 999999, {"units": [unit]}), 404,
                         "not_found")
        self.error(self.patch(
            token, mid, raw=b'{"units": [',
            headers={"Content-Type": "application/json"}), 400,
            "malformed_json")
        self.error(self.patch(
            token, mid, {"password": "x" * (70 << 10)}), 413, "too_large")
        # A valid unit list with a bad password: nothing of it is kept.
        other = self.second_unit(token)
        self.error(self.patch(token, mid, {"units": [other],
                                                 "password": "lyhyt 1"}),
                         422, "password_too_short", "password")
        self.assertEqual(self.d.get("/api/v1/users/%d" % mid,
                                    token=token).json(), before)
        self.assertEqual(login(self.d, "m.virtanen", MANAGER_PW).status, 201)
        # Managers may not change users, not even themselves.
        mt = login(self.d, "m.virtanen", MANAGER_PW).json()["token"]
        self.error(self.patch(mt, mid, {"units": [other]}), 403,
                         "forbidden")

    def change_own(self, token, body):
        return self.d.post("/api/v1/session/password", body=body,
                           token=token)

    def test_user_changes_own_password(self):
        token = self.admin()
        self.manager(token)
        first = login(self.d, "m.virtanen", MANAGER_PW).json()["token"]
        second = login(self.d, "m.virtanen", MANAGER_PW).json()["token"]
        new_pw = "oma uusi salasana 99"
        r = self.change_own(first, {"password": MANAGER_PW,
                                    "new_password": new_pw})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(self.d.get("/api/v1/session", token=first).status,
                         200)
        self.error(self.d.get("/api/v1/session", token=second), 401,
                         "unauthorized")
        self.error(login(self.d, "m.virtanen", MANAGER_PW), 401,
                         "bad_credentials")
        self.assertEqual(login(self.d, "m.virtanen", new_pw).status, 201)
        actions = [e for e in self.d.get(
            "/api/v1/audit?limit=1000", token=token).json()["entries"]
            if e["action"] == "user.password"]
        self.assertEqual(len(actions), 1)
        self.assertEqual(actions[0]["who"], "m.virtanen")
        self.assertEqual(actions[0]["detail"]["sessions_revoked"], 1)
        log = self.d.log()
        self.assertNotIn(new_pw, log)
        self.assertNotIn(MANAGER_PW, log)

    def test_own_password_errors_change_nothing(self):
        token = self.admin()
        mid, _ = self.manager(token)
        mt = login(self.d, "m.virtanen", MANAGER_PW).json()["token"]
        good = {"password": MANAGER_PW, "new_password": "oma uusi 12345"}
        self.error(self.change_own(mt, {"password": MANAGER_PW}), 400,
                         "missing_field", "new_password")
        self.error(self.change_own(mt, dict(good, extra=1)), 400,
                         "unknown_field", "extra")
        self.error(self.change_own(mt, dict(good, new_password=[])),
                         400, "wrong_type", "new_password")
        self.error(self.change_own(mt, dict(good,
                                                  new_password="lyhyt")),
                         422, "password_too_short", "new_password")
        self.error(self.change_own(None, good), 401, "unauthorized")
        r = self.d.post("/api/v1/tokens", token=token,
                        body={"name": "export", "user": mid})
        self.error(self.change_own(r.json()["token"], good), 409,
                         "conflict")
        # A wrong current password, again and again: then throttled.
        wrong = dict(good, password="ei tämä ole se")
        statuses = []
        for _ in range(7):
            r = self.change_own(mt, wrong)
            statuses.append(r.status)
            if r.status == 403:
                self.error(r, 403, "forbidden", "password")
        self.assertIn(429, statuses)
        self.assertEqual(statuses[0], 403)
        # Nothing changed: the old password still logs in... once the
        # account's throttle lets it (failed attempts count for logins too).
        self.error(login(self.d, "m.virtanen", MANAGER_PW), 429,
                         "rate_limited")
        self.assertEqual(self.d.get("/api/v1/session", token=mt).status, 200)


def refused_passwords(name):
    """A password that breaks each rule of the policy (core/users.h) for
    the user called name: (password, code, words the message has)."""
    return (
        # 11 characters in 14 bytes.
        ("\u00c4\u00d6-kuu-l\u00f6yl", "password_too_short",
         "12 characters"),
        ("x" * 1025, "password_too_long", "1024 bytes"),
        (" \u00a0\u3000\u200b" * 3, "password_blank", "invisible"),
        (name.upper() + "-kev\u00e4t-2024", "password_contains_username",
         "user name"),
        ("administrator", "password_common", "dictionary"),
        ("password1234", "password_common", "too easy to guess"),
    )


class PasswordPolicy(AccountTest):
    """Every way to set a password refuses what the policy refuses: 422
    with the rule's code, and nothing changed."""

    GOOD = "kes\u00e4inen kuunsilta 42"

    def refusals(self, name, send, field="password"):
        for pw, code, words in refused_passwords(name):
            with self.subTest(code=code, password=pw[:16]):
                err = self.error(send(pw), 422, code, field)
                self.assertIn(words, err["message"])

    def audit_actions(self, token):
        doc = self.d.get("/api/v1/audit?limit=1000", token=token).json()
        return [e["action"] for e in doc["entries"]]

    def test_create(self):
        token = self.admin()
        unit = self.unit_id(token)
        body = {"username": "k.nieminen", "role": "manager",
                "units": [unit]}
        before = self.audit_actions(token)
        self.refusals("k.nieminen", lambda pw: self.d.post(
            "/api/v1/users", token=token, body=dict(body, password=pw)))
        users = self.d.get("/api/v1/users", token=token).json()["users"]
        self.assertNotIn("k.nieminen", [u["username"] for u in users])
        self.assertEqual(self.audit_actions(token), before)
        r = self.d.post("/api/v1/users", token=token,
                        body=dict(body, password=self.GOOD))
        self.assertEqual(r.status, 201, r)

    def test_reset(self):
        token = self.admin()
        mid, _ = self.manager(token)
        session = login_token(self.d, "m.virtanen", MANAGER_PW)
        before = self.d.get("/api/v1/users/%d" % mid, token=token).json()
        actions = self.audit_actions(token)
        self.refusals("m.virtanen", lambda pw: self.d.request(
            "PATCH", "/api/v1/users/%d" % mid, token=token,
            body={"password": pw}))
        self.assertEqual(self.d.get("/api/v1/users/%d" % mid,
                                    token=token).json(), before)
        self.assertEqual(self.audit_actions(token), actions)
        self.assertEqual(self.d.get("/api/v1/session",
                                    token=session).status, 200)
        self.assertEqual(login(self.d, "m.virtanen", MANAGER_PW).status, 201)
        # Of a user that is not there: 404, before any password is judged.
        self.error(self.d.request("PATCH", "/api/v1/users/999999",
                                  token=token, body={"password": self.GOOD}),
                   404, "not_found")

    def test_own_change(self):
        token = self.admin()
        self.manager(token)
        mine = login_token(self.d, "m.virtanen", MANAGER_PW)
        other = login_token(self.d, "m.virtanen", MANAGER_PW)
        actions = self.audit_actions(token)
        self.refusals("m.virtanen", lambda pw: self.d.post(
            "/api/v1/session/password", token=mine,
            body={"password": MANAGER_PW, "new_password": pw}),
            field="new_password")
        self.assertEqual(self.audit_actions(token), actions)
        self.assertEqual(self.d.get("/api/v1/session", token=other).status,
                         200)
        self.assertEqual(login(self.d, "m.virtanen", MANAGER_PW).status, 201)
        # The current password is checked first: a wrong one is 403,
        # whatever the new one.
        self.error(self.d.post(
            "/api/v1/session/password", token=mine,
            body={"password": "ei se oikea salasana",
                  "new_password": "password1234"}),
            403, "forbidden", "password")

    def test_set_password_link(self):
        token = self.admin()
        unit = self.unit_id(token)
        r = self.d.post("/api/v1/users", token=token, body={
            "username": "l.korhonen", "role": "manager", "units": [unit]})
        self.assertEqual(r.status, 201, r)
        link = r.json()["password_link"]["url"].split("=", 1)[1]
        actions = self.audit_actions(token)
        self.refusals("l.korhonen", lambda pw: self.d.post(
            "/api/v1/password", body={"token": link, "password": pw}))
        self.assertEqual(self.audit_actions(token), actions)
        # The link was not used up.
        r = self.d.post("/api/v1/password",
                        body={"token": link, "password": self.GOOD})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(login(self.d, "l.korhonen", self.GOOD).status, 201)

    def test_add_user(self):
        """palautectl add-user: the same rules and the same messages."""
        token = self.admin()
        for pw, code, words in refused_passwords("k.nieminen"):
            with self.subTest(code=code, password=pw[:16]):
                api = self.error(self.d.post("/api/v1/users", token=token,
                                             body={"username": "k.nieminen",
                                                   "password": pw,
                                                   "role": "admin"}),
                                 422, code, "password")
                p = subprocess.run(
                    [PALAUTECTL, "-d", self.d.state_dir, "add-user",
                     "--admin", "k.nieminen"], input=pw + "\n",
                    capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(words, p.stderr)
                self.assertIn(api["message"], p.stderr)
                self.assertEqual(p.stdout, "")
        users = self.d.get("/api/v1/users", token=token).json()["users"]
        self.assertNotIn("k.nieminen", [u["username"] for u in users])


class ApiTokens(AccountTest):
    def test_create_list_use_revoke(self):
        token = self.admin()
        me = self.d.get("/api/v1/session", token=token).json()["user"]["id"]
        r = self.d.post("/api/v1/tokens", body={"name": "raportointi"},
                        token=token)
        self.assertEqual(r.status, 201, r)
        made = r.json()
        self.assertEqual(set(made), {"id", "name", "user", "created",
                                     "token"})
        self.assertEqual(made["user"], me)
        self.assertRegex(made["token"], TOKEN_RE)
        self.assertRegex(made["created"], DAY_RE)
        api = made["token"]
        r = self.d.get("/api/v1/tokens", token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["tokens"], [{
            "id": made["id"], "name": "raportointi", "user": me,
            "created": made["created"]}])
        self.assertNotIn(api.encode(), r.body)
        # The token acts as its user.
        self.assertEqual(self.d.get("/api/v1/users", token=api).status, 200)
        r = self.d.get("/api/v1/session", token=api)
        self.assertEqual(r.json()["kind"], "api")
        self.error(self.d.request("DELETE", "/api/v1/session",
                                        token=api), 409, "conflict")
        r = self.d.request("DELETE", "/api/v1/tokens/%d" % made["id"],
                           token=token)
        self.assertEqual(r.status, 204, r)
        self.error(self.d.get("/api/v1/users", token=api), 401,
                         "unauthorized")
        self.assertEqual(self.d.get("/api/v1/tokens",
                                    token=token).json()["tokens"], [])
        self.error(self.d.request("DELETE", "/api/v1/tokens/%d"
                                        % made["id"], token=token),
                         404, "not_found")

    def test_bad_token_bodies(self):
        token = self.admin()
        d = self.d
        self.error(d.post("/api/v1/tokens", body={}, token=token), 400,
                         "missing_field", "name")
        self.error(d.post("/api/v1/tokens", body={"name": ""},
                                token=token), 422, "invalid", "name")
        self.error(d.post("/api/v1/tokens", body={"name": 1},
                                token=token), 400, "wrong_type", "name")
        self.error(d.post("/api/v1/tokens", body={"name": "x",
                                                        "user": 424242},
                                token=token), 422, "invalid", "user")
        self.error(d.post("/api/v1/tokens", body={"name": "x",
                                                        "scope": "all"},
                                token=token), 400, "unknown_field", "scope")


class Audit(AccountTest):
    def test_changes_and_logins_are_chained(self):
        pw = admin_password(self.d)
        self.assertEqual(login(self.d, "admin", "wrong password!").status,
                         401)
        self.assertEqual(login(self.d, "Typed-Secret-Here", pw).status, 401)
        token = self.admin()
        mid, _ = self.manager(token)
        r = self.d.post("/api/v1/tokens", body={"name": "t"}, token=token)
        api = r.json()["token"]
        self.d.request("DELETE", "/api/v1/tokens/%d" % r.json()["id"],
                       token=token)
        self.d.request("DELETE", "/api/v1/users/%d" % mid, token=token)
        r = self.d.get("/api/v1/audit", token=token)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertIs(body["verified"], True)
        self.assertIsNone(body["broken_at"])
        entries = body["entries"]
        self.assertEqual([e["seq"] for e in entries],
                         list(range(1, len(entries) + 1)))
        for e in entries:
            self.assertEqual(set(e), {"seq", "day", "who", "action",
                                      "detail", "prev", "hash"})
            self.assertRegex(e["day"], DAY_RE)
        for prev, cur in zip(entries, entries[1:]):
            self.assertEqual(cur["prev"], prev["hash"])
        mine = [(e["who"], e["action"]) for e in entries
                if e["action"].split(".")[0] in ("login", "logout", "user",
                                                 "token")]
        self.assertEqual(mine, [
            ("palauted --dev", "user.create"),
            ("admin", "login.failed"),
            ("-", "login.failed"),
            ("admin", "login"),
            ("admin", "user.create"),
            ("admin", "token.create"),
            ("admin", "token.revoke"),
            ("admin", "user.delete")])
        # No secret, and not the name an unknown login was tried with.
        for secret in (pw, MANAGER_PW, token, api, "Typed-Secret-Here",
                       "argon2"):
            self.assertNotIn(secret.encode(), r.body)

    def test_paging(self):
        token = self.admin()
        r = self.d.get("/api/v1/audit?after=1&limit=1", token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([e["seq"] for e in r.json()["entries"]], [2])
        self.assertIs(r.json()["verified"], True)
        self.error(self.d.get("/api/v1/audit?limit=0", token=token),
                         400, "bad_request", "limit")
        self.error(self.d.get("/api/v1/audit?after=x", token=token),
                         400, "bad_request", "after")


class Secrets(AccountTest):
    def test_no_password_or_token_in_log_or_store(self):
        pw = admin_password(self.d)
        token = self.admin()
        mid, _ = self.manager(token)
        mt = login(self.d, "m.virtanen", MANAGER_PW).json()["token"]
        api = self.d.post("/api/v1/tokens", body={"name": "x"},
                          token=token).json()["token"]
        login(self.d, "admin", "Wrong-But-Secret-Password")
        login(self.d, "Password-In-Name-Field", "whatever it was 1")
        self.d.request("DELETE", "/api/v1/session", token=mt)
        self.assertEqual(self.d.stop(), 0)
        secrets = [pw, MANAGER_PW, "Wrong-But-Secret-Password",
                   "Password-In-Name-Field", token, mt, api]
        blobs = [s.encode() for s in secrets]
        # The raw bytes of each token, too.
        blobs += [base64.urlsafe_b64decode(t + "=") for t in (token, mt,
                                                               api)]
        log = self.d.log().encode()
        for b in blobs:
            self.assertNotIn(b, log)
        seen = 0
        for root, _, files in os.walk(self.d.workdir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                seen += 1
                for b in blobs:
                    self.assertNotIn(b, data, os.path.join(root, name))
        self.assertGreater(seen, 1)


class AddUser(AccountTest):
    def ctl(self, *args, stdin=""):
        return subprocess.run(
            [PALAUTECTL, "-d", self.d.state_dir] + list(args),
            input=stdin, capture_output=True, text=True, timeout=30)

    def test_add_user_beside_the_daemon(self):
        token = self.admin()
        unit = self.unit_id(token)
        p = self.ctl("add-user", "--manager", "--unit", str(unit), "liisa",
                     stdin="kesäinen kuunsilta 42\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("liisa", p.stdout)
        self.assertNotIn("kuunsilta", p.stdout + p.stderr)
        r = login(self.d, "liisa", "kesäinen kuunsilta 42")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["user"]["role"], "manager")
        self.assertEqual(r.json()["user"]["units"], [unit])
        p = self.ctl("add-user", "--admin", "toinen.admin",
                     stdin="toisen adminin salasana")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = login(self.d, "toinen.admin", "toisen adminin salasana")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["user"]["role"], "admin")
        audit = self.d.get("/api/v1/audit", token=token).json()
        self.assertIs(audit["verified"], True)
        self.assertIn(("palautectl", "user.create"),
                      [(e["who"], e["action"]) for e in audit["entries"]])

    def test_add_user_refusals(self):
        admin_password(self.d)
        p = self.ctl("add-user", "--admin", "lyhyt", stdin="short\n")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("12", p.stderr)
        p = self.ctl("add-user", "--manager", "eiyksikkoa",
                     stdin="pitkä salasana 1\n")
        self.assertEqual(p.returncode, 2)
        p = self.ctl("add-user", "--admin", "ADMIN",
                     stdin="pitkä salasana 1\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("exists", p.stderr)
        p = self.ctl("add-user", "--manager", "--unit", "999999", "x.y.z",
                     stdin="pitkä salasana 1\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("999999", p.stderr)
        p = self.ctl("add-user", "admin2")
        self.assertEqual(p.returncode, 2)


class DevAdmin(AccountTest):
    def test_password_printed_only_on_first_start(self):
        pw = admin_password(self.d)
        self.assertNotIn(pw, self.d.log())
        self.assertEqual(self.d.stop(), 0)
        again = Daemon(workdir=self.d.workdir).start()
        try:
            time.sleep(0.5)
            self.assertIsNone(ADMIN_RE.search(again.stdout()))
            self.assertEqual(login(again, "admin", pw).status, 201)
        finally:
            again.kill()


if __name__ == "__main__":
    main()
