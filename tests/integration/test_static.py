"""The web clients' files and the QR route over HTTP, against the real
daemon: what is served and with which headers, every way of climbing out
of the served folders (plain and encoded dot segments, encoded slashes and
backslashes, NUL, hidden files, symlinks) ending in 404, and QR codes that
parse as SVG with the module count of their version."""
import os
import re
import shutil
import tempfile
import unittest
import xml.etree.ElementTree as ET

from palaute_test import (SRCDIR, DaemonTest, SharedDaemonTest, login_token,
                          main)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' blob:; connect-src 'self'; font-src 'self'; "
       "worker-src 'self'; manifest-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECRET = b"the secret outside the web root"
CHARTJS = "/usr/share/javascript/chart.js"


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Served(SharedDaemonTest):
    """The source tree's clients, as --dev serves them."""

    def www(self, *parts):
        return os.path.join(SRCDIR, "clients", "www", *parts)

    def test_pages(self):
        for path, file in (("/kiosk/", ("kiosk", "index.html")),
                           ("/kiosk/index.html", ("kiosk", "index.html")),
                           ("/kiosk/kiosk.js", ("kiosk", "kiosk.js")),
                           ("/dashboard/", ("dashboard", "index.html")),
                           ("/assets/palaute.css", ("assets", "palaute.css")),
                           ("/f/assets/form.js", ("form", "form.js")),
                           ("/f/AbCdEf123_-x", ("form", "index.html")),
                           ("/f/no-such-slug", ("form", "index.html"))):
            r = self.d.get(path)
            self.assertEqual(r.status, 200, (path, r))
            self.assertEqual(r.body, read(self.www(*file)), path)
            self.assertEqual(r.header("Content-Security-Policy"), CSP, path)
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            self.assertEqual(r.header("Cache-Control"), "no-cache", path)
            self.assertTrue(r.header("ETag"), path)

    def test_content_types(self):
        for path, ctype in (("/kiosk/", "text/html; charset=utf-8"),
                            ("/kiosk/kiosk.js",
                             "text/javascript; charset=utf-8"),
                            ("/kiosk/kiosk.css", "text/css; charset=utf-8"),
                            ("/assets/favicon.svg", "image/svg+xml"),
                            ("/kiosk/manifest.webmanifest",
                             "application/manifest+json"),
                            ("/kiosk/icon-192.png", "image/png")):
            self.assertEqual(self.d.get(path).header("Content-Type"), ctype,
                             path)

    def test_no_inline_scripts(self):
        """The pages keep to their CSP: scripts come from files only."""
        for client in ("kiosk", "form", "dashboard"):
            html = read(self.www(client, "index.html")).decode()
            for tag in re.findall(r"<script\b[^>]*>", html):
                self.assertIn("src=", tag, client)
            self.assertNotRegex(html, r"<script\b[^>]*>\s*[^<\s]", client)
            self.assertNotRegex(html, r"\son[a-z]+=", client)
            self.assertNotIn("style=", html, client)
            # No third-party requests: every URL is of this site.
            self.assertNotRegex(html, r"(src|href)=\"(https?:)?//", client)

    def test_redirects(self):
        for path, where in (("/", "/dashboard/"), ("/kiosk", "/kiosk/"),
                            ("/kiosk?code=ABCDE-FGHJK",
                             "/kiosk/?code=ABCDE-FGHJK"),
                            ("/dashboard", "/dashboard/")):
            r = self.d.get(path)
            self.assertEqual(r.status, 302, path)
            self.assertEqual(r.header("Location"), where, path)

    def test_revalidation(self):
        r = self.d.get("/kiosk/kiosk.js")
        etag = r.header("ETag")
        r2 = self.d.get("/kiosk/kiosk.js", headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)
        self.assertEqual(r2.body, b"")
        r3 = self.d.get("/kiosk/kiosk.js",
                        headers={"If-None-Match": 'W/"0-0"'})
        self.assertEqual(r3.status, 200)

    def test_head(self):
        r = self.d.request("HEAD", "/kiosk/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_api_replies_stay_uncached(self):
        r = self.d.get("/healthz")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual([k for k, _ in r.headers].count("Cache-Control"), 1)
        r = self.d.get("/kiosk/")
        self.assertEqual([k for k, _ in r.headers].count("Cache-Control"), 1)

    def test_traversal_is_404(self):
        for path in ("/kiosk/../dashboard/index.html",
                     "/kiosk/%2e%2e/dashboard/index.html",
                     "/kiosk/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
                     "/kiosk/..%2fdashboard%2findex.html",
                     "/kiosk/..%2Fdashboard/index.html",
                     "/kiosk/..%5cdashboard%5cindex.html",
                     "/kiosk/%252e%252e/dashboard/index.html",
                     "/kiosk/./index.html",
                     "/kiosk//index.html",
                     "/kiosk/index.html%00.js",
                     "/kiosk/index.html%00",
                     "/kiosk/.hidden.js",
                     "/kiosk/kiosk.js~",
                     "/kiosk/nothing.js",
                     "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                     "/f/assets/../kiosk/index.html",
                     "/f/assets/%2e%2e/%2e%2e/configure.ac",
                     "/vendor/chart.js/..%2f..%2f..%2fetc%2fpasswd",
                     "/vendor/chart.js/../../../../etc/passwd",
                     "/dashboard/%2e%2e%2f%2e%2e%2fMakefile.am"):
            r = self.d.get(path)
            self.assertEqual(r.status, 404, (path, r))
            self.assertNotIn(b"root:", r.body, path)
            self.assertEqual(r.header("Content-Type"), "application/json")

    def test_methods(self):
        r = self.d.request("POST", "/kiosk/", body={})
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.header("Allow"))

    @unittest.skipUnless(os.path.isdir(CHARTJS), "libjs-chart.js missing")
    def test_chartjs(self):
        r = self.d.get("/vendor/chart.js/chart.min.js")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, read(os.path.join(CHARTJS, "chart.min.js")))
        self.assertEqual(r.header("Cache-Control"), "public, max-age=86400")


class Symlinks(DaemonTest):
    """A www_dir of our own with links into and out of it."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="palaute-www-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.secret = os.path.join(self.tmp, "secret.txt")
        with open(self.secret, "wb") as f:
            f.write(SECRET)
        www = os.path.join(self.tmp, "www")
        kiosk = os.path.join(www, "kiosk")
        os.makedirs(kiosk)
        os.makedirs(os.path.join(www, "form"))
        with open(os.path.join(kiosk, "index.html"), "wb") as f:
            f.write(b"<!doctype html><title>k</title>")
        with open(os.path.join(kiosk, "app.js"), "wb") as f:
            f.write(b"export {};")
        os.symlink("../../secret.txt", os.path.join(kiosk, "rel.js"))
        os.symlink(self.secret, os.path.join(kiosk, "abs.txt"))
        os.symlink("/etc/passwd", os.path.join(kiosk, "passwd.txt"))
        os.symlink("..", os.path.join(kiosk, "up"))
        os.symlink(self.tmp, os.path.join(kiosk, "tmp"))
        os.symlink("app.js", os.path.join(kiosk, "same.js"))
        self.daemon_args = ("-o", "www_dir=" + www)
        super().setUp()

    def test_links_out_are_404(self):
        for path in ("/kiosk/rel.js", "/kiosk/abs.txt", "/kiosk/passwd.txt",
                     "/kiosk/tmp/secret.txt", "/kiosk/up/form/index.html",
                     "/kiosk/up/up/secret.txt"):
            r = self.d.get(path)
            self.assertEqual(r.status, 404, (path, r))
            self.assertNotIn(SECRET, r.body)
            self.assertNotIn(b"root:", r.body)

    def test_links_inside_are_served(self):
        r = self.d.get("/kiosk/same.js")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"export {};")
        self.assertEqual(self.d.get("/kiosk/").status, 200)
        self.assertEqual(self.d.get("/dashboard/").status, 404)


class Qr(SharedDaemonTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        token = cls.admin.token
        units = cls.d.get("/api/v1/units", token=token).json()["units"]
        r = cls.d.post("/api/v1/users", {"username": "manager1",
                                         "password": "a-long-password-1",
                                         "role": "manager",
                                         "units": [units[0]["id"]]},
                       token=token)
        assert r.status == 201, r
        cls.manager = login_token(cls.d, "manager1", "a-long-password-1")

    def qr(self, text, token=None):
        from urllib.parse import quote
        return self.d.get("/api/v1/qr.svg?text=" + quote(text, safe=""),
                          token=token or self.token)

    def test_access(self):
        url = "http://palaute.example/kiosk/?code=ABCDE-FGHJK"
        self.assertEqual(self.d.get("/api/v1/qr.svg?text=x").status, 401)
        self.assertEqual(self.qr(url, token=self.manager).status, 403)

    def test_refused_texts(self):
        for text in ("", "just some words", "https://evil.example/login",
                     "https://palaute.example/dashboard/",
                     "javascript:alert(1)",
                     "https://palaute.example/f/" + "a" * 600):
            r = self.qr(text)
            self.assertEqual(r.status, 422, (text, r))
            self.assertEqual(r.json()["error"]["field"], "text")
        self.assertEqual(self.d.get("/api/v1/qr.svg", token=self.token)
                         .status, 400)

    def test_svg(self):
        ns = "{http://www.w3.org/2000/svg}"
        for text in ("http://127.0.0.1:8080/kiosk/?code=ABCDE-FGHJK",
                     "https://palaute.example.fi/f/" + "x" * 22,
                     "https://palaute.example.fi/f/" + "y" * 300):
            r = self.qr(text)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("Content-Type"), "image/svg+xml")
            root = ET.fromstring(r.body)
            self.assertEqual(root.tag, ns + "svg")
            _, _, side, side2 = map(int, root.get("viewBox").split())
            self.assertEqual(side, side2)
            width = side - 8  # four modules of quiet zone each side
            self.assertEqual((width - 17) % 4, 0, "17 + 4 x version")
            self.assertTrue(1 <= (width - 17) // 4 <= 40)
            path = root.find(ns + "path").get("d")
            dark = set()
            for x, y, n, n2 in re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z",
                                          path):
                self.assertEqual(n, n2)
                for i in range(int(n)):
                    dark.add((int(x) + i, int(y)))
            self.assertEqual("".join(re.findall(
                r"M\d+ \d+h\d+v1h-\d+z", path)), path)
            # Inside the quiet zone only, and the three finder patterns'
            # outer rings are there: 7 dark modules along each edge.
            for x, y in dark:
                self.assertTrue(4 <= x < 4 + width and 4 <= y < 4 + width)
            for ox, oy in ((4, 4), (4 + width - 7, 4), (4, 4 + width - 7)):
                for i in range(7):
                    self.assertIn((ox + i, oy), dark)
                    self.assertIn((ox, oy + i), dark)
                    self.assertIn((ox + 6, oy + i), dark)
                    self.assertNotIn((ox + 1, oy + 1), dark)


if __name__ == "__main__":
    main()
