"""Executors: local against a process pool against a Dask LocalCluster, same corpus, one run.

Builds the corpus once (``bench/corpus.py``), then runs ``bench/end_to_end.py --json`` on it once per
executor, each in its own process (so each has its own peak RSS and loads its own models; wall
time includes starting workers and loading models). With ``--rounds 2`` or more the executors
take turns round after round and the best wall time of each is kept, which evens out a machine
whose load drifts. Prints wall seconds, articles/min, sentences/s, peak RSS with workers, and the
speed of each executor relative to ``local`` (local wall / its wall).

Usage::

    python bench/executors.py [--corpus mt-eval|viwiki] [--articles 40] [--workers N]
                              [--executors local,pool,dask] [--rounds 1] [--model NAME | --no-translate]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import CORPORA, make_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, default="mt-eval")
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--workers", type=int, help="worker processes (default: each executor's own)")
    parser.add_argument("--executors", default="local,pool,dask")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--model")
    parser.add_argument("--no-translate", action="store_true")
    args = parser.parse_args(argv)

    best: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="vien-bench-") as tmp:
        inputs = Path(tmp) / "in"
        make_corpus(inputs, args.corpus, args.articles)
        for _ in range(args.rounds):
            for name in args.executors.split(","):
                cmd = [sys.executable, str(ROOT / "bench" / "end_to_end.py"), "--input", str(inputs),
                       "--executor", name, "--json"]
                cmd += ["--workers", str(args.workers)] if args.workers else []
                cmd += ["--model", args.model] if args.model else []
                cmd += ["--no-translate"] if args.no_translate else []
                done = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    print(done.stderr[-3000:], file=sys.stderr)
                    return done.returncode
                result = json.loads(done.stdout.strip().splitlines()[-1])
                if name not in best or result["wall_s"] < best[name]["wall_s"]:
                    best[name] = result
    first = next(iter(best.values()))
    print(f"corpus={args.corpus} articles={first['articles']} sentences={first['sentences']} "
          f"translate={first['translate']} model={first['model']} rounds={args.rounds}")
    base = best.get("local")
    print(f"{'executor':10} {'workers':>7} {'wall_s':>7} {'art/min':>8} {'sent/s':>7} {'peak_rss_mb':>11} "
          f"{'x local':>7}")
    for name, r in best.items():
        ratio = f"{base['wall_s'] / r['wall_s']:7.2f}" if base else "      -"
        workers = r["workers"] if name != "local" else "-"
        rss = r["peak_tree_rss_mb"] or r["peak_rss_mb"]
        print(f"{name:10} {workers:>7} {r['wall_s']:7.1f} {r['articles_per_min']:8.1f} "
              f"{r['sentences_per_s']:7.1f} {rss:11} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
