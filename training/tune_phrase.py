"""Tune the phrase-based engine's log-linear weights on ../shared/data/mt-dev-domain/ (chrF).

    nice -n 10 .venv/bin/python -m training.tune_phrase [--package P.argosmodel] [--rounds 2]

Coordinate ascent: for each weight in turn, try it scaled (x0.5, x1.5), shifted (+-step) and
sign-flipped, keep the best corpus chrF (sacreBLEU) of the dev set translated through the
pipeline's own engine (``PhraseTranslator.translate_texts``: post-edits included); repeat for
``--rounds`` rounds. Only the in-domain dev set is used: never the test sets under mt-eval/.
Writes ``training/work/phrase/weights.json`` (then rebuild the package with
``training.package_phrase``) and logs every trial to ``training/work/phrase/tune.log``.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
import zipfile
from pathlib import Path

from .package_phrase import MODELS, NAME
from .phrases import OUT as WORK

ROOT = Path(__file__).resolve().parent.parent
DEV = (ROOT / ".." / "shared" / "data" / "mt-dev-domain").resolve()


def load(package: Path, folder: Path):
    """A ``PhraseTranslator`` over ``package`` unpacked into ``folder``."""
    from pipeline.models import InstalledModel
    from pipeline.translate import PhraseTranslator

    with zipfile.ZipFile(package) as z:
        z.extractall(folder)
    path = folder / NAME
    model = InstalledModel(name=NAME, path=path, kind="embedded-phrase", version="tuning",
                           model_dir=path, sp_source=path, sp_target=path)
    return PhraseTranslator(model)


def chrf(translator, sources: list[str], refs: list[str]) -> float:
    import sacrebleu

    return sacrebleu.corpus_chrf(translator.translate_texts(sources), [refs]).score


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package", type=Path, default=MODELS / f"{NAME}.argosmodel")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--step", type=float, default=0.3)
    args = ap.parse_args(argv)
    sources = (DEV / "dev.vi").read_text(encoding="utf-8").rstrip("\n").split("\n")
    refs = (DEV / "dev.en").read_text(encoding="utf-8").rstrip("\n").split("\n")
    with tempfile.TemporaryDirectory() as tmp, open(WORK / "tune.log", "a", encoding="utf-8") as log:
        translator = load(args.package, Path(tmp))
        translator._load()
        weights = translator.weights
        t0 = time.time()
        best = chrf(translator, sources, refs)
        log.write(f"start chrF {best:.2f} {json.dumps(weights)} ({time.time() - t0:.0f}s)\n")
        log.flush()
        for rnd in range(args.rounds):
            for name in list(weights):
                start = weights[name]
                for value in sorted({start * 0.5, start * 1.5, start + args.step, start - args.step, -start}):
                    weights[name] = value
                    score = chrf(translator, sources, refs)
                    log.write(f"round {rnd} {name}={value:.3f}: chrF {score:.2f}\n")
                    log.flush()
                    if score > best + 0.01:
                        best, start = score, value
                weights[name] = start
            log.write(f"after round {rnd}: chrF {best:.2f} {json.dumps(weights)}\n")
            log.flush()
            (WORK / "weights.json").write_text(json.dumps(weights, indent=2) + "\n")
    print(f"dev chrF {best:.2f}; weights -> {WORK / 'weights.json'}")


if __name__ == "__main__":
    main()
