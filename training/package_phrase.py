"""Assemble the phrase-based package (``vien.kind: embedded-phrase``) from its parts.

    nice -n 10 .venv/bin/python -m training.package_phrase [--weights W.json] [--top N] [--out DIR]

Parts (``training/work/phrase/``): ``phrases.tsv.gz`` (``training.phrases``), ``lm.arpa.gz``
(``training.lm``) and the tuned weights (``training.tune_phrase``; ``DEFAULT_WEIGHTS`` otherwise).
Dictionary evidence is merged into the phrase table, each pair marked by origin:

- ``lexicon``: the project's domain lexicon ``training/lexicon/news-vi_en.tsv`` (first line of a
  ``vi`` preferred; ``-`` = dropped);
- ``names``: the entity stage's canonical English names of countries (Babel/CLDR), country
  aliases, places and organisations (``pipeline/entities/resources/``);
- ``dictionary``: FVDP Vietnamese-English (``../shared/data/mt-train/fvdp-vietanh.json``,
  GPL-2.0-or-later): the first senses of each headword, up to two English renderings.

A dictionary pair that the corpus table already holds keeps its corpus scores. Dictionary pairs
get fixed scores (p = 1/rank, no lexical evidence) and an indicator feature whose weight the
tuning sets (``dictionary`` for FVDP, ``lexicon`` for the lexicon and the names). Writes ``DIR/translate-vi_en-vien_phrase.argosmodel`` (``models/phrase/`` by default).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import unicodedata
import zipfile
from pathlib import Path

from .build import CITATION, DATA_CREDITS, argos_metadata
from .phrases import OUT as WORK

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models" / "phrase"
NAME = "translate-vi_en-vien_phrase"
RESOURCES = ROOT / "pipeline" / "entities" / "resources"
LEXICON = ROOT / "training" / "lexicon" / "news-vi_en.tsv"
FVDP = (ROOT / ".." / "shared" / "data" / "mt-train" / "fvdp-vietanh.json").resolve()
DEFAULT_WEIGHTS = {"pef": 0.2, "pfe": 0.2, "lexef": 0.2, "lexfe": 0.2, "phrase": -0.5, "words": 0.3,
                   "dictionary": -1.0, "lexicon": 1.0, "unknown": -5.0, "lm": 1.0, "swap": -1.0}
FVDP_LICENCE = "GPL-2.0-or-later (FVDP Vietnamese-English dictionary, Free Vietnamese Dictionary Project)"


def _key(vi: str) -> str:
    from underthesea import text_normalize

    return " ".join(text_normalize(unicodedata.normalize("NFC", vi)).lower().split())


def lexicon_pairs(path: Path = LEXICON) -> list[tuple[str, str]]:
    """(vi, en) of the domain lexicon, preferred rendering first."""
    pairs = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            pairs.append((row["vi"], "" if row["en"].strip() == "-" else row["en"]))
    return pairs


def name_pairs() -> list[tuple[str, str]]:
    """(Vietnamese name, canonical English name) from the entity stage's resources."""
    pairs, names = [], {}
    for row in _tsv(RESOURCES / "countries.tsv"):
        names[row["code"]] = row["name_en"]
        pairs.append((row["name_vi"], row["name_en"]))
    for row in _tsv(RESOURCES / "country_aliases.tsv"):
        for alias in row["aliases"].split("|"):
            pairs.append((alias, row["name_en"] or names.get(row["code"], "")))
    for table in ("places.tsv", "organisations.tsv"):
        for row in _tsv(RESOURCES / table):
            pairs += [(alias, row["name_en"]) for alias in row["names"].split("|")]
    return [(vi, en) for vi, en in pairs if vi.strip() and vi != en and any(ord(c) > 127 for c in vi)]


def _tsv(path: Path):
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def fvdp_pairs(senses: int = 2) -> list[tuple[str, str]]:
    """(headword, English) for the first ``senses`` renderings of each FVDP entry."""
    data = json.loads(FVDP.read_text(encoding="utf-8"))
    pairs = []
    for head, entry in data.items():
        glosses = []
        for definition in entry.get("definitions", []):
            for line in definition.split("\n"):
                if line.startswith("-"):
                    text = re.sub(r"\([^)]*\)", "", line[1:]).strip()
                    glosses += [g.strip() for g in re.split(r"[,;]", text) if g.strip()]
        for gloss in glosses[:senses]:
            gloss = re.sub(r"^(?:to|To) ", "", gloss)
            if gloss and len(gloss.split()) <= 4:
                pairs.append((head, gloss[0].lower() + gloss[1:] if not gloss[1:2].isupper() else gloss))
    return pairs


def tokens(en: str) -> str:
    from .wordbyword import tokenize_en

    return " ".join(tokenize_en(en))


def merged_table(path: Path, lexicon: Path = LEXICON) -> tuple[list[str], dict[str, int]]:
    """The corpus table's lines plus the dictionary pairs it lacks, and the counts per origin."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    known = {tuple(line.split("\t")[:2]) for line in lines}
    counts = {"corpus": len(lines), "lexicon": 0, "names": 0, "dictionary": 0}
    for origin, pairs in (("lexicon", lexicon_pairs(lexicon)), ("names", name_pairs()), ("dictionary", fvdp_pairs())):
        rank: dict[str, int] = {}
        for vi, en in pairs:
            key, en = _key(vi), tokens(en)
            if (key, en) in known:
                continue
            known.add((key, en))
            rank[key] = rank.get(key, 0) + 1
            links = " ".join(f"{i}-{j}" for i in range(len(key.split())) for j in range(len(en.split())))
            lines.append(f"{key}\t{en}\t1\t{1 / rank[key]:.4g}\t1\t1\t1\t{links}\t{origin}")
            counts[origin] += 1
    return lines, counts


def package(weights: dict[str, float], out_dir: Path, scores: dict | None = None,
            phrases: Path = WORK / "phrases.tsv.gz", lexicon: Path = LEXICON) -> Path:
    lines, counts = merged_table(phrases, lexicon)
    meta = {
        **argos_metadata("vien_phrase", "vien phrase-based vi-en (embedded statistical translator)"),
        "vien": {
            "kind": "embedded-phrase", "phrases": "phrases.tsv.gz", "lm": "lm.arpa.gz", "weights": weights,
            "entries": counts,
            "note": ("Phrase-based statistical vi->en translation (phrase table + trigram LM, monotone beam "
                     "search with adjacent-phrase swaps), run by vien's pipeline/translate/phrase.py; "
                     "argostranslate itself cannot run it. The official Argos translate-vi_en package "
                     "translates far better where it can be installed."),
            "scores": scores or {},
            "data": [*DATA_CREDITS,
                     {"name": "FVDP Vietnamese-English dictionary", "licence": FVDP_LICENCE},
                     {"name": "vien domain lexicon training/lexicon/news-vi_en.tsv", "licence": "Apache-2.0"},
                     {"name": "country names from Unicode CLDR via Babel", "licence": "Unicode-3.0"}],
            "citation": CITATION,
            "terms": ("Built partly from EVBNews (EVBCorpus), which is free for research use only: use this "
                      "package for research, and cite Ngo & Winiwarter (IALP 2012). The phrase table holds "
                      "entries of the FVDP dictionary (GPL-2.0-or-later)."),
        },
    }
    readme = "\n".join([
        f"# {meta['name']}", "", meta["vien"]["note"], "", "Terms: " + meta["vien"]["terms"], "",
        "Built by training/phrases.py, training/lm.py, training/tune_phrase.py and training/package_phrase.py "
        "in the vien repository; see models/phrase/SOURCE.md there.", ""])
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{NAME}.argosmodel"
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{NAME}/metadata.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        z.writestr(f"{NAME}/README.md", readme)
        z.writestr(f"{NAME}/phrases.tsv.gz", gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), 6),
                   compress_type=zipfile.ZIP_STORED)
        z.write(WORK / "lm.arpa.gz", f"{NAME}/lm.arpa.gz", compress_type=zipfile.ZIP_STORED)
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=Path, default=WORK / "weights.json")
    ap.add_argument("--scores", type=Path, help="scores JSON to record in the metadata")
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument("--phrases", type=Path, default=WORK / "phrases.tsv.gz", help="the corpus phrase table")
    ap.add_argument("--lexicon", type=Path, default=LEXICON,
                    help="the domain lexicon (e.g. its last commit: git show HEAD:training/lexicon/news-vi_en.tsv)")
    args = ap.parse_args(argv)
    weights = json.loads(args.weights.read_text("utf-8")) if args.weights.exists() else DEFAULT_WEIGHTS
    scores = json.loads(args.scores.read_text("utf-8")) if args.scores else None
    target = package(weights, args.out, scores, args.phrases, args.lexicon)
    print(f"{target} ({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
