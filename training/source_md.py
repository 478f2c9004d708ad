"""Write models/<preset>/SOURCE.md from training/work/<preset>/result.json (called by training.build).

    python -m training.source_md --preset fixture
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.archive import sha256_file

ROOT = Path(__file__).resolve().parent.parent

CITATION = (
    "Quoc Hung Ngo and Werner Winiwarter. 2012. *A Visualizing Annotation Tool for Semi-Automatically "
    "Building a Bilingual Corpus* (EVBCorpus). Proceedings of the International Conference on Asian "
    "Language Processing (IALP 2012)."
)


def write(preset: str, work: Path | None = None, out: Path | None = None) -> Path:
    work = work or ROOT / "training" / "work" / preset
    out = out or ROOT / "models" / preset
    res = json.loads((work / "result.json").read_text())
    info, scores = res["info"], res["scores"]
    cfg = info["config"]
    pkg = next(out.glob("*.argosmodel"))
    fixture = cfg["kind"] == "fixture"
    lines = [f"# {pkg.name}", ""]
    if fixture:
        lines += [
            "**This is a TEST FIXTURE, not a translator.** It is a tiny vi->en model trained for a few "
            "minutes so that vien's tests can exercise the Argos package install path, CTranslate2 "
            "batched translation, attention-based alignment and entity projection offline. Its output "
            "is mostly wrong English. It must never be the default translator.",
            "",
        ]
    else:
        lines += [
            "vien's embedded neural vi->en model: a small Transformer the project trained itself on a "
            "shared 2-core CPU (see `docs/training.md`). It saw about 1.2 epochs of the data (1,250 steps of ~1,650 target tokens after the fixture's 300) and is "
            "**very weak**: compare its scores below with the word-by-word baseline "
            "(`models/wordbyword/SOURCE.md`, dev chrF 41.8), which scores far higher. The official Argos "
            "`translate-vi_en` package is the real translator; install it where possible.",
            "",
        ]
    lines += [
        "## How it was made",
        "",
        "From the repository root, in the training virtual environment (`training/README.md`):",
        "",
        "```",
        "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 nice -n 10 .venv-train/bin/" + info["recipe"].replace(
            "python -m", "python -m", 1),
        "```",
        "",
        f"- built {info['built_utc']} on {info['hardware']} (shared with other work); "
        f"training {info['train_minutes']} min wall-clock",
        f"- trainer: {info['trainer']}",
        *([f"- initialised from the `{cfg['init_from']}` preset's last checkpoint and SentencePiece model "
           f"(OpenNMT-py `-train_from`: weights, optimiser and step count), then trained on all the "
           f"training pairs; the time above is this continuation only"] if cfg.get("init_from") else []),
        f"- training pairs: {info['train_pairs']} (after cleaning; dev split of "
        f"{scores['dev']['sentences']} pairs held out)",
        f"- model: Transformer {cfg['layers_enc']}+{cfg['layers_dec']} layers, d_model {cfg['d_model']}, "
        f"FFN {cfg['ff']}, {cfg['heads']} heads, shared embeddings, joint SentencePiece unigram "
        f"{cfg['vocab_size']} pieces",
        f"- optimisation: Adam (0.9, 0.98), noam schedule with peak LR {cfg['peak_lr']} at step "
        f"{cfg['warmup']}, {cfg['batch_tokens']}-token batches x {cfg['accum']} accumulation, label "
        f"smoothing {cfg['label_smoothing']}, dropout {cfg['dropout']}",
        f"- averaged checkpoints: {', '.join(info['averaged_checkpoints'])}",
        "- converted with `ct2-opennmt-py-converter --quantization int8 --unsafe_deserialization`",
        f"- package size {pkg.stat().st_size / 1e6:.2f} MB, sha256 `{sha256_file(pkg)}`",
        "",
        "## Measured scores",
        "",
        "sacreBLEU corpus BLEU and chrF, beam 4, CTranslate2 int8 on CPU. `dev` is carved from the "
        "training data (used for choices); FLORES-200 devtest and NTREX-128 are reported only.",
        "",
        "| set | sentences | BLEU | chrF |",
        "|---|---|---|---|",
    ]
    for name, sc in scores.items():
        lines.append(f"| {name} | {sc['sentences']} | {sc['bleu']} | {sc['chrf']} |")
    lines += [
        "",
        "## Data and licences",
        "",
        "- **EVBNews v1** (part of EVBCorpus), English-Vietnamese news, sentence-aligned: **free for "
        "research use only**. Cite: " + CITATION + " Because the model is trained on it, use the "
        "model for research and keep this citation with it.",
        "- **LibreOffice 7.4 help** (vi/en, from Debian packages): MPL-2.0.",
        "- **Dive into Deep Learning**, Vietnamese edition (d2l-ai/d2l-vi) aligned with the original: "
        "CC BY-SA 4.0.",
        "",
        "The data is read from `../shared/data/mt-train/`; it is not in this repository. Preparation "
        "(`training/prepare.py`): EVBNews detokenised with sacremoses and English contractions "
        "re-joined, NFC, HTML entities unescaped, markup lines and paragraphs over 400 characters "
        "dropped, length-ratio filter, exact duplicates removed, dev split (1,500 pairs, seed 1234) "
        "carved out.",
        "",
        "Package layout (Argos Translate): one top-level folder with `metadata.json`, `model/` "
        "(CTranslate2), `sentencepiece.model`, `README.md`. No `stanza/` folder: vien splits "
        "sentences itself, so the package is meant for vien's own CTranslate2 driver.",
        "",
    ]
    target = out / "SOURCE.md"
    target.write_text("\n".join(lines))
    return target


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", required=True)
    args = ap.parse_args(argv)
    print(write(args.preset))


if __name__ == "__main__":
    main()
