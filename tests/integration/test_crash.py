"""Crash test: nothing acknowledged is lost, nothing counts twice.

Concurrent clients (web forms one response at a time, a kiosk in batches)
submit while the daemon is killed with SIGKILL at random moments and
started again, cycle after cycle. Every id that got 201 (or 200) is
recorded. At the end every id ever sent is sent once more: each
acknowledged one must come back 200 "stored before", and the store must
then hold exactly one response per distinct id, with every aggregate cell
equal to its responses (palautectl verify).

PALAUTE_CRASH_CYCLES (default 20) and PALAUTE_CRASH_SEED set the run;
e.g. PALAUTE_CRASH_CYCLES=1000 for the long run by hand.
"""
import hashlib
import http.client
import json
import os
import random
import threading
import time
import unittest

from intake_support import day, slug_of, verify
from palaute_test import Admin, Daemon, main

CYCLES = int(os.environ.get("PALAUTE_CRASH_CYCLES", "20"))
SEED = int(os.environ.get("PALAUTE_CRASH_SEED", "20240315"))
FORM_CLIENTS = 3
ARGS = ("-o", "form_rate=1000000", "-o", "kiosk_rate=1000000")


def answers_of(rid):
    """The same answers for the same id, so a resend is the same
    response."""
    h = hashlib.sha256(rid.encode()).digest()
    a = {"visit": 1 + h[0] % 5}
    if h[1] % 2:
        a["helped"] = ("yes", "partly", "no")[h[2] % 3]
    if h[3] % 4 == 0:
        a["comment"] = "palaute %d" % h[4]
    return a


class Ledger:
    """Ids sent and ids acknowledged, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}          # id -> "form" | "kiosk"
        self.acked = set()
        self.first_ack = threading.Event()

    def send(self, rid, kind):
        with self.lock:
            self.sent[rid] = kind

    def ack(self, rid):
        with self.lock:
            self.acked.add(rid)
        self.first_ack.set()


def post(addr, path, body, token=None, timeout=10):
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    hdrs = {"Content-Type": "application/json"}
    if token:
        hdrs["Authorization"] = "Bearer " + token
    try:
        conn.request("POST", path, body=json.dumps(body).encode(),
                     headers=hdrs)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


class CrashTest(unittest.TestCase):
    def test_kill_9_loses_nothing_acknowledged(self):
        rng = random.Random(SEED)
        d = Daemon(*ARGS).start()
        workdir = d.workdir
        daemons = [d]
        ledger = Ledger()
        serial = [0]
        try:
            admin = Admin(d)
            unit = admin.unit()
            survey = admin.survey()
            slug = slug_of(admin.collector(survey, unit, "link"))
            kc = admin.collector(survey, unit, "kiosk")
            token = d.post("/api/v1/kiosk/enroll", body={
                "code": kc["enrollment_code"]}).json()["device_token"]
            today = day(0)
            form_path = "/api/v1/forms/%s/responses" % slug

            def next_id(kind):
                with ledger.lock:
                    serial[0] += 1
                    return "crash-%s-%08d" % (kind, serial[0])

            def form_client(addr, stop):
                while not stop.is_set():
                    rid = next_id("form")
                    ledger.send(rid, "form")
                    try:
                        st, _ = post(addr, form_path, {
                            "id": rid, "lang": "fi",
                            "answers": answers_of(rid)})
                    except (OSError, http.client.HTTPException):
                        return
                    if st in (200, 201):
                        ledger.ack(rid)
                    elif st != 503:
                        raise AssertionError("form: %d" % st)

            def kiosk_client(addr, stop, n):
                while not stop.is_set():
                    ids = [next_id("kiosk") for _ in range(n)]
                    for rid in ids:
                        ledger.send(rid, "kiosk")
                    try:
                        st, body = post(addr, "/api/v1/kiosk/responses", {
                            "responses": [{"id": rid, "day": today,
                                           "lang": "fi",
                                           "answers": answers_of(rid)}
                                          for rid in ids]}, token=token)
                    except (OSError, http.client.HTTPException):
                        return
                    if st == 200:
                        for res in json.loads(body)["results"]:
                            if res["status"] in (200, 201):
                                ledger.ack(res["id"])
                    elif st != 503:
                        raise AssertionError("kiosk: %d" % st)

            errors = []

            def guarded(fn, *a):
                try:
                    fn(*a)
                except Exception as e:      # surfaced after the join
                    errors.append(e)

            for cycle in range(CYCLES):
                if cycle > 0:
                    d = Daemon(*ARGS, workdir=workdir).start()
                    daemons.append(d)
                stop = threading.Event()
                threads = [threading.Thread(target=guarded, args=(
                    form_client, d.addr, stop)) for _ in range(FORM_CLIENTS)]
                threads.append(threading.Thread(target=guarded, args=(
                    kiosk_client, d.addr, stop, rng.randint(1, 40))))
                ledger.first_ack.clear()
                for t in threads:
                    t.start()
                # Once writes flow (a slow sanitizer build starts late),
                # at a random moment: in a batch, a sync, a reply.
                self.assertTrue(ledger.first_ack.wait(30), d.log())
                time.sleep(rng.uniform(0.0, 0.4))
                d.kill()                    # SIGKILL, mid-flight
                stop.set()
                for t in threads:
                    t.join(30)
                self.assertEqual(errors, [])
                self.assertNotIn("Sanitizer", d.log())

            self.assertGreaterEqual(len(ledger.acked), CYCLES)

            # Everything once more: acknowledged ids are duplicates.
            d = Daemon(*ARGS, workdir=workdir).start()
            daemons.append(d)
            kiosk_ids = sorted(r for r, k in ledger.sent.items()
                               if k == "kiosk")
            form_ids = sorted(r for r, k in ledger.sent.items()
                              if k == "form")
            lost = []
            for i in range(0, len(kiosk_ids), 500):
                chunk = kiosk_ids[i:i + 500]
                st, body = post(d.addr, "/api/v1/kiosk/responses", {
                    "responses": [{"id": rid, "day": today, "lang": "fi",
                                   "answers": answers_of(rid)}
                                  for rid in chunk]}, token=token)
                self.assertEqual(st, 200, body)
                for res in json.loads(body)["results"]:
                    self.assertIn(res["status"], (200, 201), res)
                    if res["id"] in ledger.acked and res["status"] != 200:
                        lost.append(res["id"])

            def resend(ids):
                for rid in ids:
                    st, _ = post(d.addr, form_path, {
                        "id": rid, "lang": "fi", "answers": answers_of(rid)})
                    if st not in (200, 201):
                        errors.append(AssertionError("resend %d" % st))
                    elif rid in ledger.acked and st != 200:
                        lost.append(rid)
            threads = [threading.Thread(target=resend,
                                        args=(form_ids[i::4],))
                       for i in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            self.assertEqual(errors, [])
            self.assertEqual(lost, [], "acknowledged and lost")
            self.assertEqual(d.stop(), 0, d.log())

            rc, v, err = verify(d.state_dir)
            self.assertEqual(rc, 0, err)
            self.assertEqual(v["result"], "ok")
            # Exactly one response per distinct id: none twice.
            self.assertEqual(v["responses"], len(ledger.sent))
            print("crash test: %d cycles, %d sent, %d acknowledged, seed %d"
                  % (CYCLES, len(ledger.sent), len(ledger.acked), SEED))
        finally:
            for x in daemons:
                x.kill()
            daemons[0].cleanup()


if __name__ == "__main__":
    main()
