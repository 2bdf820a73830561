"""Connection limits: 500 clients trickling a byte a second neither starve
a normal submission nor hold their connections past request_deadline, a
burst of connections is not dropped at the accept queue, and connections
beyond max_connections are answered 503 and closed."""
import signal
import socket
import threading
import time

from ops_support import Form, connect, parse, raise_nofile, value
from palaute_test import Daemon, DaemonTest, main

SLOW = 500
DEADLINE = 3


class Trickle:
    """SLOW sockets, each sent one more byte of a request every second by
    one thread, until its connection is closed by the other side."""

    def __init__(self, d, path, n):
        self.d = d
        self.request = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        "application/json\r\nContent-Length: 100\r\n\r\n"
                        % path).encode()
        self.socks = []
        self.opened = {}
        self.closed = {}
        self.sent = {}
        self.stop = threading.Event()
        for _ in range(n):
            s = connect(d)
            s.setblocking(False)
            self.opened[s] = time.monotonic()
            self.sent[s] = 0
            self.socks.append(s)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        # Bounded: the loop ends by itself after the test's budget.
        end = time.monotonic() + DEADLINE + 20
        while not self.stop.is_set() and time.monotonic() < end:
            for s in self.socks:
                if s in self.closed:
                    continue
                try:
                    if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                        self.closed[s] = time.monotonic()
                        continue
                except BlockingIOError:
                    pass
                except OSError:
                    self.closed[s] = time.monotonic()
                    continue
                i = self.sent[s]
                if i < len(self.request):
                    try:
                        s.send(self.request[i:i + 1])
                        self.sent[s] = i + 1
                    except BlockingIOError:
                        pass
                    except OSError:
                        self.closed[s] = time.monotonic()
            if len(self.closed) == len(self.socks):
                break
            self.stop.wait(1.0)

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for s in self.socks:
            s.close()


class SlowClients(DaemonTest):
    daemon_args = ("-o", "max_connections=%d" % (SLOW + 100),
                   "-o", "request_deadline=%d" % DEADLINE,
                   "-o", "read_timeout=60",
                   "-o", "form_rate=1000000")

    def setUp(self):
        raise_nofile(4096)
        super().setUp()
        self.form = Form(self.d)

    def test_slow_clients_do_not_starve_a_submission(self):
        slow = Trickle(self.d, self.form.path, SLOW)
        slow.thread.start()
        try:
            time.sleep(1.5)  # every slow client has sent a byte or two
            for _ in range(5):
                t0 = time.monotonic()
                r = self.form.submit(timeout=5)
                took = time.monotonic() - t0
                self.assertEqual(r.status, 201, r)
                self.assertLess(took, 1.0, "a submission took %.2f s "
                                "beside %d slow clients" % (took, SLOW))
            # Each slow client is still open, or was cut at its deadline
            # (under a loaded machine the first ones may be by now).
            m = parse(self.d.get("/metrics").body.decode())
            self.assertGreaterEqual(
                value(m, "palaute_open_connections") +
                value(m, "palaute_request_deadline_total"), SLOW)
            # They keep trickling, yet each is cut at the deadline, not
            # held open by its bytes as libevent's idle timeout would.
            slow.thread.join(DEADLINE + 15)
            self.assertEqual(len(slow.closed), SLOW,
                             "%d of %d slow connections still open"
                             % (SLOW - len(slow.closed), SLOW))
            for s in slow.socks:
                held = slow.closed[s] - slow.opened[s]
                self.assertLess(held, DEADLINE + 3)
                self.assertGreaterEqual(slow.sent[s], 1)
                self.assertLess(slow.sent[s], len(slow.request))
            m = parse(self.d.get("/metrics").body.decode())
            self.assertGreaterEqual(
                value(m, "palaute_request_deadline_total"), SLOW)
            self.assertLessEqual(value(m, "palaute_open_connections"), 2)
            # And the daemon serves as before.
            self.assertEqual(self.form.submit().status, 201)
        finally:
            slow.close()


class AcceptBacklog(DaemonTest):
    BURST = 300
    daemon_args = ("-o", "max_connections=%d" % (BURST + 100),
                   "-o", "request_deadline=30", "-o", "read_timeout=60")

    def test_a_burst_of_connections_waits_in_the_queue(self):
        """Connections that arrive while the event loop is busy (here:
        stopped) wait in the kernel's accept queue. A queue shorter than
        the burst drops the rest of the SYNs, and a client whose SYN was
        dropped tries again only after a second or more."""
        raise_nofile(4096)
        # The --dev set-up is over: the loop has nothing else to do.
        self.assertEqual(self.d.get("/readyz").status, 200)
        burst = []
        self.d.send_signal(signal.SIGSTOP)
        try:
            for _ in range(self.BURST):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex((self.d.host, self.d.port))
                burst.append(s)
            legit = socket.socket()
            legit.setblocking(False)
            t0 = time.monotonic()
            legit.connect_ex((self.d.host, self.d.port))
            time.sleep(0.2)
        finally:
            self.d.send_signal(signal.SIGCONT)
        try:
            legit.settimeout(10)
            legit.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            data = legit.recv(4096)
            took = time.monotonic() - t0
            self.assertTrue(data.startswith(b"HTTP/1.1 200 "), data)
            self.assertLess(took, 1.0, "a request behind a burst of %d "
                            "connections took %.2f s" % (self.BURST, took))
        finally:
            legit.close()
            for s in burst:
                s.close()


class ConnectionCap(DaemonTest):
    CAP = 20
    daemon_args = ("-o", "max_connections=%d" % CAP,
                   "-o", "read_timeout=60",
                   "-o", "request_deadline=60")

    def test_over_the_cap_is_503_and_closed(self):
        idle = [connect(self.d) for _ in range(self.CAP)]
        try:
            time.sleep(0.3)
            extra = connect(self.d)
            extra.settimeout(5)
            data = b""
            try:
                while True:
                    chunk = extra.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionResetError:
                pass
            extra.close()
            self.assertTrue(data.startswith(b"HTTP/1.1 503 "), data)
            self.assertIn(b"Retry-After: 1", data)
            self.assertIn(b'"code":"unavailable"', data)
        finally:
            for s in idle:
                s.close()
        # The slots come back once those connections are gone.
        deadline = time.monotonic() + 5
        while True:
            r = self.d.get("/healthz")
            if r.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(r.status, 200)
        m = parse(self.d.get("/metrics").body.decode())
        self.assertGreaterEqual(value(m, "palaute_connections_refused_total"),
                                1)
        self.assertEqual(value(m, "palaute_max_connections"), self.CAP)

    def test_keep_alive_requests_each_get_a_deadline(self):
        """A connection that answered one request is not cut while it is
        used, and is cut when the next request trickles too long."""
        d2 = Daemon("-o", "request_deadline=2", "-o",
                    "read_timeout=60").start()
        try:
            s = connect(d2)
            s.settimeout(5)
            for _ in range(3):
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
                time.sleep(1.2)  # each request is well inside 2 s
            t0 = time.monotonic()
            s.sendall(b"GET /hea")
            self.assertEqual(s.recv(4096), b"")
            self.assertLess(time.monotonic() - t0, 3.5)
            s.close()
        finally:
            d2.cleanup()


if __name__ == "__main__":
    main()
