"""A broken configuration file is refused the same way by the three paths
that read one: `palauted -n`, the start, and SIGHUP on a running daemon,
which logs the refusal and goes on with the settings it had."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from palaute_test import PALAUTED, Daemon, main

PORT_MSG = ("listen: '127.0.0.1:99999': the port must be a number from 0 "
            "to 65535")

# (name, bytes of the file, line, message): what each is refused with.
BAD = [
    ("port", b"verbose = no\nlisten = 127.0.0.1:99999\n", 2, PORT_MSG),
    ("port-zero-padded", b"listen = 127.0.0.1:0080000\n", 1,
     "listen: '127.0.0.1:0080000': the port must be a number from 0 to "
     "65535"),
    ("port-name", b"listen = 127.0.0.1:http\n", 1,
     "listen: '127.0.0.1:http': the port must be a number from 0 to "
     "65535"),
    ("nul-filled", b"\0" * 4096, 1, "contains a NUL byte"),
    ("nul-inside", b"max_body = 1k\0junk\n", 1, "contains a NUL byte"),
    ("binary", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0", 1,
     "contains the control character 0x7f"),
    ("escape", b"# ok\nverbose = \x1b[2Jyes\n", 2,
     "contains the control character 0x1b"),
    ("latin1", b"# Kaytto\xf6n\n", 1, "contains bytes that are not UTF-8"),
    ("unknown", b"max_body = 1k\nmax_bodies = 2k\n", 2,
     "unknown key 'max_bodies'"),
    ("twice", b"max_body = 1k\n\nmax_body = 2k\n", 3,
     "'max_body' is set twice (first on line 1)"),
    ("type", b"read_timeout = yes\n", 1,
     "read_timeout: 'yes' is not a whole number between 1 and 3600"),
    ("long", b"#" * 2000 + b"\n", 1, "line too long (more than 1024 bytes)"),
]


class ConfigRefused(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="palaute-it-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, data):
        path = os.path.join(self.dir, name + ".conf")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def start(self, *argv, listen=True, timeout=10):
        """Run palauted --dev with argv; its status and stderr once it
        exits, or fail if it is still running (it took the file)."""
        work = tempfile.mkdtemp(dir=self.dir)
        cmd = [PALAUTED, "--dev", "-o", "dev_history=no"]
        if listen:
            cmd += ["-o", "listen=127.0.0.1:0"]
        p = subprocess.Popen(
            cmd + list(argv), cwd=work,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            self.fail("palauted started with %r: %s" % (argv, err[-500:]))
        return p.returncode, err.decode("utf-8", "replace")

    def test_check_and_start(self):
        for name, data, line, msg in BAD:
            with self.subTest(name):
                conf = self.write(name, data)
                want = "palauted: %s:%d: %s\n" % (conf, line, msg)
                p = subprocess.run([PALAUTED, "-n", "-f", conf],
                                   capture_output=True, timeout=10)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stderr.decode(), want)
                rc, err = self.start("-f", conf)
                self.assertEqual(rc, 2, err)
                self.assertIn(want, err)
                self.assertNotIn("listening on", err)

    def test_override(self):
        """-o is checked like a line of the file, by -n and at start."""
        want = "palauted: -o %s\n" % PORT_MSG
        p = subprocess.run([PALAUTED, "-n", "-o", "listen=127.0.0.1:99999"],
                           capture_output=True, timeout=10)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stderr.decode(), want)
        rc, err = self.start("-o", "listen=127.0.0.1:99999", listen=False)
        self.assertEqual(rc, 2, err)
        self.assertIn(want, err)
        rc, err = self.start("-o", "listen=127.0.0.1:8080")
        self.assertEqual(rc, 2, err)
        self.assertIn("palauted: -o 'listen' is given twice\n", err)
        rc, err = self.start("-o", "max_body=1k\x1b")
        self.assertEqual(rc, 2, err)
        self.assertIn("palauted: -o contains the control character "
                      "0x1b\n", err)

    def big_body(self, d):
        """A login of 2000 bytes: 413 under max_body = 1k, else refused
        for what it says."""
        return d.post("/api/v1/session", body={"username": "x" * 1900,
                                                "password": "y"}).status

    def test_sighup_keeps_the_running_configuration(self):
        conf = self.write("running", b"max_body = 1k\nverbose = no\n")
        d = Daemon("-f", conf, workdir=tempfile.mkdtemp(dir=self.dir)).start()
        try:
            self.assertEqual(self.big_body(d), 413)
            for n, (name, data, line, msg) in enumerate(BAD, 1):
                with self.subTest(name):
                    with open(conf, "wb") as f:
                        f.write(data)
                    d.send_signal(signal.SIGHUP)
                    want = "reload: %s:%d: %s; keeping the running " \
                           "configuration" % (conf, line, msg)
                    self.assertEqual(d.wait_log(want), 1, d.log()[-2000:])
                    self.assertEqual(d.wait_log("keeping the running "
                                                "configuration", n), n)
                    # Still serving, and with max_body = 1k, not with
                    # the defaults a broken file would have given.
                    self.assertEqual(d.get("/healthz").status, 200)
                    self.assertEqual(self.big_body(d), 413)
            self.assertNotIn("configuration reloaded", d.log())
            # A good file is taken again.
            with open(conf, "wb") as f:
                f.write(b"max_body = 64k\n")
            d.send_signal(signal.SIGHUP)
            self.assertEqual(d.wait_log("configuration reloaded"), 1)
            self.assertNotEqual(self.big_body(d), 413)
            self.assertEqual(d.stop(), 0)
        finally:
            d.cleanup()


if __name__ == "__main__":
    main()
