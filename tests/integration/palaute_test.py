"""Integration test support: the real palauted on a free loopback port.

The daemon is started with `listen=127.0.0.1:0`; the kernel picks the port
and the daemon logs it, so tests never race for a fixed port. Every daemon
gets its own temporary data directory. stderr is captured so that tests can
search the log (for example for identifiers that must never appear).
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

PALAUTED = os.environ.get("PALAUTED", "palauted")
PALAUTECTL = os.environ.get("PALAUTECTL", "palautectl")
SRCDIR = os.environ.get("PALAUTE_SRCDIR", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATADIR = os.path.join(SRCDIR, "tests", "data")

LISTEN_RE = re.compile(r"listening on http://([^/]+)/")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


class Daemon:
    """One palauted process with its own data directory."""

    def __init__(self, *args, dev=True, history=False, workdir=None,
                 env=None):
        self.args = list(args)
        self.dev = dev
        self.history = history
        self.owns_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="palaute-it-")
        self.env = dict(os.environ)
        if env:
            self.env.update(env)
        self.proc = None
        self.addr = None
        self.log_lines = []
        self.stdout_lines = []
        self._threads = []

    def _drain(self, stream, sink, ready):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            sink.append(line)
            m = LISTEN_RE.search(line)
            if m and self.addr is None:
                self.addr = m.group(1)
                ready.set()
        ready.set()

    def start(self, timeout=10):
        cmd = [PALAUTED]
        if self.dev:
            # The demo's year of history costs seconds a daemon; the
            # tests that look at it ask for it (history=True).
            cmd.append("--dev")
            if not self.history:
                cmd += ["-o", "dev_history=no"]
        cmd += ["-o", "listen=127.0.0.1:0"] + self.args
        self.proc = subprocess.Popen(
            cmd, cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready = threading.Event()
        for stream, sink in ((self.proc.stderr, self.log_lines),
                             (self.proc.stdout, self.stdout_lines)):
            t = threading.Thread(target=self._drain,
                                 args=(stream, sink, ready), daemon=True)
            t.start()
            self._threads.append(t)
        deadline = time.monotonic() + timeout
        while self.addr is None and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            ready.wait(0.05)
        if self.addr is None:
            self.kill()
            raise RuntimeError("palauted did not start: %s"
                               % "\n".join(self.log_lines))
        return self

    @property
    def host(self):
        return self.addr.rsplit(":", 1)[0]

    @property
    def port(self):
        return int(self.addr.rsplit(":", 1)[1])

    def url(self, path):
        return "http://%s%s" % (self.addr, path)

    def request(self, method, path, body=None, headers=None, token=None,
                raw=None, timeout=30):
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        if token:
            hdrs["Authorization"] = "Bearer " + token
        conn = http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Signal the daemon and return its exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self._close()
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        for t in self._threads:
            t.join(2)
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None and not stream.closed:
                    stream.close()

    def cleanup(self):
        self.kill()
        if self.owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def state_dir(self):
        return os.path.join(self.workdir, "palaute-dev")

    def log(self):
        return "\n".join(self.log_lines)

    def wait_log(self, text, count=1, timeout=10):
        """How many log lines hold text, once at least count do.

        stderr is read by a thread, so a line the daemon wrote before its
        reply may reach log_lines a moment after the reply reaches us.
        """
        deadline = time.monotonic() + timeout
        while True:
            n = self.log().count(text)
            if n >= count or time.monotonic() > deadline:
                return n
            time.sleep(0.02)

    def stdout(self):
        return "\n".join(self.stdout_lines)


ADMIN_RE = re.compile(r"admin login: admin / (\S+)")


def load_survey(name):
    with open(os.path.join(DATADIR, name), encoding="utf-8") as f:
        return json.load(f)


def admin_password(d, timeout=30):
    """The --dev admin's password, printed once when the store is new."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = ADMIN_RE.search(d.stdout())
        if m:
            return m.group(1)
        time.sleep(0.02)
    raise AssertionError("no admin password on stdout:\n" +
                         d.stdout() + d.log())


def login(d, username, password):
    """POST /api/v1/session on daemon d: the reply."""
    return d.post("/api/v1/session",
                  body={"username": username, "password": password})


def login_token(d, username, password):
    """A session token of username on daemon d; the login must work."""
    r = login(d, username, password)
    if r.status != 201:
        raise AssertionError("login of %s failed: %r" % (username, r))
    return r.json()["token"]


class Admin:
    """The --dev admin of daemon d, logged in, and the units, surveys and
    collectors that tests need."""

    def __init__(self, d, timeout=30):
        self.d = d
        self.password = admin_password(d, timeout)
        self.login()

    def login(self):
        self.token = login_token(self.d, "admin", self.password)

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


class PalauteTestCase(unittest.TestCase):
    """Requests to self.d, the daemon under test, and checks of replies."""

    d = None

    def api(self, method, path, body=None, token=None, **kw):
        return self.d.request(method, path, body=body, token=token, **kw)

    def ok(self, r, status=200):
        """r has this status: its JSON body, or None when it has none."""
        self.assertEqual(r.status, status, r)
        return r.json() if r.body else None

    def error(self, r, status, code, field=None):
        """r is a JSON error reply with this status, code and field."""
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("Content-Type"), "application/json", r)
        err = r.json()["error"]
        self.assertEqual(err["code"], code, r)
        self.assertTrue(err["message"], r)
        if field is not None:
            self.assertEqual(err.get("field"), field, r)
        return err


class DaemonTest(PalauteTestCase):
    """A test case with a fresh --dev daemon per test."""

    daemon_args = ()

    def setUp(self):
        self.d = Daemon(*self.daemon_args).start()
        # A cleanup, not tearDown: it runs even when a subclass's setUp
        # fails after this.
        self.addCleanup(self.d.cleanup)


class SharedDaemonTest(PalauteTestCase):
    """One --dev daemon for the whole class, started with daemon_args,
    and self.admin, its admin logged in (an Admin; self.token is the
    admin's session token).

    Tests share the daemon: each makes the units, surveys and collectors
    it needs, so that tests do not depend on one another.
    """

    daemon_args = ()
    admin = None

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(*cls.daemon_args).start()
        # A class cleanup: it runs even when the rest of setUpClass (here
        # or in a subclass) fails, and tearDownClass does not.
        cls.addClassCleanup(cls.d.cleanup)
        cls.admin = Admin(cls.d)

    @property
    def token(self):
        """The admin's session token."""
        return self.admin.token

    @classmethod
    def tearDownClass(cls):
        # A clean exit after everything the class did: under
        # --enable-sanitizers a leak or a runtime error fails it. (Where
        # a test stopped the daemon itself, stop() gives that exit status.)
        rc = cls.d.stop()
        log = cls.d.log()
        if rc != 0 or "Sanitizer" in log or "runtime error" in log:
            raise AssertionError("palauted exited %r:\n%s" % (rc, log))


def main():
    """unittest.main, with a closing 'N passed, N failed' line."""
    prog = unittest.main(exit=False, verbosity=2)
    res = prog.result
    bad = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    print("%s: %d passed, %d failed" % (
        os.path.basename(__import__("sys").argv[0]).split(".")[0],
        res.testsRun - bad - len(res.skipped), bad))
    raise SystemExit(0 if bad == 0 and res.testsRun > 0 else 1)
