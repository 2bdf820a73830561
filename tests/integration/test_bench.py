"""The benchmarks' own tools, quickly: bench/disk-floor measures, prints
its result line and leaves nothing in the directory it measured; it
refuses bad arguments; bench/run-intake and bench/run-results load (their
full runs take minutes and are not tests)."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from palaute_test import SRCDIR, main

BUILDDIR = os.environ.get("PALAUTE_BUILDDIR")
RESULT_RE = re.compile(r"^RESULT (\{.*\})$", re.M)


@unittest.skipIf(BUILDDIR is None, "run from make check")
class DiskFloor(unittest.TestCase):
    def setUp(self):
        self.tool = os.path.join(BUILDDIR, "bench", "disk-floor")
        self.dir = tempfile.mkdtemp(prefix="palaute-disk-")

    def tearDown(self):
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def run_tool(self, *args):
        return subprocess.run([self.tool] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120)

    def test_measures_and_leaves_nothing(self):
        p = self.run_tool("-d", self.dir, "-s", "4M", "-r", "3")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        out = p.stdout.decode()
        m = RESULT_RE.search(out)
        self.assertIsNotNone(m, out)
        r = json.loads(m.group(1))
        self.assertEqual(set(r), {"floor_ms", "page_us", "contig_page_us",
                                  "file_mib", "rounds"})
        self.assertGreater(r["floor_ms"], 0)
        self.assertEqual(r["file_mib"], 4)
        self.assertEqual(r["rounds"], 3)
        # One table row per commit size, 0 to 200 pages.
        rows = re.findall(r"^\s+(\d+)\s+[\d.]+\s+[\d.]+$", out, re.M)
        self.assertEqual(rows, ["0", "10", "25", "50", "100", "200"])
        self.assertEqual(os.listdir(self.dir), [])

    def test_bad_arguments(self):
        for args in (["-r", "1"], ["-r", "x"], ["-s", "1k"], ["-s", "2T"],
                     ["extra"], ["-q"]):
            p = self.run_tool("-d", self.dir, *args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(b"usage: disk-floor", p.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_missing_directory(self):
        missing = os.path.join(self.dir, "missing")
        p = self.run_tool("-d", missing, "-s", "4M", "-r", "3")
        self.assertEqual(p.returncode, 1)
        self.assertIn(missing.encode(), p.stderr)
        self.assertIn(b"No such file or directory", p.stderr)


class Scripts(unittest.TestCase):
    def test_help(self):
        for name in ("run-intake", "run-results"):
            p = subprocess.run([sys.executable,
                                os.path.join(SRCDIR, "bench", name), "--help"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            self.assertIn(b"usage:", p.stdout)


if __name__ == "__main__":
    main()
