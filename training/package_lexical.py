"""Package the word-by-word lexicon as an installable vi->en package (``vien.kind: embedded-lexical``).

    python -m training.package_lexical [--scores SCORES.json]

Reads ``models/wordbyword/lexicon-vi_en.tsv.gz`` and its ``scores.json`` (dev split, FLORES-200,
NTREX-128; measured by ``training.wordbyword eval`` or, better, by ``vien eval translation`` through
the pipeline's own engine, ``pipeline/translate/lexical.py``) and writes
``models/wordbyword/translate-vi_en-vien_wordbyword.argosmodel``: a zip with one top folder holding
``metadata.json``, the lexicon and a README, installable with ``vien models install --file``.
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

from .build import CITATION, DATA_CREDITS, argos_metadata

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "models" / "wordbyword"
NAME = "translate-vi_en-vien_wordbyword"
LEXICON = "lexicon-vi_en.tsv.gz"


def metadata(scores: dict) -> dict:
    name = "vien word-by-word vi-en (lexical baseline: a gloss, not fluent English)"
    return {
        **argos_metadata("vien_wordbyword", name),
        "vien": {
            "kind": "embedded-lexical",
            "lexicon": LEXICON,
            "note": ("Word-by-word glosses from a lexical table learnt with eflomal on vien's training data: "
                     "Vietnamese word order, no fluency. Not an Argos neural model: argostranslate itself "
                     "cannot run it; vien runs it with pipeline/translate/lexical.py. Install the official Argos "
                     "translate-vi_en package for real translation."),
            "scores": scores,
            "scores_note": ("sacreBLEU 2.x corpus BLEU/chrF. 'dev' is a split carved from the training data "
                            "and used for choices; flores200-devtest and ntrex128 are reported only."),
            "data": DATA_CREDITS,
            "citation": CITATION,
            "terms": ("Built partly from EVBNews (EVBCorpus), which is free for research use only: use this "
                      "table for research, and cite Ngo & Winiwarter (IALP 2012)."),
        },
    }


def package(scores: dict, out_dir: Path = OUT) -> Path:
    meta = metadata(scores)
    readme = "\n".join([
        f"# {meta['name']}", "",
        "A vi->en lexical table (one English rendering per Vietnamese word, as underthesea segments words), "
        "applied word by word by vien's `pipeline/translate/lexical.py`. Built by `training/wordbyword.py`; see "
        "models/wordbyword/SOURCE.md in the vien repository.", "",
        "Training data: EVBNews v1 (EVBCorpus; free for research use only; cite: " + CITATION + "), "
        "LibreOffice 7.4 help (MPL-2.0), Dive into Deep Learning vi/en (CC BY-SA 4.0).", "",
        "Scores (sacreBLEU): " + json.dumps(scores), ""])
    target = out_dir / f"{NAME}.argosmodel"
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{NAME}/metadata.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        z.writestr(f"{NAME}/README.md", readme)
        z.write(out_dir / LEXICON, f"{NAME}/{LEXICON}")
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scores", type=Path, default=OUT / "scores.json", help="scores JSON to record")
    args = ap.parse_args(argv)
    target = package(json.loads(args.scores.read_text("utf-8")))
    print(f"{target} ({target.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
