"""The Python package against the Rust library, in one run (`scripts/bench python`).

1. Batches: ``Verifier.verify_many`` over signed documents and ``Registry.lookup_many`` over
   window requests, from Python, against the same calls from Rust on the same inputs
   (``benches/benches/python.rs``). Target: Python ≥ 0.8× the Rust rate.
   Rust and Python take turns in blocks of a few rounds; the ratio is the median of the
   blocks' ratios.
2. Threads: single ``verify`` and ``lookup`` calls, and ``lookup_many`` calls of a few dozen
   requests (as ``dict`` objects, and as JSON text), from one Python thread and from two, on shared objects. Releasing the GIL should
   give two threads ≥ 1.6× one on 2 cores.

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
ROUNDS = 3
BLOCKS = 7
CHUNK = 50  # requests per lookup_many call in the threads' batched case


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
        verifier = zz.Verifier(base / "root.pem", certificates=base / "signers.pem")
        doc_bytes = [x.encode() for x in docs]
        assert all(verifier.verify_many(doc_bytes))
        # Rust and Python take turns, so that the host's drift between minutes falls on both:
        # each block's ratio compares rounds a few seconds apart. Each side opens the registry
        # (RocksDB lets one process at a time) and answers once before it is timed.
        blocks = {"verify_many": [], "lookup_many": []}
        for _ in range(BLOCKS):
            out = subprocess.run([baseline, str(base), str(ROUNDS)], check=True, capture_output=True, text=True)
            rust = json.loads(out.stdout)
            with zz.Registry.open(base / "registry") as reg:
                assert all(a[0] for a in reg.lookup_many(requests, log=False))
                py = {
                    "verify_many": median_rate(len(doc_bytes), lambda: verifier.verify_many(doc_bytes)),
                    "lookup_many": median_rate(len(requests), lambda: reg.lookup_many(requests, log=False)),
                }
            for k, pairs in blocks.items():
                pairs.append((py[k], rust[k]))

        with zz.Registry.open(base / "registry") as reg:
            one_v = threaded(1, 800, lambda i: verifier.verify(doc_bytes[i % len(doc_bytes)]))
            two_v = threaded(2, 800, lambda i: verifier.verify(doc_bytes[i % len(doc_bytes)]))
            one_l = threaded(1, 2000, lambda i: reg.lookup(requests[i % len(requests)], log=False))
            two_l = threaded(2, 2000, lambda i: reg.lookup(requests[i % len(requests)], log=False))
            chunks = [requests[i : i + CHUNK] for i in range(0, len(requests), CHUNK)]
            one_c = threaded(1, 200, lambda i: reg.lookup_many(chunks[i % len(chunks)], log=False)) * CHUNK
            two_c = threaded(2, 200, lambda i: reg.lookup_many(chunks[i % len(chunks)], log=False)) * CHUNK
            # The same chunks as JSON text, which the call reads without the GIL.
            texts = [json.dumps(c, ensure_ascii=False).encode() for c in chunks]
            one_j = threaded(1, 200, lambda i: reg.lookup_many(texts[i % len(texts)], log=False)) * CHUNK
            two_j = threaded(2, 200, lambda i: reg.lookup_many(texts[i % len(texts)], log=False)) * CHUNK

    print(f"{'batch':<28}{'Python':>12}{'Rust':>12}{'ratio':>8}  target   (median of {BLOCKS} alternating blocks)")
    for name, unit in [("verify_many", "documents/s"), ("lookup_many", "requests/s")]:
        pairs = blocks[name]
        p = statistics.median(x for x, _ in pairs)
        r = statistics.median(y for _, y in pairs)
        ratios = sorted(x / y for x, y in pairs)
        spread = f"{ratios[0]:.2f}–{ratios[-1]:.2f}"
        print(f"{name + f' ({unit})':<28}{p:>12,.0f}{r:>12,.0f}{statistics.median(ratios):>7.2f}×  ≥ 0.8×   blocks {spread}")
    print(f"\n{'threads':<28}{'1 thread':>12}{'2 threads':>12}{'ratio':>8}  target")
    for name, one, two in [
        ("verify (documents/s)", one_v, two_v),
        ("lookup (requests/s)", one_l, two_l),
        (f"lookup_many ×{CHUNK} (req/s)", one_c, two_c),
        ("  the same as JSON (req/s)", one_j, two_j),
    ]:
        print(f"{name:<28}{one:>12,.0f}{two:>12,.0f}{two / one:>7.2f}×  ≥ 1.6×")


if __name__ == "__main__":
    main()
