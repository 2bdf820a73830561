"""make install DESTDIR=...: the binaries, the man pages, the systemd units
and the web clients land where configure said, and the installed daemon,
on a store made by the installed palautectl, serves the installed clients
(the compiled-in www_dir is the installed location)."""
import os
import shutil
import subprocess
import tempfile
import unittest

import palaute_test
from palaute_test import SRCDIR, Daemon, main

BUILDDIR = os.environ.get("PALAUTE_BUILDDIR")
MAKE = os.environ.get("MAKE", "make")
HAVE_SYSTEMD = os.environ.get("PALAUTE_HAVE_SYSTEMD") == "yes"


def find(root, suffix):
    """Paths under root ending in suffix (a relative path)."""
    hits = []
    for d, dirs, files in os.walk(root):
        for name in files + dirs:
            p = os.path.join(d, name)
            if p.endswith(os.sep + suffix):
                hits.append(p)
    return hits


@unittest.skipIf(BUILDDIR is None, "run from make check")
class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.destdir = tempfile.mkdtemp(prefix="palaute-install-")
        env = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        p = subprocess.run([MAKE, "-s", "-C", BUILDDIR, "install",
                            "DESTDIR=" + cls.destdir],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env, timeout=300)
        cls.install_log = p.stdout.decode()
        cls.install_rc = p.returncode

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.destdir, ignore_errors=True)

    def one(self, suffix):
        hits = find(self.destdir, suffix)
        self.assertEqual(len(hits), 1, "%s: %r" % (suffix, hits))
        return hits[0]

    def test_files(self):
        self.assertEqual(self.install_rc, 0, self.install_log)
        for suffix in ("sbin/palauted", "bin/palautectl"):
            self.assertTrue(os.access(self.one(suffix), os.X_OK))
        for suffix in ("man8/palauted.8", "man1/palautectl.1",
                       "man5/palauted.conf.5"):
            self.assertGreater(os.path.getsize(self.one(suffix)), 500)
        units = [find(self.destdir, "systemd/system/" + u)
                 for u in ("palauted.service", "palauted.socket")]
        if HAVE_SYSTEMD:
            for u in units:
                self.assertEqual(len(u), 1, units)
            with open(units[0][0]) as f:
                service = f.read()
            sbin = self.one("sbin/palauted")[len(self.destdir):]
            self.assertIn("ExecStart=%s -f " % sbin, service)
        else:
            self.assertEqual(units, [[], []])

    def test_web_clients_installed(self):
        www = self.one("palaute/www")
        src = os.path.join(SRCDIR, "clients", "www")
        count = 0
        for d, _, files in os.walk(src):
            for name in files:
                rel = os.path.relpath(os.path.join(d, name), src)
                with open(os.path.join(src, rel), "rb") as a, \
                        open(os.path.join(www, rel), "rb") as b:
                    self.assertEqual(a.read(), b.read(), rel)
                count += 1
        self.assertGreater(count, 0)

    def test_installed_daemon_serves_installed_clients(self):
        www = self.one("palaute/www")
        palauted = self.one("sbin/palauted")
        palautectl = self.one("bin/palautectl")
        # The default www_dir compiled into the daemon is where the files
        # went (less DESTDIR): installed, it finds them with no option.
        # (config.c builds it as PALAUTE_DATADIR "/www".)
        default = www[len(self.destdir):]
        self.assertTrue(default.endswith("/www"))
        with open(palauted, "rb") as f:
            found = (default[:-4].encode() + b"\0") in f.read()
        self.assertTrue(found, "%s is not compiled in" % default[:-4])
        work = tempfile.mkdtemp(prefix="palaute-installed-")
        try:
            store = os.path.join(work, "store")
            p = subprocess.run([palautectl, "-d", store, "init"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            self.assertEqual(p.returncode, 0, p.stdout)
            # Only DESTDIR is added to the path the daemon would use.
            d = Daemon("-o", "state_dir=" + store, "-o",
                       "kek_file=" + os.path.join(store, "kek"), "-o",
                       "www_dir=" + self.destdir + default, dev=False,
                       workdir=work)
            d.owns_workdir = False
            saved = palaute_test.PALAUTED
            palaute_test.PALAUTED = palauted
            try:
                d.start()
            finally:
                palaute_test.PALAUTED = saved
            try:
                served = 0
                for client in ("kiosk", "dashboard", "form"):
                    index = os.path.join(www, client, "index.html")
                    if not os.path.exists(index):
                        continue
                    r = d.get("/%s/" % client)
                    if r.status == 404 and client == "form":
                        continue  # the form is served as /f/<slug>
                    self.assertEqual(r.status, 200, (client, r))
                    with open(index, "rb") as f:
                        self.assertEqual(r.body, f.read(), client)
                    served += 1
                self.assertGreaterEqual(served, 2)
            finally:
                self.assertEqual(d.stop(), 0)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
