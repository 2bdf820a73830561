"""Helpers for the intake tests: days relative to the daemon's today,
response ids, collector slugs, palautectl on the store and the keys of
its responses as LMDB holds them."""
import datetime
import subprocess
import uuid

from palaute_test import PALAUTECTL


def utc_today():
    """The daemon's day (util_today() is UTC); tests send days relative
    to it, never fixed dates."""
    return datetime.datetime.now(datetime.timezone.utc).date()


def day(offset=0):
    return (utc_today() + datetime.timedelta(days=offset)).isoformat()


def new_id(prefix="r"):
    return "%s-%s" % (prefix, uuid.uuid4())


def slug_of(collector):
    return collector["url"].rsplit("/", 1)[1]


def palautectl(state_dir, *args):
    p = subprocess.run([PALAUTECTL, "-d", state_dir] + list(args),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def verify(state_dir):
    """palautectl verify: (exit code, {name: value}, stderr)."""
    rc, out, err = palautectl(state_dir, "verify")
    fields = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        fields[k] = int(v) if v.isdigit() else v
    return rc, fields, err


def response_keys(state_dir, survey):
    """The keys of survey's responses in the store, in its order, as hex
    strings, read with lmdb-utils' mdb_dump beside the running daemon (a
    reader of its own). A key is survey (4 bytes) | day (4) | the
    commit's tag (4) | random (4), storage/storage.h."""
    p = subprocess.run(["mdb_dump", "-s", "responses", state_dir],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, check=True)
    lines = p.stdout.decode().splitlines()
    data = lines[lines.index("HEADER=END") + 1:lines.index("DATA=END")]
    prefix = "%08x" % survey
    # Key and value lines alternate, each indented by one space.
    return [k.strip() for k in data[0::2] if k.strip().startswith(prefix)]
