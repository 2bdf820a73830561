"""Helpers for the intake tests: an admin session on a --dev daemon, and
the units, surveys and collectors that responses need."""
import datetime
import json
import os
import re
import subprocess
import time
import uuid

from palaute_test import DATADIR, PALAUTECTL

ADMIN_RE = re.compile(r"admin login: admin / (\S+)")


def load_survey(name):
    with open(os.path.join(DATADIR, name), encoding="utf-8") as f:
        return json.load(f)


def utc_today():
    """The daemon's day (util_today() is UTC); tests send days relative
    to it, never fixed dates."""
    return datetime.datetime.now(datetime.timezone.utc).date()


def day(offset=0):
    return (utc_today() + datetime.timedelta(days=offset)).isoformat()


def new_id(prefix="r"):
    return "%s-%s" % (prefix, uuid.uuid4())


class Admin:
    """The --dev admin of daemon d, logged in."""

    def __init__(self, d, timeout=30):
        self.d = d
        deadline = time.monotonic() + timeout
        password = None
        while time.monotonic() < deadline:
            m = ADMIN_RE.search(d.stdout())
            if m:
                password = m.group(1)
                break
            time.sleep(0.05)
        if password is None:
            raise RuntimeError("no admin password on stdout:\n" +
                               d.stdout() + d.log())
        self.password = password
        self.login()

    def login(self):
        r = self.d.post("/api/v1/session",
                        body={"username": "admin", "password": self.password})
        if r.status != 201:
            raise RuntimeError("login failed: %r" % r)
        self.token = r.json()["token"]

    def call(self, method, path, body=None, status=None):
        r = self.d.request(method, path, body=body, token=self.token)
        if status is not None and r.status != status:
            raise AssertionError("%s %s: %r" % (method, path, r))
        return r

    def unit(self, fi=None):
        r = self.call("POST", "/api/v1/units", {
            "name": {"fi": fi or "Toimipiste " + uuid.uuid4().hex[:8]}},
            status=201)
        return r.json()["id"]

    def survey(self, name="survey-client.json", **changes):
        body = load_survey(name)
        body["slug"] = "s-" + uuid.uuid4().hex[:12]
        body.update(changes)
        r = self.call("POST", "/api/v1/surveys", body, status=201)
        return r.json()["id"]

    def collector(self, survey, unit, kind, **extra):
        body = {"survey": survey, "unit": unit, "kind": kind}
        body.update(extra)
        return self.call("POST", "/api/v1/collectors", body,
                         status=201).json()

    def delete_collector(self, cid):
        self.call("DELETE", "/api/v1/collectors/%d" % cid, status=204)


def slug_of(collector):
    return collector["url"].rsplit("/", 1)[1]


def palautectl(state_dir, *args):
    p = subprocess.run([PALAUTECTL, "-d", state_dir] + list(args),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def verify(state_dir):
    """palautectl verify: (exit code, {name: value}, stderr)."""
    rc, out, err = palautectl(state_dir, "verify")
    fields = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        fields[k] = int(v) if v.isdigit() else v
    return rc, fields, err
