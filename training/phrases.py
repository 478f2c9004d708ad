"""Phrase table for the embedded phrase-based engine: extraction, scoring, pruning.

Input (after ``training.prepare`` and ``training.wordbyword segment`` / ``build``, which write the
segmented Vietnamese and the eflomal alignments to ``training/work/wordbyword/``): segmented
training Vietnamese, tokenised English, forward and reverse eflomal links. Output:
``training/work/phrase/phrases.tsv.gz`` with one row per phrase pair::

    vi syllables (lower case, words' "_" as spaces) <TAB> English tokens <TAB> count
    <TAB> p(e|f) <TAB> p(f|e) <TAB> lex(e|f) <TAB> lex(f|e)
    <TAB> internal links "i-j ..." (source syllable i, English token j) <TAB> "corpus"

Method (Koehn, Och & Marcu 2003): alignments symmetrised with grow-diag-final-and; every source
span of up to ``--max-len`` words whose aligned English span is consistent (no English word in it
aligned outside the source span) gives a phrase pair, extended over unaligned English words at
its edges (at most ``--max-extend``). p(e|f) and p(f|e) are relative frequencies; the lexical
weights use word translation probabilities w(e|f), w(f|e) estimated from the same alignments
(unaligned words against NULL), averaged over the links of the most frequent internal alignment.
Pruning: pairs seen once are dropped unless the source phrase is one syllable; each source phrase
keeps its ``--top`` most frequent translations.

    nice -n 10 .venv/bin/python -m training.phrases
"""
from __future__ import annotations

import argparse
import collections
import gzip
import time
from pathlib import Path

from .wordbyword import DATA, WORK, grow_diag_final_and, parse_links, tokenize_en

OUT = WORK.parent / "phrase"


def truecaser(en_tok: list[list[str]]) -> dict[str, str]:
    """Lower-cased word -> its most frequent form outside sentence-initial position."""
    forms: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for t in en_tok:
        for w in t[1:]:
            forms[w.lower()][w] += 1
    return {k: c.most_common(1)[0][0] for k, c in forms.items()}


def read_corpus() -> tuple[list[list[str]], list[list[str]], list[set], list[set]]:
    """Source syllable-words (lower case), truecased English tokens, forward and reverse links."""
    vi = [line.lower().split() for line in (WORK / "train.seg.vi").read_text(encoding="utf-8").rstrip("\n").split("\n")]
    en_raw = [tokenize_en(line) for line in (DATA / "train.en").read_text(encoding="utf-8").rstrip("\n").split("\n")]
    case = truecaser(en_raw)
    en = [[case.get(w.lower(), w) if k == 0 else w for k, w in enumerate(t)] for t in en_raw]
    fwd = [parse_links(x) for x in (WORK / "fwd.links").read_text().rstrip("\n").split("\n")]
    rev = [parse_links(x) for x in (WORK / "rev.links").read_text().rstrip("\n").split("\n")]
    return vi, en, fwd, rev


def word_probabilities(pairs) -> tuple[dict, dict]:
    """w(e|f) and w(f|e) from aligned sentence pairs; unaligned words are linked to None."""
    c_fe: collections.Counter = collections.Counter()
    c_f: collections.Counter = collections.Counter()
    c_e: collections.Counter = collections.Counter()
    for sw, tw, al in pairs:
        src_al = {i for i, _ in al}
        tgt_al = {j for _, j in al}
        for i, j in al:
            c_fe[sw[i], tw[j].lower()] += 1
            c_f[sw[i]] += 1
            c_e[tw[j].lower()] += 1
        for i in set(range(len(sw))) - src_al:
            c_fe[sw[i], None] += 1
            c_f[sw[i]] += 1
        for j in set(range(len(tw))) - tgt_al:
            c_fe[None, tw[j].lower()] += 1
            c_e[tw[j].lower()] += 1
    c_f[None] = sum(v for (f, _), v in c_fe.items() if f is None)
    c_e[None] = sum(v for (_, e), v in c_fe.items() if e is None)
    e_given_f = {k: v / c_f[k[0]] for k, v in c_fe.items()}
    f_given_e = {k: v / c_e[k[1]] for k, v in c_fe.items()}
    return e_given_f, f_given_e


def extract(sw: list[str], tw: list[str], al: set, max_len: int, max_extend: int):
    """Consistent phrase pairs of one sentence: (src start, src end, tgt start, tgt end, links)."""
    by_src = collections.defaultdict(list)
    by_tgt = collections.defaultdict(list)
    for i, j in al:
        by_src[i].append(j)
        by_tgt[j].append(i)
    n, m = len(sw), len(tw)
    for i1 in range(n):
        for i2 in range(i1, min(n, i1 + max_len)):
            js = [j for i in range(i1, i2 + 1) for j in by_src.get(i, ())]
            if not js:
                continue
            j1, j2 = min(js), max(js)
            if any(not i1 <= i <= i2 for j in range(j1, j2 + 1) for i in by_tgt.get(j, ())):
                continue
            links = tuple(sorted((i - i1, j - j1) for i in range(i1, i2 + 1) for j in by_src.get(i, ())))
            for a in range(j1, max(-1, j1 - max_extend - 1), -1):
                if a < j1 and a in by_tgt:
                    break
                for b in range(j2, min(m, j2 + max_extend + 1)):
                    if b > j2 and b in by_tgt:
                        break
                    if b - a < 8:
                        shifted = tuple((x, y + j1 - a) for x, y in links)
                        yield i1, i2 + 1, a, b + 1, shifted


def lexical_weight(sw, tw, links, w) -> float:
    """Koehn's lex(e|f): per English word, the mean w(e|f) over its links (w(e|NULL) if none)."""
    by_tgt = collections.defaultdict(list)
    for i, j in links:
        by_tgt[j].append(sw[i])
    score = 1.0
    for j, e in enumerate(tw):
        fs = by_tgt.get(j) or [None]
        score *= sum(w.get((f, e.lower()), 1e-7) for f in fs) / len(fs)
    return score


def syllable_links(words: list[str], links) -> str:
    """Word links ``(i, j)`` as ``"i-j"`` links of the source's syllables (words join them with _)."""
    first, out, n = [], [], 0
    for w in words:
        first.append(n)
        n += len(w.split("_"))
    for i, j in links:
        out += [f"{first[i] + k}-{j}" for k in range(len(words[i].split("_")))]
    return " ".join(out)


def build(args: argparse.Namespace) -> None:
    t0 = time.time()
    vi, en, fwd, rev = read_corpus()
    aligned = [(sw, tw, grow_diag_final_and(f, r, len(sw), len(tw))) for sw, tw, f, r in zip(vi, en, fwd, rev)]
    e_given_f, f_given_e = word_probabilities(aligned)
    print(f"read and symmetrised {len(aligned)} pairs in {time.time() - t0:.0f}s", flush=True)
    pair_count: collections.Counter = collections.Counter()
    pair_links: dict = {}
    for sw, tw, al in aligned:
        for i1, i2, j1, j2, links in extract(sw, tw, al, args.max_len, args.max_extend):
            key = (" ".join(sw[i1:i2]), " ".join(tw[j1:j2]))
            pair_count[key] += 1
            pair_links.setdefault(key, collections.Counter())[links] += 1
    print(f"extracted {len(pair_count)} pairs in {time.time() - t0:.0f}s", flush=True)
    src_count: collections.Counter = collections.Counter()
    tgt_count: collections.Counter = collections.Counter()
    for (f, e), c in pair_count.items():
        src_count[f] += c
        tgt_count[e] += c
    by_src = collections.defaultdict(list)
    for (f, e), c in pair_count.items():
        if c >= args.min_count or " " not in f.replace("_", " "):  # one syllable: kept even if seen once
            by_src[f].append((c, e))
    f_given_e_rev = {(e, f): p for (f, e), p in f_given_e.items()}  # keyed as lexical_weight reads it
    OUT.mkdir(parents=True, exist_ok=True)
    rows = 0
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=6) as fh:
        for f, options in by_src.items():
            options.sort(key=lambda x: (-x[0], x[1]))
            for c, e in options[: args.top]:
                links = pair_links[f, e].most_common(1)[0][0]
                sw, tw = f.split(), e.split()
                lex_ef = lexical_weight(sw, tw, links, e_given_f)
                lex_fe = lexical_weight([t.lower() for t in tw], sw, [(j, i) for i, j in links], f_given_e_rev)
                fh.write(f"{f.replace('_', ' ')}\t{e}\t{c}\t{c / src_count[f]:.4g}\t{c / tgt_count[e]:.4g}\t"
                         f"{lex_ef:.4g}\t{lex_fe:.4g}\t{syllable_links(sw, links)}\tcorpus\n")
                rows += 1
    print(f"{rows} phrase pairs for {len(by_src)} source phrases -> {args.out} "
          f"({time.time() - t0:.0f}s)", flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-len", type=int, default=5, help="longest source phrase, in words")
    ap.add_argument("--max-extend", type=int, default=1, help="unaligned English words added at each edge")
    ap.add_argument("--min-count", type=int, default=2, help="multi-word pairs seen fewer times are dropped")
    ap.add_argument("--top", type=int, default=5, help="translations kept per source phrase")
    ap.add_argument("--out", type=Path, default=OUT / "phrases.tsv.gz")
    build(ap.parse_args(argv))


if __name__ == "__main__":
    main()
