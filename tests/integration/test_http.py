"""HTTP at the edges, over raw sockets: HEAD on a kept-alive connection,
ambiguous framing, the error envelope of every refusal (also of requests
that evhttp could not parse), canonical ids in paths and the rate limits
of the public GET routes."""
import json
import socket
import time
import uuid

from ops_support import Form, connect
from palaute_test import (Admin, DaemonTest, SharedDaemonTest, login_token,
                          main)


class Raw:
    """One client connection that sends bytes and parses replies."""

    def __init__(self, d, timeout=5):
        self.s = connect(d, timeout)
        self.buf = b""

    def close(self):
        self.s.close()

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError("connection closed; %r unparsed" % self.buf)
        self.buf += chunk

    def reply(self, head=False):
        """The next reply: (status, {lower name: [values]}, body). With
        head=True no body is read, whatever Content-Length says."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        top, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = top.decode("latin-1").split("\r\n")
        proto, status = lines[0].split(" ")[:2]
        if not proto.startswith("HTTP/1."):
            raise AssertionError("not a status line: %r" % lines[0])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        n = 0 if head else int(headers.get("content-length", ["0"])[0])
        while len(self.buf) < n:
            self._fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return int(status), headers, body

    def closed(self, timeout=5):
        """True once the server closed the connection (nothing else came)."""
        self.s.settimeout(timeout)
        try:
            while True:
                chunk = self.s.recv(65536)
                if not chunk:
                    return self.buf == b""
                self.buf += chunk
        except (ConnectionResetError, socket.timeout):
            return False


def request(method, path, headers=(), body=b""):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: x"]
    lines += ["%s: %s" % h for h in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class HttpCase(DaemonTest):
    def envelope(self, reply, status, code, field=None):
        """reply is the JSON error envelope of DESIGN section 7."""
        st, hdrs, body = reply
        self.assertEqual(st, status, body)
        self.assertEqual(hdrs.get("content-type"), ["application/json"])
        self.assertEqual(hdrs.get("x-content-type-options"), ["nosniff"])
        self.assertEqual(hdrs.get("cache-control"), ["no-store"])
        doc = json.loads(body)
        self.assertEqual(set(doc), {"error"})
        self.assertEqual(set(doc["error"]), {"code", "message", "field"})
        self.assertEqual(doc["error"]["code"], code, body)
        self.assertEqual(doc["error"]["field"], field, body)
        self.assertTrue(doc["error"]["message"])
        return doc["error"]


class Head(HttpCase):
    def test_head_then_get_on_one_connection(self):
        form = Form(self.d)
        paths = ["/healthz", "/api/v1/openapi.json",
                 "/api/v1/forms/%s" % form.slug, "/kiosk/",
                 "/nope", "/api/v1/units", "/api/v1/units/x",
                 "/api/v1/session"]
        for path in paths:
            c = Raw(self.d)
            try:
                c.send(request("HEAD", path) + request("GET", path))
                st1, h1, _ = c.reply(head=True)
                st2, h2, body = c.reply()
                self.assertEqual(st1, st2, path)
                self.assertEqual(h1.get("content-length"),
                                 [str(len(body))], path)
                self.assertEqual(h1.get("content-type"),
                                 h2.get("content-type"), path)
                # Nothing else came: the HEAD reply had no body.
                c.send(request("GET", "/healthz"))
                self.assertEqual(c.reply()[0], 200, path)
                self.assertEqual(c.buf, b"", path)
            finally:
                c.close()


class Fields(HttpCase):
    def test_field_is_null_when_none_applies(self):
        for r in (self.d.get("/nope"), self.d.post("/healthz", body={}),
                  self.d.get("/api/v1/units")):
            err = self.error(r, r.status, r.json()["error"]["code"])
            self.assertIn("field", err)
            self.assertIsNone(err["field"])
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            self.assertEqual(r.header("Cache-Control"), "no-store")


class PathIds(SharedDaemonTest):
    def test_ids_are_canonical_decimal(self):
        unit = self.admin.unit()
        r = self.api("GET", "/api/v1/units/%d" % unit, token=self.token)
        self.assertEqual(r.status, 200, r)
        for bad in ("0%d" % unit, "+%d" % unit, "%%2b%d" % unit,
                    "%d.0" % unit, "%%20%d" % unit, "%d%%20" % unit,
                    "0", "-1", "4294967296", "1e1", "0x1", "%d " % unit):
            path = "/api/v1/units/" + bad.replace(" ", "%20")
            self.error(self.api("GET", path, token=self.token), 400,
                       "bad_request", "id")


class PublicGetLimits(DaemonTest):
    daemon_args = ("-o", "form_rate=3", "-o", "kiosk_rate=3")

    def test_form_definition_is_rate_limited(self):
        form = Form(self.d)
        path = "/api/v1/forms/%s" % form.slug
        codes = [self.d.get(path).status for _ in range(6)]
        self.assertEqual(codes[:3], [200] * 3, codes)
        r = self.d.get(path)
        self.error(r, 429, "rate_limited")
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)

    def test_kiosk_survey_is_rate_limited(self):
        admin = Admin(self.d)
        unit = admin.unit()
        survey = admin.survey()
        c = admin.collector(survey, unit, "kiosk")
        r = self.d.post("/api/v1/kiosk/enroll",
                        body={"code": c["enrollment_code"]})
        self.assertEqual(r.status, 201, r)
        token = r.json()["device_token"]
        codes = [self.d.get("/api/v1/kiosk/survey", token=token).status
                 for _ in range(6)]
        self.assertEqual(codes[:3], [200] * 3, codes)
        r = self.d.get("/api/v1/kiosk/survey", token=token)
        self.error(r, 429, "rate_limited")
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)


if __name__ == "__main__":
    main()
