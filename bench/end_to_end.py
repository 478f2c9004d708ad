"""End to end: articles/min, sentences/s, the time of each stage, and peak memory of one run.

Builds a corpus of real text (``bench/corpus.py``: the seed plus the MT test sets' Vietnamese cut
into articles, or viwiki-1000) in a temporary folder and annotates it with ``pipeline.run.annotate``
exactly as ``vien annotate`` does, with the executor asked for. Prints:

- articles, sentences and syllables; wall seconds (model loading included, reported apart too);
  articles/min, sentences/s, syllables/s;
- seconds per stage (ingest, segment, entities, translate, align, frames = frames + JSON + schema
  validation) and each stage's share of their sum; ``other`` is the rest of the wall time (journal,
  writing files). With ``--executor pool`` the workers send their stage seconds back with each
  article, so the stages are summed over processes that run side by side and their sum exceeds the
  wall time; what the run shows instead is the wall time during which translation was not running.
  With ``dask`` no stage is timed here;
- peak RSS: of this process (``getrusage``), and of this process with all its children, sampled
  every 0.1 s (needs psutil: ``pip install 'vien[bench]'``).

Usage::

    python bench/end_to_end.py [--corpus mt-eval|viwiki] [--articles N] [--executor local|pool|dask]
                               [--workers N] [--model NAME | --no-translate] [--batch-size N] [--json]

The machine's load changes the figures; compare executors or settings within one run
(``bench/executors.py``), never across days.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import CORPORA, make_corpus, syllables  # noqa: E402
from pipeline.executors import EXECUTORS, make_executor  # noqa: E402
from pipeline.run import Runner, Settings, annotate  # noqa: E402

STAGES = ("ingest", "segment", "entities", "translate", "align", "frames")


class TreeMemory:
    """Peak summed RSS of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.1) -> None:
        self.peak = 0
        self.interval = interval
        self._stop = threading.Event()
        try:
            import psutil
        except ImportError:
            self._thread = None
            return
        self._me = psutil.Process()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self._me, *self._me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def available(self) -> bool:
        return self._thread is not None


def run(inputs: Path, outdir: Path, settings: Settings, executor_name: str, workers: int | None) -> dict:
    executor = make_executor(executor_name, workers=workers)
    with TreeMemory() as memory:
        t0 = time.perf_counter()
        runner = Runner(settings, threads=executor.translate_threads)
        if executor_name == "local":  # the models it would load on the first article (a pool's workers load theirs)
            runner.load()
        startup = time.perf_counter() - t0
        report = annotate([inputs], outdir, settings, progress=False, runner=runner, executor=executor)
        wall = time.perf_counter() - t0
    ok = report.ok
    texts = [p.read_text("utf-8", errors="replace") for p in sorted(inputs.iterdir())]
    stages = {name: round(runner.timings.get(name, 0.0), 3) for name in STAGES}
    measured = sum(stages.values())
    return {
        "executor": executor_name,
        "workers": executor.worker_count(settings.translate) if hasattr(executor, "worker_count")
        else getattr(executor, "workers", 1),
        "translate": settings.translate,
        "model": runner.producer.get("model", {}).get("name"),
        "articles": len(report.records), "ok": len(ok), "failed": len(report.failed),
        "sentences": sum(r["sentences"] for r in ok), "syllables": sum(syllables(t) for t in texts),
        "wall_s": round(wall, 2), "startup_s": round(startup, 2),
        "articles_per_min": round(len(ok) / wall * 60, 1),
        "sentences_per_s": round(sum(r["sentences"] for r in ok) / wall, 1),
        "stages_s": stages, "other_s": round(wall - startup - measured, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_tree_rss_mb": round(memory.peak / 2**20) if memory.available else None,
    }


def show(r: dict) -> None:
    print(f"executor={r['executor']} workers={r['workers']} translate={r['translate']} model={r['model']}")
    print(f"articles={r['articles']} ok={r['ok']} failed={r['failed']} sentences={r['sentences']} "
          f"syllables={r['syllables']}")
    print(f"wall_s={r['wall_s']} (startup {r['startup_s']}) articles_per_min={r['articles_per_min']} "
          f"sentences_per_s={r['sentences_per_s']} syllables_per_s={r['syllables'] / r['wall_s']:.0f}")
    measured = sum(r["stages_s"].values())
    if measured:
        summed = " (summed over this process and the workers, which run side by side)" \
            if r["executor"] == "pool" else ""
        print(f"{'stage':10} {'seconds':>8} {'share':>6}{summed}")
        for name, seconds in r["stages_s"].items():
            print(f"{name:10} {seconds:8.2f} {seconds / measured:6.1%}")
        if r["executor"] == "local":
            print(f"{'other':10} {r['other_s']:8.2f}   (journal, writes; not in the shares)")
        if r["translate"]:
            translate = r["stages_s"]["translate"]
            print(f"translate: {r['sentences'] / max(translate, 1e-9):.1f} sentences/s")
            rest = measured - translate
            print(f"non-translation stages: {rest:.2f} s = {rest / measured:.1%} of the stages' time"
                  + (" (CPU-bound, beside translation)" if r["executor"] == "pool" else ""))
            if r["executor"] == "pool":  # the other stages run beside translation: what do they add?
                run = r["wall_s"] - r["startup_s"]
                print(f"translation ran {translate:.2f} s of the run's {run:.2f} s after startup; the other "
                      f"{run - translate:.2f} s ({(run - translate) / run:.1%}) is what the non-translation "
                      f"stages added (waiting for the workers, writes)")
    tree = f"{r['peak_tree_rss_mb']} MB" if r["peak_tree_rss_mb"] is not None else "n/a (pip install psutil)"
    print(f"peak_rss_mb={r['peak_rss_mb']} (this process)  peak_tree_rss_mb={tree} (with workers)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, default="mt-eval")
    parser.add_argument("--input", help="annotate this folder instead of building a corpus")
    parser.add_argument("--articles", type=int, help="at most this many articles")
    parser.add_argument("--executor", choices=EXECUTORS, default="local")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--model", help="translation model name (default: the preferred installed one)")
    parser.add_argument("--no-translate", action="store_true")
    parser.add_argument("--batch-size", type=int, default=Settings.batch_size)
    parser.add_argument("--json", action="store_true", help="print one JSON object (for bench/executors.py)")
    args = parser.parse_args(argv)
    settings = Settings(translate=not args.no_translate, model=args.model, batch_size=args.batch_size,
                        force=True)
    with tempfile.TemporaryDirectory(prefix="vien-bench-") as tmp:
        inputs = Path(args.input) if args.input else Path(tmp) / "in"
        if not args.input:
            make_corpus(inputs, args.corpus, args.articles)
        result = run(inputs, Path(tmp) / "out", settings, args.executor, args.workers)
    result["corpus"] = args.input or args.corpus
    if args.json:
        print(json.dumps(result))
    else:
        show(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
