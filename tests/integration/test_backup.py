"""palautectl backup while submissions stream in, verify on the copy,
restore into an empty directory (and never into a used one), and the
commands that must not run beside palauted: purge and rotate-kek."""
import os
import shutil
import subprocess
import tempfile
import threading
import time

from ops_support import Form
from palaute_test import PALAUTECTL, Daemon, DaemonTest, main


def ctl(*args, timeout=120):
    p = subprocess.run([PALAUTECTL] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def fields(out):
    f = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        f[k] = int(v) if v.isdigit() else v
    return f


class Backup(DaemonTest):
    daemon_args = ("-o", "form_rate=1000000")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="palaute-backup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        super().setUp()
        self.form = Form(self.d)
        self.state = self.d.state_dir
        self.kek = os.path.join(self.state, "kek")

    def load(self, stop, counts):
        """Submit until stop is set (bounded by count and time)."""
        end = time.monotonic() + 60
        while not stop.is_set() and counts["sent"] < 3000 and \
                time.monotonic() < end:
            r = self.form.submit(comment="kommentti")
            counts["sent"] += 1
            counts[r.status] = counts.get(r.status, 0) + 1

    def test_backup_under_load_then_verify_and_restore(self):
        stop = threading.Event()
        counts = {"sent": 0}
        writers = [threading.Thread(target=self.load, args=(stop, counts))
                   for _ in range(3)]
        for t in writers:
            t.start()
        try:
            while counts.get(201, 0) < 50:
                time.sleep(0.05)
            backups = []
            for i in range(2):  # two copies, each amid the writes
                dest = os.path.join(self.tmp, "b%d" % i)
                rc, out, err = ctl("-d", self.state, "backup", dest)
                self.assertEqual(rc, 0, err)
                backups.append(dest)
                time.sleep(0.2)
        finally:
            stop.set()
            for t in writers:
                t.join(90)
        self.assertEqual(set(counts) - {"sent"}, {201}, counts)
        # A KEK is not part of a backup; the one of the day opens it.
        self.assertEqual(sorted(os.listdir(backups[0])), ["data.mdb"])
        for b in backups:
            rc, out, err = ctl("-d", b, "-k", self.kek, "verify")
            f = fields(out)
            self.assertEqual(rc, 0, out + err)
            self.assertEqual(f["result"], "ok")
            self.assertGreaterEqual(f["responses"], 50)
            self.assertEqual(f["unreadable"], 0)
        # The second copy has at least what the first had.
        first = fields(ctl("-d", backups[0], "-k", self.kek, "verify")[1])
        second = fields(ctl("-d", backups[1], "-k", self.kek, "verify")[1])
        self.assertGreaterEqual(second["responses"], first["responses"])

        # A backup never goes into a used directory.
        rc, _, err = ctl("-d", self.state, "backup", backups[0])
        self.assertNotEqual(rc, 0)
        self.assertIn("not empty", err)

        # Restore into a directory that does not exist yet.
        target = os.path.join(self.tmp, "restored")
        rc, out, err = ctl("-d", target, "restore", backups[1], self.kek)
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(os.listdir(target)), ["data.mdb", "kek"])
        self.assertEqual(os.stat(os.path.join(target, "kek")).st_mode & 0o777,
                         0o600)
        rc, out, err = ctl("-d", target, "verify")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(fields(out)["responses"], second["responses"])
        # ... and into an empty one.
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        rc, out, err = ctl("-d", empty, "restore", backups[0], self.kek)
        self.assertEqual(rc, 0, err)
        # Never over a store: the target stays as it was.
        before = sorted(os.listdir(target))
        rc, _, err = ctl("-d", target, "restore", backups[0], self.kek)
        self.assertNotEqual(rc, 0)
        self.assertIn("not empty", err)
        self.assertEqual(sorted(os.listdir(target)), before)
        # A wrong key leaves nothing behind.
        wrong = os.path.join(self.tmp, "wrong.key")
        self.assertEqual(ctl("keygen", wrong)[0], 0)
        bad = os.path.join(self.tmp, "bad")
        rc, _, err = ctl("-d", bad, "restore", backups[0], wrong)
        self.assertNotEqual(rc, 0)
        self.assertFalse(os.path.exists(bad))
        self.assertEqual([n for n in os.listdir(self.tmp)
                          if ".restore-" in n or ".partial-" in n], [])

        # The restored store serves.
        d2 = Daemon("-o", "state_dir=" + target, "-o", "kek_file=kek",
                    dev=False, workdir=self.tmp)
        d2.owns_workdir = False
        d2.start()
        try:
            self.assertEqual(d2.get("/readyz").status, 200)
            self.assertEqual(d2.get("/api/v1/forms/%s"
                                    % self.form.slug).status, 200)
        finally:
            self.assertEqual(d2.stop(), 0)

    def test_purge_and_rotate_refuse_beside_the_daemon(self):
        for cmd in ("purge", "rotate-kek"):
            rc, _, err = ctl("-d", self.state, cmd)
            self.assertNotEqual(rc, 0, cmd)
            self.assertIn("palauted is running", err)
        # A second daemon on the same store is refused as well.
        d2 = Daemon(workdir=self.d.workdir)
        d2.owns_workdir = False
        with self.assertRaises(RuntimeError):
            d2.start(timeout=5)
        self.assertIn("another palauted", d2.log())

    def test_purge_with_the_daemon_stopped(self):
        self.assertEqual(self.form.submit().status, 201)
        self.assertEqual(self.d.stop(), 0)
        rc, out, err = ctl("-d", self.state, "purge")
        self.assertEqual(rc, 0, err)
        f = fields(out)
        # Today's responses are inside every retention: nothing is due,
        # so the KEK stays (the fake-clock cases are test_retention's).
        self.assertGreaterEqual(f["surveys"], 1)
        self.assertEqual(f["months_purged"], 0)
        self.assertEqual(f["kek_rotated"], "no")
        rc, out, err = ctl("-d", self.state, "verify")
        self.assertEqual(rc, 0, out + err)
        self.assertGreaterEqual(fields(out)["responses"], 1)

    def test_rotate_kek_then_restart(self):
        self.assertEqual(self.form.submit().status, 201)
        old = os.path.join(self.tmp, "b-old")
        self.assertEqual(ctl("-d", self.state, "backup", old)[0], 0)
        with open(self.kek, "rb") as f:
            oldkek = f.read()
        self.assertEqual(self.d.stop(), 0)
        rc, out, err = ctl("-d", self.state, "rotate-kek")
        self.assertEqual(rc, 0, err)
        with open(self.kek, "rb") as f:
            self.assertNotEqual(f.read(), oldkek)
        self.assertEqual(os.stat(self.kek).st_mode & 0o777, 0o600)
        # The daemon starts with the new key file ...
        d2 = Daemon("-o", "form_rate=1000000", workdir=self.d.workdir)
        d2.owns_workdir = False
        d2.start()
        try:
            self.assertEqual(d2.post(self.form.path,
                                     body=self.form.body()).status, 201)
        finally:
            self.assertEqual(d2.stop(), 0)
        rc, out, err = ctl("-d", self.state, "verify")
        self.assertEqual(rc, 0, out + err)
        # ... and the backup from before opens only with the old one.
        rc, _, err = ctl("-d", old, "-k", self.kek, "verify")
        self.assertNotEqual(rc, 0)
        oldpath = os.path.join(self.tmp, "kek-old")
        with open(os.open(oldpath, os.O_WRONLY | os.O_CREAT, 0o600),
                  "wb") as f:
            f.write(oldkek)
        rc, out, err = ctl("-d", old, "-k", oldpath, "verify")
        self.assertEqual(rc, 0, out + err)


if __name__ == "__main__":
    main()
