"""Word-by-word baseline: eflomal word alignment -> lexical table -> word-by-word translation of
underthesea-segmented Vietnamese. A yardstick for the neural models, and a fallback.

Build (training venv; reads training/work/data/ from training.prepare):

    nice -n 10 .venv-train/bin/python -m training.wordbyword build
    nice -n 10 .venv-train/bin/python -m training.wordbyword eval

The table is written to models/wordbyword/lexicon-vi_en.tsv.gz (vi word, English, count, p);
`WordByWord` below applies it and needs only the standard library (plus underthesea to segment raw
text, and sacremoses, if present, to detokenise English).
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "training" / "work" / "wordbyword"
DATA = ROOT / "training" / "work" / "data"
EVAL = (ROOT / ".." / "shared" / "data" / "mt-eval").resolve()
OUT = ROOT / "models" / "wordbyword"
LEXICON = "lexicon-vi_en.tsv.gz"

_EN_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)


def segment_vi(lines):
    from underthesea import word_tokenize

    out = []
    for line in lines:
        words = word_tokenize(unicodedata.normalize("NFC", line))
        out.append([w.replace(" ", "_") for w in words if w.strip()])
    return out


def tokenize_en(line):
    return _EN_TOKEN.findall(line)


def grow_diag_final_and(fwd, rev, n_src, n_tgt):
    """Symmetrise two directional Pharaoh alignments (sets of (i, j))."""
    union = fwd | rev
    al = set(fwd & rev)
    neigh = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]
    src_al = {i for i, _ in al}
    tgt_al = {j for _, j in al}
    changed = True
    while changed:
        changed = False
        for i, j in sorted(al):
            for di, dj in neigh:
                a, b = i + di, j + dj
                if (a, b) in union and (a, b) not in al and (a not in src_al or b not in tgt_al):
                    al.add((a, b))
                    src_al.add(a)
                    tgt_al.add(b)
                    changed = True
    for i, j in sorted(union):
        if (i, j) not in al and i not in src_al and j not in tgt_al:
            al.add((i, j))
            src_al.add(i)
            tgt_al.add(j)
    return al


def parse_links(line):
    out = set()
    for tok in line.split():
        i, j = tok.split("-")
        out.add((int(i), int(j)))
    return out


def build(args):
    import eflomal

    WORK.mkdir(parents=True, exist_ok=True)
    vi_lines = (DATA / "train.vi").read_text(encoding="utf-8").rstrip("\n").split("\n")
    en_lines = (DATA / "train.en").read_text(encoding="utf-8").rstrip("\n").split("\n")
    t0 = time.time()
    seg_path = WORK / "train.seg.vi"
    parts = sorted(WORK.glob("train.seg.vi.*of*"))
    if not seg_path.exists() and parts:
        n = int(parts[0].name.split("of")[-1])
        if len(parts) == n:
            seg_path.write_text("".join((WORK / f"train.seg.vi.{k}of{n}").read_text(encoding="utf-8")
                                        for k in range(n)), encoding="utf-8")
    if seg_path.exists():
        vi_tok = [l.split() for l in seg_path.read_text(encoding="utf-8").rstrip("\n").split("\n")]
    else:
        vi_tok = segment_vi(vi_lines)
        seg_path.write_text("\n".join(" ".join(t) for t in vi_tok) + "\n", encoding="utf-8")
    print(f"segmented {len(vi_tok)} sentences in {time.time() - t0:.0f}s", flush=True)
    en_tok = [tokenize_en(l) for l in en_lines]
    src = [" ".join(w.lower() for w in t) for t in vi_tok]
    tgt = [" ".join(w.lower() for w in t) for t in en_tok]
    t0 = time.time()
    if args.realign or not (WORK / "rev.links").exists():
        aligner = eflomal.Aligner()
        aligner.align(src, tgt, links_filename_fwd=str(WORK / "fwd.links"),
                      links_filename_rev=str(WORK / "rev.links"), quiet=True)
        print(f"eflomal in {time.time() - t0:.0f}s", flush=True)
    fwd = (WORK / "fwd.links").read_text().rstrip("\n").split("\n")
    rev = (WORK / "rev.links").read_text().rstrip("\n").split("\n")

    counts = collections.defaultdict(collections.Counter)
    for s, t, lf, lr in zip(src, tgt, fwd, rev):
        sw, tw = s.split(), t.split()
        al = grow_diag_final_and(parse_links(lf), parse_links(lr), len(sw), len(tw))
        by_src = collections.defaultdict(list)
        tgt_count = collections.Counter(j for _, j in al)
        for i, j in al:
            by_src[i].append(j)
        for i, w in enumerate(sw):
            js = sorted(by_src.get(i, []))
            if not js:
                counts[w][""] += 1
                continue
            # keep the English words aligned to this Vietnamese word only (1-to-n phrases), in order;
            # English words shared with other Vietnamese words go with the first of them.
            if js[-1] - js[0] + 1 > 4:
                js = js[:1]
            phrase = " ".join(tw[j] for j in js if tgt_count[j] == 1 or j == js[0])
            counts[w][phrase] += 1

    # English truecasing: the most frequent surface form of each word outside sentence-initial position
    forms = collections.defaultdict(collections.Counter)
    for t in en_tok:
        for w in t[1:]:
            forms[w.lower()][w] += 1
    truecase = {k: c.most_common(1)[0][0] for k, c in forms.items()}

    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for w, c in counts.items():
        total = sum(c.values())
        # delete the word (empty translation) only when it is unaligned most of the time; otherwise
        # its most frequent English rendering
        if c[""] / total >= args.null_share or not any(e for e in c):
            best, n = "", c[""]
        else:
            best, n = next((e, k) for e, k in c.most_common() if e)
        best = " ".join(truecase.get(x, x) for x in best.split())
        if total < args.min_count:
            continue
        rows.append((w, best, n, n / total, total))
    rows.sort(key=lambda r: -r[4])
    out = Path(args.out)
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("# vi\ten\tcount\tp\ttotal\n")
        for w, e, n, p, total in rows:
            f.write(f"{w}\t{e}\t{n}\t{p:.3f}\t{total}\n")
    print(f"lexicon: {len(rows)} entries -> {out}", flush=True)


class WordByWord:
    """Apply the lexical table to segmented Vietnamese (words may contain spaces or '_')."""

    def __init__(self, path=None):
        path = Path(path) if path else OUT / LEXICON
        self.table = {}
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                w, e, n, p, total = line.rstrip("\n").split("\t")
                self.table[w] = e
        try:
            from sacremoses import MosesDetokenizer

            self._detok = MosesDetokenizer(lang="en").detokenize
        except ImportError:  # pragma: no cover
            self._detok = " ".join

    def translate_words(self, words):
        out = []
        for w in words:
            key = w.replace(" ", "_").lower()
            e = self.table.get(key)
            if e is None and "_" in key:
                # back off to the syllables of an unknown multi-syllable word
                parts = [self.table.get(p) for p in key.split("_")]
                if all(p is not None for p in parts) and not w[:1].isupper():
                    e = " ".join(p for p in parts if p)
            if e is not None:
                if e:
                    out.append(e)
            else:
                out.append(w.replace("_", " "))  # unknown: names, numbers, foreign words: copied
        text = self._detok(" ".join(out).split())
        return text[:1].upper() + text[1:] if text else text

    def translate(self, sentences):
        return [self.translate_words(ws) for ws in segment_vi(sentences)]


def _segmented(name, path):
    cache = WORK / f"seg.{name}.vi"
    if cache.exists():
        return [l.split() for l in cache.read_text(encoding="utf-8").rstrip("\n").split("\n")]
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    seg = segment_vi(lines)
    cache.write_text("\n".join(" ".join(t) for t in seg) + "\n", encoding="utf-8")
    return seg


def evaluate(args):
    import sacrebleu

    wbw = WordByWord(args.lexicon)
    sets = {"dev": (DATA / "dev.vi", DATA / "dev.en"),
            "flores200-devtest": (EVAL / "flores200-devtest.vi", EVAL / "flores200-devtest.en"),
            "ntrex128": (EVAL / "ntrex128.vi", EVAL / "ntrex128.en")}
    scores = {}
    for name, (s, r) in sets.items():
        if args.sets and name not in args.sets.split(","):
            continue
        ref = r.read_text(encoding="utf-8").rstrip("\n").split("\n")
        seg = _segmented(name, s)
        src = seg
        t0 = time.time()
        hyp = [wbw.translate_words(ws) for ws in seg]
        secs = time.time() - t0  # lexicon lookup only (segmentation is cached)
        (WORK / f"hyp.{name}.en").write_text("\n".join(hyp) + "\n", encoding="utf-8")
        scores[name] = {"bleu": round(sacrebleu.corpus_bleu(hyp, [ref]).score, 2),
                        "chrf": round(sacrebleu.corpus_chrf(hyp, [ref]).score, 2),
                        "sentences": len(src), "sentences_per_s": round(len(src) / secs, 1)}
        print(name, scores[name], flush=True)
    if not args.sets:
        (OUT / "scores.json").write_text(json.dumps(scores, indent=2) + "\n")


def segment_part(args):
    """Segment part k of n of train.vi (run n of these in parallel; build joins them)."""
    WORK.mkdir(parents=True, exist_ok=True)
    lines = (DATA / "train.vi").read_text(encoding="utf-8").rstrip("\n").split("\n")
    k, n = map(int, args.part.split("/"))
    size = (len(lines) + n - 1) // n
    part = lines[k * size:(k + 1) * size]
    t0 = time.time()
    seg = segment_vi(part)
    (WORK / f"train.seg.vi.{k}of{n}").write_text("\n".join(" ".join(t) for t in seg) + "\n",
                                                 encoding="utf-8")
    print(f"part {k}/{n}: {len(seg)} sentences in {time.time() - t0:.0f}s", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["segment", "build", "eval"])
    ap.add_argument("--part", default="0/1", help="segment: part k/n of the training data")
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--null-share", type=float, default=0.65,
                    help="build: drop a word when it is unaligned at least this often")
    ap.add_argument("--realign", action="store_true", help="build: rerun eflomal")
    ap.add_argument("--out", default=str(OUT / LEXICON), help="build: lexicon path")
    ap.add_argument("--lexicon", default=str(OUT / LEXICON), help="eval: lexicon path")
    ap.add_argument("--sets", help="eval: comma-separated subset of dev,flores200-devtest,ntrex128 "
                                   "(scores.json is written only for a full run)")
    args = ap.parse_args(argv)
    {"segment": segment_part, "build": build, "eval": evaluate}[args.cmd](args)


if __name__ == "__main__":
    main()
