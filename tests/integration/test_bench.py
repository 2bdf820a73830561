"""The benchmarks' own tools, quickly: bench/disk-floor measures, prints
its result line and leaves nothing in the directory it measured; it
refuses bad arguments; bench/http-floor answers requests with bodies,
kept alive and pipelined, in both its modes; bench/durable-floor stores
what it acknowledges, sealed, and refuses what is not a JSON object;
bench/run-intake and bench/run-results load (their full runs take
minutes and are not tests)."""
import json
import os
import re
import shutil
import socket
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


@unittest.skipIf(BUILDDIR is None, "run from make check")
class HttpFloor(unittest.TestCase):
    def setUp(self):
        self.tool = os.path.join(BUILDDIR, "bench", "http-floor")

    def test_answers_in_both_modes(self):
        # A blank line inside the body: only its length says where it ends.
        body = b'{"id":"x",\r\n\r\n"answers":{"visit":4}}'
        req = (b"POST /x HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\n"
               b"content-length: %d\r\n\r\n%s" % (len(body), body))
        for mode in ("evhttp", "bare"):
            p = subprocess.Popen([self.tool, "-m", mode],
                                 stdout=subprocess.PIPE)
            try:
                line = p.stdout.readline().decode()
                m = re.match(r"listening on http://127\.0\.0\.1:(\d+)/$",
                             line)
                self.assertIsNotNone(m, line)
                s = socket.create_connection(("127.0.0.1", int(m[1])),
                                             timeout=10)
                # Two at once, the second split: each gets its reply.
                s.sendall(req + req[:20])
                s.sendall(req[20:])
                got = b""
                while got.count(b"\r\n\r\n") < 2:
                    chunk = s.recv(4096)
                    self.assertTrue(chunk, got)
                    got += chunk
                # Two requests, two replies: nothing more comes.
                s.settimeout(0.5)
                with self.assertRaises(socket.timeout):
                    got += s.recv(4096)
                s.close()
                self.assertEqual(got.count(b"\r\n\r\n"), 2, got)
                for reply in got.split(b"\r\n\r\n")[:2]:
                    head = reply.decode().lower()
                    self.assertTrue(head.startswith("http/1.1 204"), head)
                    for h in ("cache-control: no-store",
                              "x-content-type-options: nosniff",
                              "referrer-policy: no-referrer", "date: "):
                        self.assertIn(h, head, mode)
            finally:
                p.kill()
                p.wait()

    def test_bad_arguments(self):
        for args in ([], ["-m", "x"], ["-m", "bare", "-p", "70000"],
                     ["-m", "bare", "extra"], ["-q"]):
            p = subprocess.run([self.tool] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(b"usage: http-floor", p.stderr)


def request(body, method=b"POST"):
    return (b"%s /x HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (method, len(body), body))


def replies(s, n):
    """n replies with their bodies (each has a Content-Length), then
    nothing more for half a second."""
    got, out = b"", []
    while len(out) < n:
        end = got.find(b"\r\n\r\n")
        if end >= 0:
            head = got[:end].decode()
            m = re.search(r"(?im)^content-length: (\d+)\r?$", head)
            size = end + 4 + (int(m[1]) if m else 0)
            if len(got) >= size:
                out.append((head, got[end + 4:size]))
                got = got[size:]
                continue
        chunk = s.recv(4096)
        if not chunk:
            raise AssertionError("closed after %d replies" % len(out))
        got += chunk
    s.settimeout(0.5)
    try:
        more = s.recv(4096)
    except socket.timeout:
        more = b""
    if got or more:
        raise AssertionError("more than %d replies: %r" % (n, got + more))
    return out


@unittest.skipIf(BUILDDIR is None, "run from make check")
@unittest.skipIf(shutil.which("mdb_stat") is None, "lmdb-utils")
class DurableFloor(unittest.TestCase):
    def setUp(self):
        self.tool = os.path.join(BUILDDIR, "bench", "durable-floor")
        self.dir = tempfile.mkdtemp(prefix="palaute-durable-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def entries(self):
        p = subprocess.run(["mdb_stat", self.dir], stdout=subprocess.PIPE,
                           check=True, timeout=30)
        return int(re.search(rb"Entries: (\d+)", p.stdout)[1])

    def test_stores_what_it_acknowledges(self):
        p = subprocess.Popen([self.tool, "-d", self.dir],
                             stdout=subprocess.PIPE)
        try:
            line = p.stdout.readline().decode()
            m = re.match(r"listening on http://127\.0\.0\.1:(\d+)/$", line)
            self.assertIsNotNone(m, line)
            s = socket.create_connection(("127.0.0.1", int(m[1])),
                                         timeout=10)
            marker = b"findable-plain-text"
            good = request(b'{"answers":{"visit":4},"c":"%s"}' % marker)
            # Two pipelined, the second split: both stored, then replied.
            s.sendall(good + good[:30])
            s.sendall(good[30:])
            for head, body in replies(s, 2):
                self.assertTrue(head.startswith("HTTP/1.1 201"), head)
                for h in ("content-type: application/json",
                          "cache-control: no-store",
                          "x-content-type-options: nosniff",
                          "referrer-policy: no-referrer", "date: "):
                    self.assertIn(h, head.lower())
                self.assertEqual(json.loads(body)["duplicate"], False)
            self.assertEqual(self.entries(), 2)
            # Not JSON, not an object, not a POST: 400, nothing stored.
            for bad in (request(b'{"a":'), request(b"[1]"),
                        request(b'{"a":1,"a":2}'),
                        request(b"{}", method=b"PUT")):
                s.settimeout(10)
                s.sendall(bad)
                (head, _), = replies(s, 1)
                self.assertTrue(head.startswith("HTTP/1.1 400"), head)
            self.assertEqual(self.entries(), 2)
            s.close()
        finally:
            p.kill()
            p.wait()
        with open(os.path.join(self.dir, "data.mdb"), "rb") as f:
            self.assertNotIn(marker, f.read())

    def test_bad_arguments(self):
        for args in ([], ["-d"], ["-d", self.dir, "-p", "70000"],
                     ["-d", self.dir, "extra"], ["-q"]):
            p = subprocess.run([self.tool] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(b"usage: durable-floor", p.stderr)
        missing = os.path.join(self.dir, "missing")
        p = subprocess.run([self.tool, "-d", missing], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn(missing.encode(), p.stderr)
        self.assertEqual(os.listdir(self.dir), [])


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
