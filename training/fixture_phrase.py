"""TEST FIXTURE: a tiny phrase-based package built in a second from hand-written pairs.

    .venv/bin/python -m training.fixture_phrase OUT_DIR

Not a translator: a dozen phrase pairs and a trigram LM estimated (``training.lm``) on a few
English sentences written for the tests, packaged like the real ``embedded-phrase`` package but
with ``vien.kind = "fixture-phrase"``, which no default ever picks. The tests use it to check the
engine (search, swaps, dropped words, unknown words), its alignment and the install path.
"""
from __future__ import annotations

import argparse
import gzip
import json
import zipfile
from pathlib import Path

from .build import argos_metadata
from .lm import estimate, write_arpa

NAME = "translate-vi_en-vien_phrase_fixture"
# vi syllables, English, links (source syllable - English token), count: written for the tests
PAIRS = [
    ("phi công", "pilot", "0-0 1-0", 10), ("phi công", "the pilot", "0-1 1-1", 6),
    ("bay", "flew", "0-0", 8), ("bay", "fly", "0-0", 4), ("bay tới", "flew to", "0-0 1-1", 5),
    ("tới", "to", "0-0", 9), ("nhật bản", "Japan", "0-0 1-0", 12), ("liên xô", "Soviet", "0-0 1-0", 7),
    ("máy bay", "aircraft", "0-0 1-0", 11), ("hiện đại", "modern", "0-0 1-0", 6),
    ("hiện đại nhất", "most modern", "2-0 0-1 1-1", 3), ("chiếc", "", "", 9), ("của", "of", "0-0", 9),
    ("họ", "they", "0-0", 5), ("họ", "their", "0-0", 4), (".", ".", "0-0", 20), ("lực đẩy", "thrust", "0-0 1-0", 4),
    ("đạt", "reached", "0-0", 4), ("ở", "at", "0-0", 6), ("người mỹ", "Americans", "0-0 1-0", 3),
]
ENGLISH = [
    "the pilot flew to Japan .", "the Soviet pilot flew to Japan .", "their most modern aircraft .",
    "a modern aircraft flew to Japan .", "the modern aircraft of the pilot .", "thrust reached 12,246 kg .",
    "they flew the most modern aircraft .", "the aircraft flew at Mach 2.8 .",
]
WEIGHTS = {"pef": 1.0, "pfe": 0.5, "lexef": 0.0, "lexfe": 0.0, "phrase": -0.2, "words": 0.2,
           "dictionary": 0.0, "lexicon": 0.0, "unknown": -3.0, "lm": 1.0, "swap": -0.5}


def build(out_dir: Path) -> Path:
    """Write ``out_dir/translate-vi_en-vien_phrase_fixture.argosmodel``; returns its path."""
    per_source: dict[str, int] = {}
    per_target: dict[str, int] = {}
    for vi, en, _, count in PAIRS:
        per_source[vi] = per_source.get(vi, 0) + count
        per_target[en] = per_target.get(en, 0) + count
    table = "".join(f"{vi}\t{en}\t{c}\t{c / per_source[vi]:.4g}\t{c / per_target[en]:.4g}\t0.5\t0.5\t{links}\tcorpus\n"
                    for vi, en, links, c in PAIRS)
    meta = {**argos_metadata("vien_phrase_fixture", "vien phrase-based TEST FIXTURE (not a translator)"),
            "vien": {"kind": "fixture-phrase", "phrases": "phrases.tsv.gz", "lm": "lm.arpa.gz", "weights": WEIGHTS,
                     "note": "TEST FIXTURE for vien's tests: a dozen hand-written phrase pairs. Never a default.",
                     "data": [{"name": "hand-written for vien's tests", "licence": "Apache-2.0"}]}}
    out_dir.mkdir(parents=True, exist_ok=True)
    lm = out_dir / "fixture-lm.arpa.gz"
    write_arpa(estimate([s.split() for s in ENGLISH], prune_trigram_singletons=False), lm)
    target = out_dir / f"{NAME}.argosmodel"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{NAME}/metadata.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        z.writestr(f"{NAME}/README.md", "TEST FIXTURE for vien's tests (training/fixture_phrase.py); not a translator.\n")
        z.writestr(f"{NAME}/phrases.tsv.gz", gzip.compress(table.encode("utf-8")))
        z.write(lm, f"{NAME}/lm.arpa.gz")
    lm.unlink()
    return target


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    print(build(ap.parse_args(argv).out))


if __name__ == "__main__":
    main()
