"""Entities: syllables/s of vien's entity stage against underthesea's ``ner`` alone, same text, one run.

The text is the corpus of ``bench/corpus.py`` (default: the seed plus the MT test sets' Vietnamese,
cut into articles). Every article is read and segmented first (not timed); then, over the same
sentences:

- ``entity stage``: ``EntityRecognizer`` on the segmented documents (the stage as the pipeline runs it);
- ``segment + entity``: our segmentation and the entity stage together, for a like-for-like view,
  since ``ner`` segments, POS-tags and chunks internally;
- ``underthesea ner``: ``underthesea.ner(sentence)`` for each of our sentences.

Both CPU seconds of this process (steadier on a shared machine) and wall seconds are printed, with
the ratios against ``ner``. ``--profile N`` prints the entity stage's N most expensive functions
(cProfile, cumulative time).

Usage: ``python bench/entities.py [--corpus mt-eval|viwiki] [--articles 20] [--repeat 3] [--profile 25]``
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import CORPORA, make_corpus, syllables  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    """Best of ``repeat``: (CPU seconds, wall seconds)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        best = min(best, (time.process_time() - c0, time.perf_counter() - w0))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, default="mt-eval")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each")
    parser.add_argument("--profile", type=int, metavar="N", help="print the entity stage's top N functions")
    args = parser.parse_args(argv)

    from underthesea import ner

    from pipeline.entities import EntityRecognizer
    from pipeline.ingest import read_document
    from pipeline.segment import Segmenter

    segmenter, recognizer = Segmenter(), EntityRecognizer()
    with tempfile.TemporaryDirectory(prefix="vien-bench-") as tmp:
        docs = [segmenter(read_document(p)) for p in make_corpus(Path(tmp), args.corpus, args.articles)]
    sentences = [d.vi.text[s.start:s.end] for d in docs for s in d.vi.sentences]
    n_syl = sum(syllables(s) for s in sentences)

    def entity_stage():
        for doc in docs:
            recognizer(doc)

    def segment_and_entities():
        for doc in docs:
            recognizer(segmenter(doc))

    def underthesea_ner():
        for sentence in sentences:
            ner(sentence)

    entity_stage()  # warm caches (gazetteer automaton, CRF model) before timing
    ner(sentences[0])
    rows = [("entity stage", timed(entity_stage, args.repeat)),
            ("segment + entity", timed(segment_and_entities, args.repeat)),
            ("underthesea ner", timed(underthesea_ner, max(1, args.repeat - 1)))]
    base_cpu, base_wall = rows[-1][1]
    print(f"corpus={args.corpus} articles={len(docs)} sentences={len(sentences)} syllables={n_syl} "
          f"mentions={sum(len(d.vi.entities) for d in docs)}")
    print(f"{'':18} {'cpu_s':>7} {'syl/s (cpu)':>12} {'x ner':>6} {'wall_s':>7} {'syl/s (wall)':>13} {'x ner':>6}")
    for name, (cpu, wall) in rows:
        print(f"{name:18} {cpu:7.2f} {n_syl / cpu:12.0f} {base_cpu / cpu:6.1f} {wall:7.2f} "
              f"{n_syl / wall:13.0f} {base_wall / wall:6.1f}")
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(entity_stage)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
