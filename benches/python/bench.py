"""The Python package against the Rust library, in one run (`scripts/bench python`).

1. Batches: ``Verifier.verify_many`` over signed documents and ``Registry.lookup_many`` over
   window requests, from Python, against the same calls from Rust on the same inputs
   (``benches/benches/python.rs``). Target: Python ≥ 0.8× the Rust rate.
2. Threads: single ``verify`` and ``lookup`` calls from one Python thread and from two, on
   shared objects. Releasing the GIL should give two threads ≥ 1.6× one on 2 cores.

Medians of several rounds; the machine is shared, so read the ratios, not the rates.
Usage: ``python bench.py BASELINE_EXE`` with the release extension module on PYTHONPATH.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import zhengzhao as zz

BUSINESS = "11100000MB0143028R001"
LICENCES = 2000
REQUESTS = 2000
ROUNDS = 7


def median_rate(n: int, fn, rounds: int = ROUNDS) -> float:
    rates = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        rates.append(n / (time.perf_counter() - t))
    return statistics.median(rates)


def prepare(base: Path):
    s = zz.Sampler(11)
    dep = s.issuer("杭州市西湖区市场监督管理局")
    authority = zz.Authority.init(base / "authority", root_name="基准测试根CA", issuer_name=dep["name"], issuer_code=dep["code"])
    (base / "root.pem").write_text(authority.root_certificate)
    (base / "signers.pem").write_text("".join(e["certificate"] for e in authority.signers()))
    catalog = zz.Catalog()
    ty = catalog[BUSINESS]
    today = dt.date.today()
    centre = s.issuer("杭州市西湖区行政服务中心")["code"]
    holders = [s.organisation() for _ in range(LICENCES)]
    with zz.Registry.create(base / "registry", authority=authority.path, sync="os-buffered") as reg:
        out = reg.issue_many(
            [s.licence(ty, dep, h, f"2025{i:07}", today) for i, h in enumerate(holders)], operator="发证员"
        )
        reg.grant(centre, BUSINESS, until=today + dt.timedelta(days=30), operator="管理员")
    docs = [o.document.decode() for o in out]
    context = {"org": centre, "operator": "窗口01", "item": "330106-01", "case": "2026-1", "reason": "基准测试"}
    requests = [
        {"holder_code_type": h["code_type"], "holder_code": h["code"], "types": [BUSINESS], "context": context}
        for h in holders[:REQUESTS]
    ]
    (base / "documents.json").write_text(json.dumps(docs, ensure_ascii=False))
    (base / "requests.json").write_text(json.dumps(requests, ensure_ascii=False))
    return authority, docs, requests


def threaded(threads: int, per_thread: int, work) -> float:
    """Calls per second of `threads` threads each making `per_thread` calls of `work(i)`."""

    def run():
        ts = [threading.Thread(target=lambda k=k: [work(k * per_thread + i) for i in range(per_thread)]) for k in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    return median_rate(threads * per_thread, run, rounds=5)


def main() -> None:
    baseline = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        authority, docs, requests = prepare(base)
        rust = json.loads(subprocess.run([baseline, str(base), str(ROUNDS)], check=True, capture_output=True, text=True).stdout)

        verifier = zz.Verifier(base / "root.pem", certificates=base / "signers.pem")
        doc_bytes = [x.encode() for x in docs]
        assert all(verifier.verify_many(doc_bytes))
        py_verify = median_rate(len(doc_bytes), lambda: verifier.verify_many(doc_bytes))
        with zz.Registry.open(base / "registry") as reg:
            assert all(a[0] for a in reg.lookup_many(requests, log=False))
            py_lookup = median_rate(len(requests), lambda: reg.lookup_many(requests, log=False))

            one_v = threaded(1, 800, lambda i: verifier.verify(doc_bytes[i % len(doc_bytes)]))
            two_v = threaded(2, 800, lambda i: verifier.verify(doc_bytes[i % len(doc_bytes)]))
            one_l = threaded(1, 2000, lambda i: reg.lookup(requests[i % len(requests)], log=False))
            two_l = threaded(2, 2000, lambda i: reg.lookup(requests[i % len(requests)], log=False))

    rows = [
        ("verify_many (documents/s)", py_verify, rust["verify_many"], 0.8),
        ("lookup_many (requests/s)", py_lookup, rust["lookup_many"], 0.8),
    ]
    print(f"{'batch':<28}{'Python':>12}{'Rust':>12}{'ratio':>8}  target")
    for name, p, r, target in rows:
        print(f"{name:<28}{p:>12,.0f}{r:>12,.0f}{p / r:>7.2f}×  ≥ {target}×")
    print(f"\n{'threads':<28}{'1 thread':>12}{'2 threads':>12}{'ratio':>8}  target")
    for name, one, two in [("verify (documents/s)", one_v, two_v), ("lookup (requests/s)", one_l, two_l)]:
        print(f"{name:<28}{one:>12,.0f}{two:>12,.0f}{two / one:>7.2f}×  ≥ 1.6×")


if __name__ == "__main__":
    main()
