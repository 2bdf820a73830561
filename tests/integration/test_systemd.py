"""The systemd side: the generated units pass `systemd-analyze verify`, the
service's exposure score is 1.5 or lower, and the daemon speaks sd_notify
(READY=1 after the store is open, WATCHDOG=1 from the loop, RELOADING=1,
STOPPING=1) and serves on a socket handed to it, as systemd would."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from palaute_test import PALAUTED, main

BUILDDIR = os.environ.get("PALAUTE_BUILDDIR", ".")
HAVE_SYSTEMD = os.environ.get("PALAUTE_HAVE_SYSTEMD") == "yes"
ANALYZE = shutil.which("systemd-analyze")
UNITS = ("palauted.service", "palauted.socket")
MAX_EXPOSURE = 1.5


def unit_path(name):
    return os.path.join(BUILDDIR, "systemd", name)


@unittest.skipIf(ANALYZE is None, "systemd-analyze is not installed")
class Units(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="palaute-units-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_units_are_generated_with_configured_paths(self):
        with open(unit_path("palauted.service")) as f:
            text = f.read()
        self.assertIsNone(re.search(r"@[a-z]+@", text), "unsubstituted")
        m = re.search(r"^ExecStart=(\S+)/palauted -f (\S+)$", text, re.M)
        self.assertIsNotNone(m, text)
        self.assertTrue(os.path.isabs(m.group(1)))
        self.assertTrue(m.group(2).endswith("/palaute/palauted.conf"))
        for needed in ("Type=notify", "WatchdogSec=", "DynamicUser=yes",
                       "StateDirectory=palaute", "LoadCredential=root.key:",
                       "RestrictAddressFamilies=AF_UNIX",
                       "Requires=palauted.socket"):
            self.assertIn(needed, text)

    def test_verify(self):
        # The binary is not installed yet: point ExecStart at the built one
        # (the only change), so verify checks everything else as it is.
        for name in UNITS:
            with open(unit_path(name)) as f:
                text = f.read()
            text = re.sub(r"^ExecStart=\S+/palauted ",
                          "ExecStart=%s " % os.path.abspath(PALAUTED), text,
                          flags=re.M)
            with open(os.path.join(self.tmp, name), "w") as f:
                f.write(text)
        p = subprocess.run(
            [ANALYZE, "verify", "--man=no"] +
            [os.path.join(self.tmp, n) for n in UNITS],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
            cwd=self.tmp)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        # verify prints what it finds wrong, even when it exits 0.
        lines = [l for l in out.splitlines() if "palauted" in l]
        self.assertEqual(lines, [], out)

    def test_security_score(self):
        p = subprocess.run(
            [ANALYZE, "security", "--offline=true", "--no-pager",
             unit_path("palauted.service")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
            cwd=self.tmp)
        out = p.stdout.decode()
        m = re.search(r"Overall exposure level for palauted\.service: "
                      r"([0-9.]+)", out)
        if m is None and "offline" in out.lower():
            self.skipTest("systemd-analyze has no --offline: " + out[:200])
        self.assertIsNotNone(m, out)
        score = float(m.group(1))
        print("exposure: %.1f" % score)
        self.assertLessEqual(score, MAX_EXPOSURE, out)


@unittest.skipUnless(HAVE_SYSTEMD, "built without libsystemd")
class Notify(unittest.TestCase):
    """systemd's side played by the test: a notify socket, a listening
    socket passed as fd 3 with LISTEN_FDS/LISTEN_PID, WATCHDOG_USEC."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="palaute-notify-")
        self.notify_path = os.path.join(self.tmp, "notify")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.notify.settimeout(0.2)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.messages = []
        self.log = []
        self.proc = None

    def tearDown(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.notify.close()
        self.listener.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self):
        fd = self.listener.fileno()

        def child():
            os.dup2(fd, 3)
            os.set_inheritable(3, True)

        env = dict(os.environ)
        env.update({"LISTEN_FDS": "1", "NOTIFY_SOCKET": self.notify_path,
                    "WATCHDOG_USEC": "400000"})
        # LISTEN_PID must be the daemon's own pid: sh execs into it.
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", 'LISTEN_PID=$$; export LISTEN_PID; exec "$@"',
             "sh", PALAUTED, "--dev", "-o", "listen=127.0.0.1:1"],
            # close_fds runs after preexec_fn: keep the 3 it made.
            cwd=self.tmp, env=env, preexec_fn=child, pass_fds=(3,),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for raw in iter(self.proc.stderr.readline, b""):
            self.log.append(raw.decode("utf-8", "replace").rstrip())

    def wait_for(self, what, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(what in m for m in self.messages):
                return True
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except socket.timeout:
                pass
        return False

    def get(self, path):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                   % path).encode())
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        return data

    def test_notify_watchdog_and_socket_activation(self):
        self.start()
        self.assertTrue(self.wait_for("READY=1"), self.log)
        # Served on the socket it was handed; `listen` (port 1) unused.
        self.assertTrue(self.get("/readyz").startswith(b"HTTP/1.1 200"))
        self.assertTrue(any("socket activation" in l for l in self.log),
                        self.log)
        # Fed every half WATCHDOG_USEC from the loop.
        n = sum("WATCHDOG=1" in m for m in self.messages)
        time.sleep(1.0)
        while True:
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except socket.timeout:
                break
        self.assertGreaterEqual(sum("WATCHDOG=1" in m
                                    for m in self.messages) - n, 3)
        self.proc.send_signal(signal.SIGHUP)
        self.assertTrue(self.wait_for("RELOADING=1"))
        ready = sum("READY=1" in m for m in self.messages)
        end = time.monotonic() + 5
        while sum("READY=1" in m for m in self.messages) == ready and \
                time.monotonic() < end:
            self.wait_for("\0", timeout=0.2)
        self.assertGreater(sum("READY=1" in m for m in self.messages), ready)
        self.proc.send_signal(signal.SIGTERM)
        self.assertTrue(self.wait_for("STOPPING=1"))
        self.assertEqual(self.proc.wait(10), 0)

    def test_no_ready_when_the_store_does_not_open(self):
        """READY=1 means the store is open: a daemon that cannot open it
        exits without saying it."""
        fd = self.listener.fileno()
        env = dict(os.environ)
        env.update({"NOTIFY_SOCKET": self.notify_path})
        p = subprocess.run(
            [PALAUTED, "-o", "state_dir=" + os.path.join(self.tmp, "none"),
             "-o", "listen=127.0.0.1:0"], cwd=self.tmp, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertFalse(self.wait_for("READY=1", timeout=0.5))
        del fd


if __name__ == "__main__":
    main()
