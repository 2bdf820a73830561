"""The daemon skeleton over HTTP: health, routing errors, signals, -n."""
import os
import signal
import stat
import subprocess
import tempfile
import time
import unittest

from palaute_test import PALAUTECTL, PALAUTED, Daemon, DaemonTest, main


class HealthAndRouting(DaemonTest):
    def test_healthz(self):
        r = self.d.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.header("Cache-Control"), "no-store")

    def test_readyz(self):
        r = self.d.get("/readyz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ready"})

    def test_head(self):
        r = self.d.request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_unknown_path_is_json_404(self):
        self.error(self.d.get("/nope"), 404, "not_found")
        self.error(self.d.get("/api/v1/nothing/here"), 404,
                         "not_found")

    def test_wrong_method_is_json_405(self):
        r = self.d.post("/healthz", body={})
        self.error(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET")
        self.error(self.d.request("DELETE", "/readyz"), 405,
                         "method_not_allowed")

    def test_method_outside_api_is_405(self):
        self.error(self.d.request("TRACE", "/healthz"), 405,
                         "method_not_allowed")

    def test_bad_encoding_in_path(self):
        r = self.d.get("/healthz%00")
        self.assertIn(r.status, (400, 404))


class Signals(unittest.TestCase):
    def test_sigterm_exits_zero_within_a_second(self):
        d = Daemon().start()
        try:
            self.assertEqual(d.get("/healthz").status, 200)
            t0 = time.monotonic()
            rc = d.stop(signal.SIGTERM, timeout=5)
            self.assertEqual(rc, 0, d.log())
            self.assertLess(time.monotonic() - t0, 1.0)
        finally:
            d.cleanup()

    def test_sigint_exits_zero(self):
        d = Daemon().start()
        try:
            self.assertEqual(d.stop(signal.SIGINT), 0, d.log())
        finally:
            d.cleanup()

    def test_sighup_with_broken_config_keeps_running(self):
        work = tempfile.mkdtemp(prefix="palaute-it-")
        conf = os.path.join(work, "palauted.conf")
        with open(conf, "w") as f:
            f.write("verbose = no\n")
        d = Daemon("-f", conf, workdir=work).start()
        try:
            with open(conf, "w") as f:
                f.write("verbose = perhaps\n")
            d.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 5
            while "keeping the running configuration" not in d.log():
                self.assertLess(time.monotonic(), deadline, d.log())
                time.sleep(0.05)
            self.assertIn(conf + ":1:", d.log())
            self.assertEqual(d.get("/healthz").status, 200)
            with open(conf, "w") as f:
                f.write("verbose = yes\n")
            d.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 5
            while "configuration reloaded" not in d.log():
                self.assertLess(time.monotonic(), deadline, d.log())
                time.sleep(0.05)
            self.assertEqual(d.stop(), 0)
        finally:
            d.cleanup()
            subprocess.run(["rm", "-rf", work], check=True)


class Usage(unittest.TestCase):
    """Asked for, the usage goes to stdout with 0; after a mistake, to
    stderr with 2 and nothing on stdout, so a script sees the failure."""

    def run_prog(self, *argv):
        return subprocess.run(list(argv), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30)

    def test_palauted(self):
        for flag in ("-h", "--help"):
            p = self.run_prog(PALAUTED, flag)
            self.assertEqual(p.returncode, 0, flag)
            self.assertTrue(p.stdout.startswith(b"usage: palauted"), flag)
            self.assertIn(b"--dev", p.stdout)
            self.assertEqual(p.stderr, b"")
        for argv in (["--bogus"], ["-x"], ["extra"]):
            p = self.run_prog(PALAUTED, *argv)
            self.assertEqual(p.returncode, 2, argv)
            self.assertEqual(p.stdout, b"", argv)
            self.assertIn(b"usage: palauted", p.stderr)

    def test_palautectl(self):
        for argv in (["-h"], ["--help"], ["help"]):
            p = self.run_prog(PALAUTECTL, *argv)
            self.assertEqual(p.returncode, 0, argv)
            self.assertTrue(p.stdout.startswith(b"usage: palautectl"), argv)
            for cmd in (b"init", b"verify", b"backup", b"rotate-kek"):
                self.assertIn(b"\n  " + cmd + b" ", p.stdout)
            self.assertEqual(p.stderr, b"")
        for argv in ([], ["--bogus"], ["no-such-command"]):
            p = self.run_prog(PALAUTECTL, *argv)
            self.assertEqual(p.returncode, 2, argv)
            self.assertEqual(p.stdout, b"", argv)
            self.assertIn(b"usage: palautectl", p.stderr)
        p = self.run_prog(PALAUTECTL, "no-such-command")
        self.assertIn(b"unknown command 'no-such-command'", p.stderr)


class CheckConfig(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="palaute-it-")
        self.kek = os.path.join(self.dir, "kek")
        with open(self.kek, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(self.kek, 0o600)

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.dir], check=True)

    def check(self, text, *extra):
        conf = os.path.join(self.dir, "palauted.conf")
        with open(conf, "w") as f:
            f.write(text)
        p = subprocess.run([PALAUTED, "-n", "-f", conf] + list(extra),
                           capture_output=True, text=True, timeout=10)
        return p.returncode, p.stderr, conf

    def test_good(self):
        rc, err, _ = self.check("state_dir = %s\nkek_file = %s\n"
                                % (self.dir, self.kek))
        self.assertEqual(rc, 0, err)
        self.assertIn("configuration OK", err)

    def test_unknown_key(self):
        rc, err, conf = self.check("state_dir = %s\nlisten_on = x\n"
                                   % self.dir)
        self.assertEqual(rc, 2)
        self.assertIn(conf + ":2: unknown key 'listen_on'", err)

    def test_bad_number(self):
        rc, err, conf = self.check("max_connections = many\n")
        self.assertEqual(rc, 2)
        self.assertIn(conf + ":1: max_connections", err)

    def test_missing_file(self):
        p = subprocess.run([PALAUTED, "-n", "-f",
                            os.path.join(self.dir, "absent.conf")],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn("absent.conf", p.stderr)

    def test_key_file_missing(self):
        rc, err, _ = self.check("state_dir = %s\nkek_file = %s/none\n"
                                % (self.dir, self.dir))
        self.assertEqual(rc, 2)
        self.assertIn("kek_file", err)

    def test_key_file_unreadable(self):
        # A directory where the key should be: unreadable as a key even
        # for root, which reads files of any mode.
        os.unlink(self.kek)
        os.mkdir(self.kek, 0o700)
        rc, err, _ = self.check("kek_file = %s\n" % self.kek)
        self.assertEqual(rc, 2)
        self.assertIn("kek_file", err)

    def test_key_file_readable_by_others(self):
        os.chmod(self.kek, 0o644)
        rc, err, _ = self.check("kek_file = %s\n" % self.kek)
        self.assertEqual(rc, 2)
        self.assertIn("chmod 600", err)

    def test_override(self):
        rc, err, _ = self.check("kek_file = %s\n" % self.kek,
                                "-o", "read_timeout=0")
        self.assertEqual(rc, 2)
        self.assertIn("read_timeout", err)


if __name__ == "__main__":
    main()
