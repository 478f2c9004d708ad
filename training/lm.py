"""English trigram language model for the phrase-based engine: interpolated Kneser-Ney, ARPA out.

No estimator installs here (KenLM's ``lmplz`` needs Boost and a C++ build; the ``kenlm`` wheel
only queries), so this is the textbook estimator (Chen & Goodman 1998, interpolated Kneser-Ney
with one absolute discount per order, D = n1 / (n1 + 2 n2)), written as a standard ARPA file
that KenLM, SRILM or ``pipeline.translate.lm`` can read. Trigrams seen once are pruned and the
backoff weights of their contexts renormalised, so probabilities still sum to one.

Input: the tokenised English of the training data (``training/work/data/train.en`` through
``training.wordbyword.tokenize_en``, with the same truecasing as the phrase table).
Output: ``training/work/phrase/lm.arpa.gz``.

    nice -n 10 .venv/bin/python -m training.lm
"""
from __future__ import annotations

import argparse
import collections
import gzip
import math
import time

from .phrases import OUT, truecaser
from .wordbyword import DATA, tokenize_en

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


def discount(counts: collections.Counter) -> float:
    """Absolute discount from the count-of-counts (Ney, Essen & Kneser 1994)."""
    n = collections.Counter(v for v in counts.values() if v <= 2)
    return n[1] / (n[1] + 2 * n[2]) if n[1] else 0.5


def estimate(sentences: list[list[str]], prune_trigram_singletons: bool = True) -> dict[int, dict]:
    """ARPA entries per order: {ngram tuple: (log10 p, log10 backoff or None)}."""
    c3: collections.Counter = collections.Counter()
    starts: collections.Counter = collections.Counter()
    for s in sentences:
        t = [BOS, *s, EOS]
        starts[BOS, t[1]] += 1
        for k in range(2, len(t)):
            c3[t[k - 2], t[k - 1], t[k]] += 1
    # continuation counts: N1+(. v w) for bigrams, N1+(. w) for unigrams (over bigram types);
    # bigrams that begin a sentence have no left context and keep their raw counts (as KenLM does)
    n_bi: collections.Counter = collections.Counter((v, w) for (_, v, w) in c3)
    n_bi.update(starts)
    n_uni: collections.Counter = collections.Counter(w for (_, w) in n_bi)
    d3, d2 = discount(c3), discount(n_bi)
    ctx3 = collections.Counter()
    types3 = collections.Counter()
    for (u, v, _), c in c3.items():
        ctx3[u, v] += c
        types3[u, v] += 1
    ctx2 = collections.Counter()
    types2 = collections.Counter()
    for (v, _), c in n_bi.items():
        ctx2[v] += c
        types2[v] += 1
    total_uni = sum(n_uni.values())
    vocab = len(n_uni) + 1
    p1 = {w: 0.9999 * c / total_uni + 0.0001 / vocab for w, c in n_uni.items()}
    p1[UNK] = 0.0001 / vocab
    p1[BOS] = 0.0001 / vocab  # never predicted: written as log10 p = -99 below

    def p2(v: str, w: str) -> float:
        c = n_bi.get((v, w), 0)
        if v not in ctx2:
            return p1.get(w, p1[UNK])
        return max(c - d2, 0) / ctx2[v] + d2 * types2[v] / ctx2[v] * p1.get(w, p1[UNK])

    grams: dict[int, dict] = {1: {}, 2: {}, 3: {}}
    for w, p in p1.items():
        grams[1][(w,)] = p
    for (v, w) in n_bi:
        grams[2][(v, w)] = p2(v, w)
    for (u, v, w), c in c3.items():
        if prune_trigram_singletons and c < 2:
            continue
        grams[3][(u, v, w)] = (c - d3) / ctx3[u, v] + d3 * types3[u, v] / ctx3[u, v] * p2(v, w)
    # backoff weights: the mass left by the explicit entries of a context over what the lower order
    # gives the same words
    kept3: dict = collections.defaultdict(lambda: [0.0, 0.0])
    for (u, v, w), p in grams[3].items():
        kept3[u, v][0] += p
        kept3[u, v][1] += p2(v, w)
    kept2: dict = collections.defaultdict(lambda: [0.0, 0.0])
    for (v, w), p in grams[2].items():
        kept2[v][0] += p
        kept2[v][1] += p1.get(w, p1[UNK])
    arpa: dict[int, dict] = {1: {}, 2: {}, 3: {}}
    for (w,), p in grams[1].items():
        left, lower = kept2.get(w, (0.0, 0.0))
        arpa[1][(w,)] = (math.log10(p), math.log10(max(1 - left, 1e-9) / max(1 - lower, 1e-9)) if w in kept2 else None)
    for (v, w), p in grams[2].items():
        left, lower = kept3.get((v, w), (0.0, 0.0))
        arpa[2][(v, w)] = (math.log10(p),
                           math.log10(max(1 - left, 1e-9) / max(1 - lower, 1e-9)) if (v, w) in kept3 else None)
    for key, p in grams[3].items():
        arpa[3][key] = (math.log10(p), None)
    arpa[1][(BOS,)] = (-99.0, arpa[1][(BOS,)][1])
    return arpa


def write_arpa(arpa: dict[int, dict], path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as fh:
        fh.write("\n\\data\\\n")
        for n in sorted(arpa):
            fh.write(f"ngram {n}={len(arpa[n])}\n")
        for n in sorted(arpa):
            fh.write(f"\n\\{n}-grams:\n")
            for key, (lp, bow) in sorted(arpa[n].items()):
                fh.write(f"{lp:.4f}\t{' '.join(key)}" + (f"\t{bow:.4f}\n" if bow is not None else "\n"))
        fh.write("\n\\end\\\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep-singletons", action="store_true", help="keep trigrams seen once")
    args = ap.parse_args(argv)
    t0 = time.time()
    raw = [tokenize_en(line) for line in (DATA / "train.en").read_text(encoding="utf-8").rstrip("\n").split("\n")]
    case = truecaser(raw)
    sentences = [[case.get(w.lower(), w) if k == 0 else w for k, w in enumerate(t)] for t in raw]
    arpa = estimate(sentences, prune_trigram_singletons=not args.keep_singletons)
    OUT.mkdir(parents=True, exist_ok=True)
    write_arpa(arpa, OUT / "lm.arpa.gz")
    print(f"LM: {', '.join(f'{n}-grams {len(arpa[n])}' for n in sorted(arpa))} -> {OUT / 'lm.arpa.gz'} "
          f"({time.time() - t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
