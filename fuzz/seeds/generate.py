#!/usr/bin/env python3
"""Regenerates the committed seed inputs of fuzz/seeds/<target>/ (small: a few hundred KB).

  merge  — pairs of schemas from the vendored JSON-Schema-Test-Suite (draft 2020-12), each
           with both groups' test instances as the instances part; pairs of the fixtures'
           department schemas; byte strings for the grammar form (`~` + bytes); and the
           hand-written seeds in fuzz/seeds/merge/known-* (kept).
  bundle — every fixture (by reference, `#` + selector) with each of its submission and
           decision files (by reference), on the fixture's evaluation date.
  wizard — every fixture, with and without prefill, filling every field from the pool's
           first value, then a few edits of every other kind.

The input formats are described in fuzz/src/parts.rs and the targets' module docs. Run
from anywhere: python3 fuzz/seeds/generate.py
"""
import glob, hashlib, json, os, random

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
SUITE = os.path.join(ROOT, "core", "tests", "corpus", "json-schema-test-suite")
FIXTURES = os.path.join(ROOT, "fixtures")


def write(target, data, name=None):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def compact(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode()


def clear(target, keep=("known-",)):
    d = os.path.join(SEEDS, target)
    for f in glob.glob(os.path.join(d, "*")):
        if not os.path.basename(f).startswith(keep):
            os.remove(f)


def merge_seeds():
    clear("merge")
    groups = []
    for path in sorted(glob.glob(os.path.join(SUITE, "*.json"))):
        for g in json.load(open(path, encoding="utf-8")):
            if "$id" in json.dumps(g["schema"]) or "$dynamicRef" in json.dumps(g["schema"]):
                continue
            groups.append((g["schema"], [t["data"] for t in g["tests"]]))
    n = len(groups)
    for i, (a, xa) in enumerate(groups):
        if i % 3:  # every third group, paired with two others, keeps the corpus small
            continue
        for step in (1, 97):
            b, xb = groups[(i * 13 + step) % n]
            write("merge", b"\0".join([compact(a), compact(b), compact(xa + xb)]))
    for fixture in sorted(glob.glob(os.path.join(FIXTURES, "*", "bundle.json"))):
        schemas = [json.load(open(p, encoding="utf-8"))
                   for p in sorted(glob.glob(os.path.join(os.path.dirname(fixture), "*.schema.json")))]
        for a, b in zip(schemas, schemas[1:]):
            write("merge", b"\0".join([compact(a), compact(b)]))
    rng = random.Random(7)
    for i in range(16):
        write("merge", b"~" + bytes(rng.randrange(256) for _ in range(48)), "grammar-%02d" % i)


def fixture_dirs():
    return sorted(os.path.dirname(p) for p in glob.glob(os.path.join(FIXTURES, "*", "bundle.json")))


def submissions(d):
    return sorted(glob.glob(os.path.join(d, "submissions", "*.json"))) + sorted(
        glob.glob(os.path.join(d, "decisions", "*.json")))


def selector(i, n):
    """A byte b with b % n == i that is not NUL (the part separator)."""
    b = i + n
    assert 0 < b < 256 and b % n == i
    return b


def bundle_seeds():
    clear("bundle")
    dirs = fixture_dirs()
    # The bundle target numbers submissions across every fixture, sorted as here.
    everything = [s for d in dirs for s in submissions(d)]
    k = 0
    for fi, d in enumerate(dirs):
        date = json.load(open(os.path.join(d, "fixture.json")))["evaluation_date"].encode()
        for s in submissions(d):
            parts = [bytes([ord("#"), selector(fi, len(dirs))]),
                     bytes([ord("#"), selector(k, len(everything))]), date]
            write("bundle", b"\0".join(parts))
            k += 1


def wizard_seeds():
    clear("wizard")
    for fi, _ in enumerate(fixture_dirs()):
        for flags in (0, 1):
            fill = b"".join(bytes([0, key, 0]) for key in range(1, 120))
            others = bytes([6, 1, 1, 7, 2, 0, 8, 0, 9, 1, 10, 2, 11, 3, 5, 4, 6, 2, 3])
            write("wizard", bytes([fi + 1, flags]) + fill[:3 * 40] + others)
            write("wizard", bytes([fi + 1, flags]) + others + fill)


if __name__ == "__main__":
    merge_seeds()
    bundle_seeds()
    wizard_seeds()
