"""HTTP at the edges, over raw sockets: HEAD on a kept-alive connection,
ambiguous framing, the error envelope of every refusal (also of requests
that evhttp could not parse), canonical ids in paths and the rate limits
of the public GET routes."""
import calendar
import json
import socket
import struct
import time
import uuid

from ops_support import Form, connect
from palaute_test import (Admin, DaemonTest, SharedDaemonTest, admin_password,
                          login_token, main)


class Raw:
    """One client connection that sends bytes and parses replies."""

    def __init__(self, d, timeout=5, rcvbuf=None):
        if rcvbuf is None:
            self.s = connect(d, timeout)
        else:
            # Before connecting: the window is agreed then.
            self.s = socket.socket()
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.s.settimeout(timeout)
            self.s.connect((d.host, d.port))
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


class Dates(HttpCase):
    """Every reply has one Date, of now, in the form RFC 9110 fixes, also
    to an HTTP/1.0 request (evhttp left it out there)."""

    def date(self, reply, status):
        st, hdrs, body = reply
        self.assertEqual(st, status, body)
        self.assertEqual(len(hdrs.get("date", [])), 1, hdrs)
        date = hdrs["date"][0]
        self.assertRegex(date, r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d "
                         r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|"
                         r"Dec) \d{4} \d\d:\d\d:\d\d GMT$")
        when = calendar.timegm(time.strptime(date,
                                             "%a, %d %b %Y %H:%M:%S GMT"))
        self.assertLessEqual(abs(when - time.time()), 5, date)
        return when

    def test_every_reply_has_one_date_of_now(self):
        form = Form(self.d)
        body = json.dumps(form.body()).encode()
        whens = []
        for proto in (b"HTTP/1.1", b"HTTP/1.0"):
            c = Raw(self.d)
            try:
                c.send(request("GET", "/healthz").replace(b"HTTP/1.1",
                                                          proto))
                whens.append(self.date(c.reply(), 200))
            finally:
                c.close()
        c = Raw(self.d)
        try:
            c.send(request("GET", "/nope"))
            whens.append(self.date(c.reply(), 404))
            c.send(request("POST", form.path, [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body)))], body))
            whens.append(self.date(c.reply(), 201))
            time.sleep(1.1)
            c.send(request("GET", "/healthz"))
            whens.append(self.date(c.reply(), 200))
        finally:
            c.close()
        # Made once a second, and made again the next.
        self.assertGreater(whens[-1], whens[0], whens)


class Framing(HttpCase):
    def setUp(self):
        super().setUp()
        self.form = Form(self.d)

    def post(self, id_, headers, body):
        c = Raw(self.d)
        try:
            c.send(request("POST", self.form.path, headers, body))
            return c.reply(), c.closed()
        finally:
            c.close()

    def assert_not_stored(self, body):
        r = self.d.post(self.form.path, body=body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["duplicate"], False)

    def test_two_content_lengths(self):
        doc = self.form.body()
        data = json.dumps(doc).encode()
        reply, closed = self.post(doc["id"], [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Content-Length", str(len(data) + 5))], data + b"xxxxx")
        self.envelope(reply, 400, "bad_request")
        self.assertTrue(closed)
        self.assert_not_stored(doc)

    def test_same_content_length_twice_is_one(self):
        doc = self.form.body()
        data = json.dumps(doc).encode()
        reply, _ = self.post(doc["id"], [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Content-Length", str(len(data)))], data)
        self.assertEqual(reply[0], 201, reply)

    def test_content_length_with_chunked(self):
        doc = self.form.body()
        data = json.dumps(doc).encode()
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
        reply, closed = self.post(doc["id"], [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Transfer-Encoding", "chunked")], chunked)
        self.envelope(reply, 400, "bad_request")
        self.assertTrue(closed)
        self.assert_not_stored(doc)

    def test_chunked_alone_asks_for_a_length(self):
        doc = self.form.body()
        data = json.dumps(doc).encode()
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
        reply, closed = self.post(doc["id"], [
            ("Content-Type", "application/json"),
            ("Transfer-Encoding", "chunked")], chunked)
        self.envelope(reply, 411, "length_required")
        self.assertTrue(closed)
        self.assert_not_stored(doc)

    def test_header_names_in_any_case_the_first_of_a_name(self):
        doc = self.form.body()
        data = json.dumps(doc).encode()
        reply, _ = self.post(doc["id"], [
            ("cONTENT-tYPE", "application/json"),
            ("Content-Length", str(len(data)))], data)
        self.assertEqual(reply[0], 201, reply)
        # The first Content-Type is the one read, as before.
        doc = self.form.body()
        data = json.dumps(doc).encode()
        reply, _ = self.post(doc["id"], [
            ("Content-Type", "text/plain"),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data)))], data)
        self.envelope(reply, 415, "unsupported_media_type")
        self.assert_not_stored(doc)


class Waiting(HttpCase):
    """While a request waits for its answer (a login hashes its password
    in the pool, tens of milliseconds), its client sends more on the
    connection, finishes sending, or leaves."""

    def login(self):
        body = json.dumps({"username": "admin",
                           "password": admin_password(self.d)}).encode()
        return request("POST", "/api/v1/session", [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body)))], body)

    def logged_in(self, reply):
        st, _, body = reply
        self.assertEqual(st, 201, body)
        self.assertIn("token", json.loads(body))

    def test_requests_sent_meanwhile_are_answered_after_it_in_order(self):
        c = Raw(self.d)
        try:
            c.send(self.login())
            time.sleep(0.005)
            c.send(request("GET", "/healthz") * 40 + b"BAD\r\n\r\n")
            self.logged_in(c.reply())
            for _ in range(40):
                self.assertEqual(c.reply()[0], 200)
            self.envelope(c.reply(), 400, "bad_request")
            self.assertTrue(c.closed())
        finally:
            c.close()

    def test_a_client_that_has_finished_sending_gets_its_reply(self):
        c = Raw(self.d)
        try:
            c.send(self.login())
            c.s.shutdown(socket.SHUT_WR)
            self.logged_in(c.reply())
            self.assertTrue(c.closed())
        finally:
            c.close()

    def test_a_reply_the_socket_cannot_take_at_once(self):
        # A reply written when its commit or pool job ends goes out at
        # once; here the socket is still full of the reply before it,
        # which the client does not read until later.
        c = Raw(self.d, rcvbuf=2048)
        try:
            c.send(request("GET", "/vendor/chart.js/chart.min.js") +
                   self.login())
            time.sleep(1)
            st, _, body = c.reply()
            self.assertEqual(st, 200)
            self.assertGreater(len(body), 100000)
            self.logged_in(c.reply())
            c.send(request("GET", "/healthz"))
            self.assertEqual(c.reply()[0], 200)
        finally:
            c.close()

    def test_connection_close_after_a_reply_written_at_once(self):
        # The whole reply, then the close (HTTP/1.0 has no length here:
        # the close ends the body).
        for proto, close in ((b"HTTP/1.1", True), (b"HTTP/1.0", False)):
            c = Raw(self.d)
            try:
                req = self.login().replace(b"HTTP/1.1", proto, 1)
                if close:
                    req = req.replace(b"Host: x\r\n",
                                      b"Host: x\r\nConnection: close\r\n")
                c.send(req)
                data = b""
                while True:
                    chunk = c.s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, body = data.split(b"\r\n\r\n", 1)
                self.assertTrue(head.startswith(proto + b" 201 "), head)
                self.assertIn("token", json.loads(body))
            finally:
                c.close()

    def test_a_client_that_leaves_is_no_harm(self):
        for how in ("close", "reset"):
            c = Raw(self.d)
            c.send(self.login())
            if how == "reset":
                # Linger on, for no time: close sends a reset.
                c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                               struct.pack("ii", 1, 0))
            c.close()
        time.sleep(0.5)
        c = Raw(self.d)
        try:
            c.send(self.login() + request("GET", "/healthz"))
            self.logged_in(c.reply())
            self.assertEqual(c.reply()[0], 200)
        finally:
            c.close()


class Bodies(HttpCase):
    """A body is read by the quick reader or by jansson, to one value."""

    def setUp(self):
        super().setUp()
        self.form = Form(self.d)

    def post_raw(self, data):
        c = Raw(self.d)
        try:
            c.send(request("POST", self.form.path, [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data)))], data))
            return c.reply()
        finally:
            c.close()

    def test_escaped_and_plain_spellings_are_one_submission(self):
        id_ = "spell-" + uuid.uuid4().hex
        plain = ('{"id":"%s","lang":"fi","answers":{"visit":4}}'
                 % id_).encode()
        # The same text with \u escapes, which the quick reader leaves
        # to jansson.
        escaped = ('{"id":"\\u0073pell-%s","lang":"\\u0066i",'
                   '"answers":{"visit":4}}' % id_[6:]).encode()
        st, _, body = self.post_raw(plain)
        self.assertEqual(st, 201, body)
        self.assertEqual(json.loads(body)["duplicate"], False)
        st, _, body = self.post_raw(escaped)
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body)["duplicate"], True)
        # And the other way round.
        id_ = "spell-" + uuid.uuid4().hex
        escaped = ('{"id":"\\u0073pell-%s","lang":"fi",'
                   '"answers":{"visit":4}}' % id_[6:]).encode()
        plain = ('{"id":"%s","lang":"fi","answers":{"visit":4}}'
                 % id_).encode()
        st, _, body = self.post_raw(escaped)
        self.assertEqual((st, json.loads(body)["duplicate"]), (201, False))
        st, _, body = self.post_raw(plain)
        self.assertEqual((st, json.loads(body)["duplicate"]), (200, True))

    def test_refusals_are_jansson_s(self):
        cases = [
            (b'{"id":"a","id":"b"}', "duplicate object key"),
            (b'{"answers":{"visit":04}}', "invalid token"),
            (b'{"answers":{"visit":4}', "'}' expected near end of file"),
            (b'{"answers":{"visit":4}}x', "end of file expected"),
            (b'{"a":"\xc0\x80"}', "unable to decode byte 0xc0"),
            (b'{"a":' * 33 + b"1" + b"}" * 33, "nested deeper than 32"),
        ]
        for data, words in cases:
            st, hdrs, body = self.post_raw(data)
            err = self.envelope((st, hdrs, body), 400, "malformed_json")
            self.assertIn(words.lower(), err["message"].lower(), data)
        st, hdrs, body = self.post_raw(b'[{"id":"a"}]')
        self.envelope((st, hdrs, body), 400, "wrong_type")


class Envelope(HttpCase):
    """Requests that evhttp would refuse with an HTML page of its own."""

    daemon_args = ("-o", "max_headers=4096", "-o", "max_body_batch=65536")

    def refused(self, data, status, code):
        c = Raw(self.d)
        try:
            c.send(data)
            err = self.envelope(c.reply(), status, code)
            self.assertTrue(c.closed(), data)
            return err
        finally:
            c.close()

    def test_malformed_request_lines(self):
        for line in (b"GARBAGE", b"GET /", b"GET / HTTP/2.0",
                     b"GET / HTTP/1.1 extra", b"GET  / HTTP/1.1",
                     b"GET /a b HTTP/1.1", b"GET //x:y/ HTTP/1.1",
                     b"GET /a#b#c HTTP/1.1", b"GET /\x01 HTTP/1.1",
                     b"GET noslash HTTP/1.1", b"GET http://u@h/ HTTP/1.1",
                     b"GET ftp://h/healthz HTTP/1.1"):
            self.refused(line + b"\r\nHost: x\r\n\r\n", 400, "bad_request")

    def test_absolute_form_is_the_same_request(self):
        # RFC 9112, 3.2.2: a server must accept http://host/path.
        for target in ("http://palaute.example/healthz",
                       "HTTP://127.0.0.1:1/api/v1/units"):
            path = "/" + target.split("/", 3)[3]
            replies = []
            # One connection each: libevent takes a host it does not
            # serve for a proxy's request and closes after the reply.
            for t in (target, path):
                c = Raw(self.d)
                try:
                    c.send(request("GET", t))
                    replies.append(c.reply())
                finally:
                    c.close()
            self.assertEqual(replies[0][0], replies[1][0], target)
            self.assertEqual(replies[0][2], replies[1][2], target)

    def test_unknown_method(self):
        for m in (b"FOO", b"get", b"CONNECT"):
            self.refused(m + b" / HTTP/1.1\r\nHost: x\r\n\r\n", 405,
                         "method_not_allowed")

    def test_malformed_headers(self):
        for h in (b"NoColon", b"Bad Name: x", b"Name : x", b" folded",
                  b"X: a\x00b", b"Content-Length: -1",
                  b"Content-Length: 1x", b"Content-Length: +1",
                  b"Expect: teapot"):
            self.refused(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + h +
                         b"\r\n\r\n", 400, "bad_request")

    def test_head_with_a_body(self):
        self.refused(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 5\r\n\r\nhello", 400, "bad_request")

    def test_headers_over_the_limit(self):
        self.refused(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                     b"a" * 5000 + b"\r\n\r\n", 413, "too_large")
        self.refused(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 413,
                     "too_large")

    def test_body_over_the_limit(self):
        # Refused on its Content-Length, before any of it is read.
        self.refused(b"POST /api/v1/kiosk/responses HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 70000\r\n\r\n", 413, "too_large")

    def test_refusal_after_a_good_request_keeps_the_order(self):
        c = Raw(self.d)
        try:
            c.send(request("GET", "/healthz") + b"BAD\r\n\r\n")
            self.assertEqual(c.reply()[0], 200)
            self.envelope(c.reply(), 400, "bad_request")
            self.assertTrue(c.closed())
        finally:
            c.close()

    def test_blank_lines_before_a_request_are_passed_over(self):
        c = Raw(self.d)
        try:
            c.send(b"\r\n" + request("GET", "/healthz"))
            self.assertEqual(c.reply()[0], 200)
        finally:
            c.close()

    def test_pipelined_requests_split_anywhere(self):
        data = request("GET", "/healthz") * 3
        for cut in range(1, len(data), 7):
            c = Raw(self.d)
            try:
                c.send(data[:cut])
                time.sleep(0.01)
                c.send(data[cut:])
                for _ in range(3):
                    self.assertEqual(c.reply()[0], 200, cut)
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
