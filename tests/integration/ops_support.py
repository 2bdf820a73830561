"""Helpers shared by the operations tests: a form to submit to, raw
sockets, and a small parser of the Prometheus text format."""
import math
import re
import resource
import socket
import uuid

from palaute_test import Admin


def raise_nofile(want):
    """Raise this process's soft open-file limit towards want (children
    inherit it: the daemon then starts with the same limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Form:
    """A unit, a survey and a public link on daemon d, ready for answers."""

    def __init__(self, d, survey="survey-client.json"):
        self.d = d
        self.admin = Admin(d)
        self.unit = self.admin.unit()
        self.survey = self.admin.survey(survey)
        c = self.admin.collector(self.survey, self.unit, "link")
        self.slug = c.get("slug") or c["url"].rsplit("/", 1)[1]
        self.path = "/api/v1/forms/%s/responses" % self.slug

    def body(self, comment=None):
        answers = {"visit": 4}
        if comment is not None:
            answers["comment"] = comment
        return {"id": str(uuid.uuid4()), "lang": "fi", "answers": answers}

    def submit(self, comment=None, timeout=30):
        return self.d.post(self.path, body=self.body(comment),
                           timeout=timeout)


def connect(d, timeout=5):
    s = socket.create_connection((d.host, d.port), timeout=timeout)
    return s


# -------------------------------------------------------------- Prometheus

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE_RE = re.compile(r"^(%s)(\{(?:%s)(?:,(?:%s))*\})? (\S+)$"
                       % (NAME, LABEL, LABEL))
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
HELP_RE = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE_RE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|"
                     r"untyped)$" % NAME)


class FormatError(AssertionError):
    pass


def _value(text, lineno):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    try:
        return float(text)
    except ValueError:
        raise FormatError("line %d: %r is not a number" % (lineno, text))


def parse(text):
    """Check text against the Prometheus text exposition format (0.0.4)
    and return {family: {"type", "help", "samples": [(name, labels,
    value)]}}. Raises FormatError on the first violation."""
    if not text.endswith("\n"):
        raise FormatError("the exposition must end with a newline")
    families = {}
    seen = set()
    current = None
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            continue
        if line.startswith("#"):
            m = HELP_RE.match(line)
            if m:
                fam = families.setdefault(m.group(1), {
                    "type": None, "help": None, "samples": []})
                if fam["help"] is not None:
                    raise FormatError("line %d: second HELP for %s"
                                      % (lineno, m.group(1)))
                fam["help"] = m.group(2)
                continue
            m = TYPE_RE.match(line)
            if m:
                fam = families.setdefault(m.group(1), {
                    "type": None, "help": None, "samples": []})
                if fam["type"] is not None or fam["samples"]:
                    raise FormatError("line %d: TYPE for %s after its "
                                      "samples or twice" % (lineno,
                                                            m.group(1)))
                fam["type"] = m.group(2)
                current = m.group(1)
                continue
            if line.startswith("# HELP") or line.startswith("# TYPE"):
                raise FormatError("line %d: malformed %r" % (lineno, line))
            continue  # a plain comment
        m = SAMPLE_RE.match(line)
        if not m:
            raise FormatError("line %d: not a sample: %r" % (lineno, line))
        name, labels_text, value = m.group(1), m.group(2) or "", m.group(3)
        labels = tuple(LABEL_RE.findall(labels_text))
        if len({k for k, _ in labels}) != len(labels):
            raise FormatError("line %d: a label twice" % lineno)
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name[:-len(suffix)] in families \
                    and families[name[:-len(suffix)]]["type"] in (
                        "histogram", "summary"):
                family = name[:-len(suffix)]
        if family not in families or families[family]["type"] is None:
            raise FormatError("line %d: sample of %s without a TYPE"
                              % (lineno, name))
        if family != current:
            raise FormatError("line %d: %s is not grouped with its family"
                              % (lineno, name))
        key = (name, labels)
        if key in seen:
            raise FormatError("line %d: series %s%s twice" % (
                lineno, name, labels_text))
        seen.add(key)
        families[family]["samples"].append((name, dict(labels),
                                            _value(value, lineno)))
    for fname, fam in families.items():
        if fam["type"] == "counter":
            for name, labels, v in fam["samples"]:
                if v < 0 or math.isnan(v):
                    raise FormatError("counter %s is %r" % (name, v))
        if fam["type"] == "histogram":
            _check_histogram(fname, fam["samples"])
    return families


def _check_histogram(fname, samples):
    buckets = [(l["le"], v) for n, l, v in samples
               if n == fname + "_bucket"]
    counts = [v for n, l, v in samples if n == fname + "_count"]
    sums = [v for n, l, v in samples if n == fname + "_sum"]
    if not buckets or len(counts) != 1 or len(sums) != 1:
        raise FormatError("histogram %s lacks buckets, _sum or _count"
                          % fname)
    if buckets[-1][0] != "+Inf":
        raise FormatError("histogram %s: the last bucket is not +Inf"
                          % fname)
    bounds = [float(le.replace("Inf", "inf")) for le, _ in buckets]
    if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
        raise FormatError("histogram %s: le not increasing" % fname)
    values = [v for _, v in buckets]
    if values != sorted(values):
        raise FormatError("histogram %s: buckets not cumulative" % fname)
    if values[-1] != counts[0]:
        raise FormatError("histogram %s: +Inf bucket %r != _count %r"
                          % (fname, values[-1], counts[0]))


def value(families, name, **labels):
    """The value of one series (None when absent)."""
    for fam in families.values():
        for n, l, v in fam["samples"]:
            if n == name and all(l.get(k) == str(w)
                                 for k, w in labels.items()):
                return v
    return None
