"""Data preparation: detokenise, clean, dedupe, filter, carve a dev split.

Reads ../shared/data/mt-train/ (read-only) and writes plain-text parallel files to
training/work/data/: train.{vi,en} and dev.{vi,en} (the dev split is carved from the training
data; ../shared/data/mt-eval/ is never used for choices).
"""
from __future__ import annotations

import argparse
import html
import json
import random
import re
import unicodedata
from pathlib import Path

from sacremoses import MosesDetokenizer

ROOT = Path(__file__).resolve().parent.parent
DATA = (ROOT / ".." / "shared" / "data" / "mt-train").resolve()
WORK = ROOT / "training" / "work"

_CONTRACTION = re.compile(r"(\w) (n't|'s|'re|'ll|'ve|'d|'m|'S|'RE|'LL|'VE|'D|'M|N'T)\b")
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    s = html.unescape(s)
    return _SPACES.sub(" ", s).strip()


def detok_evb(lines_vi, lines_en):
    md_en = MosesDetokenizer(lang="en")
    md_vi = MosesDetokenizer(lang="vi")
    for vi, en in zip(lines_vi, lines_en):
        # EVBNews joins multi-word units / alternatives with "_" in a few English lines.
        en = en.replace("_", " ")
        vi = md_vi.detokenize(vi.split())
        en = md_en.detokenize(en.split())
        en = _CONTRACTION.sub(r"\1\2", en)
        # "can n't" style leftovers: "ca n't" -> "can't" is handled by the regex above ("ca" + "n't").
        yield vi, en


def read(name):
    vi = (DATA / f"{name}.vi").read_text(encoding="utf-8").split("\n")
    en = (DATA / f"{name}.en").read_text(encoding="utf-8").split("\n")
    if vi and vi[-1] == "" and en and en[-1] == "":
        vi, en = vi[:-1], en[:-1]
    assert len(vi) == len(en), name
    return vi, en


def keep(vi: str, en: str, max_chars: int) -> bool:
    if not vi or not en:
        return False
    if len(vi) > max_chars or len(en) > max_chars:
        return False
    if _TAG.search(vi) or _TAG.search(en):
        return False
    r = (len(vi) + 1) / (len(en) + 1)
    if not (0.4 <= r <= 2.5):
        return False
    if vi == en and len(vi) > 20:  # untranslated paragraph
        return False
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(WORK / "data"))
    ap.add_argument("--max-chars", type=int, default=400)
    ap.add_argument("--dev-size", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    corpora = {}
    vi, en = read("evbnews.tok")
    corpora["evbnews"] = list(detok_evb(vi, en))
    vi, en = read("libreoffice-help")
    corpora["libreoffice"] = list(zip(vi, en))
    vi, en = read("d2l")
    corpora["d2l"] = list(zip(vi, en))

    stats = {}
    seen = set()
    pairs = []  # (corpus, vi, en)
    for name, items in corpora.items():
        n_in = len(items)
        n_kept = 0
        for v, e in items:
            v, e = norm(v), norm(e)
            if not keep(v, e, args.max_chars):
                continue
            key = (v.lower(), e.lower())
            if key in seen:
                continue
            seen.add(key)
            pairs.append((name, v, e))
            n_kept += 1
        stats[name] = {"in": n_in, "kept": n_kept}

    rng = random.Random(args.seed)
    rng.shuffle(pairs)
    # Dev split: proportional to corpus sizes, drawn from the shuffled pool; any training pair whose
    # Vietnamese side equals a dev source is dropped from training.
    dev = pairs[: args.dev_size]
    dev_src = {v for _, v, _ in dev}
    train = [p for p in pairs[args.dev_size:] if p[1] not in dev_src]
    for split, items in (("train", train), ("dev", dev)):
        with open(out / f"{split}.vi", "w", encoding="utf-8") as fv, \
                open(out / f"{split}.en", "w", encoding="utf-8") as fe, \
                open(out / f"{split}.corpus", "w", encoding="utf-8") as fc:
            for name, v, e in items:
                fv.write(v + "\n")
                fe.write(e + "\n")
                fc.write(name + "\n")
    stats["train"] = len(train)
    stats["dev"] = len(dev)
    stats["dev_by_corpus"] = {n: sum(1 for c, _, _ in dev if c == n) for n in corpora}
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
