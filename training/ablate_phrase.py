"""What each ingredient of the phrase-based package adds: chrF/BLEU without it, weights unchanged.

    nice -n 10 .venv/bin/python -m training.ablate_phrase [--package P.argosmodel] [--sets dev,flores]

Variants (each one ingredient removed from the full package, the tuned weights kept, not re-tuned):
no domain lexicon, no entity-stage names, no FVDP dictionary (their rows dropped from the phrase
table), no phrases (source phrases of one segmenter word only), no language model (its weight 0), no word
order (no swaps), no dates rule; plus the full package. Scored with sacreBLEU on mt-dev-domain
(dev; tuning set) and FLORES-200 devtest (test: measured only). Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import gzip
import tempfile
from pathlib import Path

from .package_phrase import MODELS, NAME
from .tune_phrase import DEV, load

SETS = {"dev": DEV / "dev", "flores": DEV.parent / "mt-eval" / "flores200-devtest"}
VARIANTS = ["full", "-lexicon", "-names", "-dictionary", "-phrases", "-lm", "-swap", "-dates"]


def variant(package: Path, name: str, folder: Path):
    """The translator for one variant, its table filtered in ``folder`` where needed."""
    from pipeline.translate import phrase

    translator = load(package, folder)
    table = translator.model.path / "phrases.tsv.gz"
    if name in ("-lexicon", "-names", "-dictionary"):
        with gzip.open(table, "rt", encoding="utf-8") as fh:
            rows = [row for row in fh if not row.rstrip("\n").endswith("\t" + name[1:])]
        with gzip.open(table, "wt", encoding="utf-8") as fh:
            fh.writelines(rows)
    translator._load()
    if name == "-lm":
        translator.weights["lm"] = 0.0
    if name == "-swap":
        translator.settings["swap"] = False
    if name == "-dates":
        phrase.dates = lambda words: {}
    if name == "-phrases":
        phrase.MAX_WORDS = 1
    return translator


def main(argv=None) -> None:
    import sacrebleu

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package", type=Path, default=MODELS / f"{NAME}.argosmodel")
    ap.add_argument("--sets", default="dev,flores")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args(argv)
    sets = args.sets.split(",")
    data = {s: [(SETS[s].parent / (SETS[s].name + ext)).read_text(encoding="utf-8").rstrip("\n").split("\n")
                for ext in (".vi", ".en")] for s in sets}
    print("| variant | " + " | ".join(f"{s} chrF | {s} BLEU" for s in sets) + " |")
    print("|---|" + "---:|---:|" * len(sets))
    from pipeline.translate import phrase

    dates, max_words = phrase.dates, phrase.MAX_WORDS
    for name in args.variants.split(","):
        phrase.dates, phrase.MAX_WORDS = dates, max_words  # a variant changes them for its own run only
        with tempfile.TemporaryDirectory() as tmp:
            translator = variant(args.package, name, Path(tmp))
            cells = []
            for s in sets:
                src, ref = data[s]
                hyp = translator.translate_texts(src)
                cells += [f"{sacrebleu.corpus_chrf(hyp, [ref]).score:.1f}", f"{sacrebleu.corpus_bleu(hyp, [ref]).score:.1f}"]
            print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
