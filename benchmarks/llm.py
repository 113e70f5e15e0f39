"""LLM rewrite throughput against the local test server answering after a fixed latency.

Measures, in one run and against the same server (127.0.0.1, 1 s per answer by default):

- the sequential baseline: a sample of ``--sample`` rewrite calls one after the other, extrapolated
  to ``--calls`` calls (the sample is measured, the extrapolation is stated as such);
- ``--calls`` rewrite calls with bounded concurrency (``--concurrency``);
- the same calls again, which the response cache must serve with 0 requests.

Targets (issue 4): <= 15 s wall time and >= 6x faster than sequential; 0 calls on the re-run.
Run: ``python benchmarks/llm.py`` (about 15 s with the defaults).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _import_paths() -> None:
    """Make tests/llm_server.py importable: the benchmark drives the same local server as the tests."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--sample", type=int, default=10, help="sequential calls measured for the baseline")
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    _import_paths()
    from llm_server import FakeLLMServer

    from studio.injects.generator import generate_msel
    from studio.injects.llm import Assistant, LLMClient
    from studio.scenario.document import load_scenario
    from studio.scenario.library import library_paths

    os.environ["OPENAI_API_KEY"] = "benchmark-key"
    path = next(p for p in library_paths() if p.stem == "territoire-insulaire-ght")
    scenario = generate_msel(load_scenario(path), seed=0).scenario
    injects = scenario["injects"]
    # Distinct requests: the inject and the instruction vary, so nothing is served from the cache.
    requests = [(injects[i % len(injects)]["id"], f"plus court, variante {i}") for i in range(args.calls)]
    sample = [(injects[i % len(injects)]["id"], f"ton plus neutre, variante {i}") for i in range(args.sample)]

    with FakeLLMServer(latency=args.latency) as server, tempfile.TemporaryDirectory() as cache:

        def client(concurrency: int) -> Any:
            return LLMClient(
                model="bench",
                base_url=server.base_url,
                timeout=30,
                concurrency=concurrency,
                cache_dir=Path(cache),
            )

        start = time.perf_counter()
        sequential = Assistant(client(1)).rewrite_many(scenario, sample)
        sample_seconds = time.perf_counter() - start
        baseline = sample_seconds * args.calls / args.sample

        server.reset()
        start = time.perf_counter()
        concurrent = Assistant(client(args.concurrency)).rewrite_many(scenario, requests)
        wall = time.perf_counter() - start
        calls = server.chat_calls
        peak = server.max_in_flight

        server.reset()
        cached_client = client(args.concurrency)
        start = time.perf_counter()
        again = Assistant(cached_client).rewrite_many(scenario, requests)
        rerun = time.perf_counter() - start

    failures = sum(not p.ok for p in [*sequential, *concurrent, *again])
    print(f"server latency {args.latency:.2f} s per answer; {args.calls} rewrite calls")
    print(f"sequential baseline: {args.sample} calls measured in {sample_seconds:.2f} s "
          f"-> {baseline:.1f} s extrapolated to {args.calls} calls")  # fmt: skip
    print(
        f"bounded concurrency {args.concurrency}: {wall:.2f} s wall, {calls} requests, peak {peak} in flight"
    )
    print(f"speed-up vs sequential: {baseline / wall:.1f}x")
    hits = cached_client.cache_hits
    print(f"re-run from cache: {rerun:.3f} s, {server.chat_calls} requests, {hits} cache hits")
    print(f"failed proposals: {failures}")
    ok = wall <= 15 and baseline / wall >= 6 and server.chat_calls == 0 and failures == 0
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
