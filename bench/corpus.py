"""Benchmark corpora of real Vietnamese text, written as article files into a folder.

- ``mt-eval``: the seed article, then the Vietnamese side of the news-like MT test sets
  (FLORES-200 devtest, NTREX-128) cut into article-sized documents: a title line, then paragraphs
  of a few sentences, ``sentences`` sentences per article, in the order of the test set.
- ``viwiki``: the seed article, then articles of ``../shared/data/viwiki-1000/articles/`` in name order.

Asked for more articles than a corpus holds (``mt-eval`` has 126), it repeats them, cycling: a
long run of article-sized documents, for memory over time (a re-run is not cached: outputs are new).

``syllables(text)`` counts the whitespace-separated pieces that hold a letter or digit: the unit of
the syllables/s figures.
"""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SEED = ROOT / "corpus" / "00_seed_vnexpress_belenko_mig25.txt"
MT_EVAL = [SHARED / "mt-eval" / "flores200-devtest.vi", SHARED / "mt-eval" / "ntrex128.vi"]
VIWIKI = SHARED / "viwiki-1000" / "articles"
CORPORA = ("mt-eval", "viwiki")


def syllables(text: str) -> int:
    return sum(1 for piece in text.split() if any(c.isalnum() for c in piece))


def mt_eval_articles(sentences: int = 24, per_paragraph: int = 4) -> list[str]:
    """The MT test sets' Vietnamese lines as article texts of ``sentences`` sentences each."""
    lines = [line.strip() for path in MT_EVAL for line in path.read_text("utf-8").splitlines() if line.strip()]
    articles = []
    for start in range(0, len(lines) - sentences + 1, sentences):
        chunk = lines[start:start + sentences]
        title, body = chunk[0].rstrip("."), chunk[1:]
        paragraphs = [" ".join(body[i:i + per_paragraph]) for i in range(0, len(body), per_paragraph)]
        articles.append("\n\n".join([title, *paragraphs]) + "\n")
    return articles


def make_corpus(folder: Path, name: str = "mt-eval", articles: int | None = None) -> list[Path]:
    """Write the corpus ``name`` (the seed first) into ``folder``, at most ``articles`` files."""
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")
    missing = [p for p in (*MT_EVAL, VIWIKI) if not p.exists()]
    if missing:
        raise FileNotFoundError(f"shared data missing: {', '.join(map(str, missing))}")
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "0000_seed.txt"]
    shutil.copy(SEED, files[0])
    if name == "mt-eval":
        for i, text in enumerate(mt_eval_articles(), 1):
            path = folder / f"{i:04d}_mt-eval.txt"
            path.write_text(text, "utf-8")
            files.append(path)
    else:
        for i, source in enumerate(sorted(VIWIKI.glob("*.txt")), 1):
            files.append(folder / f"{i:04d}_{source.name}")
            shutil.copy(source, files[-1])
    if articles is not None:
        for extra in files[articles:]:
            extra.unlink()
        files = files[:articles]
        originals = list(files)
        for i in range(len(files), articles):  # more than the corpus holds: copies, cycling
            source = originals[i % len(originals)]
            files.append(folder / f"{i:04d}_copy_{source.name}")
            shutil.copy(source, files[-1])
    return files
