"""Checks ``news-vi_en.tsv``, the project's Vietnamese->English news lexicon, and counts it.

``python -m training.lexicon.check`` reads the file, reports every format problem and every entry
that underthesea's segmentation cannot produce (exit status 1 if there is any), and prints the
counts per domain and per segmentation class; ``--markdown`` prints the counts as the README's table.
"""
from __future__ import annotations

import argparse
import csv
import unicodedata
from collections import Counter
from pathlib import Path

LEXICON = Path(__file__).with_name("news-vi_en.tsv")
HEADER = ["vi", "en", "pos", "domain"]
POS = {"N", "V", "A", "P", "NUM", "ADV", "E", "C", "Np", "PHR"}
DOMAINS = {"military", "aviation", "naval", "weapons", "ranks", "politics", "diplomacy", "news",
           "time", "general", "geo"}
DROPPED = "-"  # English column of a word the translation drops (classifiers)
# Simple contexts an entry is segmented in; an entry passes if one of them yields it as a unit.
FRAMES = ("{}", "họ nói về {} ở đó .", "cuộc {} của họ", "họ {} ngay", "những {} này")


def read_rows(path: Path = LEXICON) -> list[list[str]]:
    """The file's lines split at tabs, header included, in file order."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _capitalised(vi: str) -> bool:
    """Whether a syllable of ``vi`` is capitalised as a name is (acronyms such as UAV do not count)."""
    return any(syllable[:1].isupper() and not syllable.isupper() for syllable in vi.split())


def format_problems(rows: list[list[str]]) -> list[str]:
    """One message per broken rule (header, 4 columns, NFC, spacing, case, pos, domain, duplicates):
    a capitalised ``vi`` must be a proper name (``Np``) or have a capitalised English side."""
    from underthesea import text_normalize

    problems = [] if rows and rows[0] == HEADER else [f"header is {rows[:1]}, not {HEADER}"]
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 4:
            problems.append(f"line {line}: {len(row)} columns: {row}")
            continue
        vi, en, pos, domain = row
        before = len(problems)
        for name, value in (("vi", vi), ("en", en)):
            if unicodedata.normalize("NFC", value) != value:
                problems.append(f"line {line}: {name} {value!r} is not NFC")
            if not value or " ".join(value.split()) != value:
                problems.append(f"line {line}: {name} {value!r} is empty or badly spaced")
        if len(problems) == before and text_normalize(vi) != vi:
            problems.append(f"line {line}: underthesea writes {vi!r} as {text_normalize(vi)!r}")
        if _capitalised(vi) and pos != "Np" and en == en.lower():
            problems.append(f"line {line}: {vi!r} has capitals but is no proper name")
        if pos not in POS:
            problems.append(f"line {line}: unknown pos {pos!r}")
        if domain not in DOMAINS:
            problems.append(f"line {line}: unknown domain {domain!r}")
        if (vi, en) in seen:
            problems.append(f"line {line}: duplicate pair {vi!r} -> {en!r}")
        seen.add((vi, en))
    return problems


def segmentation_class(vi: str) -> str:
    """``word`` if underthesea yields ``vi`` as one token in a simple context; ``phrase`` if it
    yields it as a run of whole tokens; ``broken`` if every context cuts through a token."""
    from underthesea import word_tokenize

    found = "broken"
    for frame in FRAMES:
        tokens = word_tokenize(frame.format(vi))
        if vi in tokens:
            return "word"
        for start in range(len(tokens)):
            for end in range(start + 2, len(tokens) + 1):
                if " ".join(tokens[start:end]) == vi:
                    found = "phrase"
    return found


def token_coverage(folder: Path, entries: set[str]) -> tuple[int, int]:
    """(tokens with a letter, those whose lower case is an entry) over underthesea's words of every
    ``*.txt`` under ``folder``; ``== Heading ==`` lines are skipped."""
    from underthesea import word_tokenize

    total = covered = 0
    for path in sorted(folder.rglob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("=="):
                continue
            for token in word_tokenize(line):
                if any(char.isalpha() for char in token):
                    total += 1
                    covered += token.lower() in entries
    return total, covered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=LEXICON)
    parser.add_argument("--markdown", action="store_true", help="print the counts as a table")
    parser.add_argument("--coverage", type=Path, metavar="FOLDER",
                        help="also report the share of underthesea's words in FOLDER/**/*.txt that are entries")
    args = parser.parse_args()
    rows = read_rows(args.path)
    problems = format_problems(rows)
    entries = [row for row in rows[1:] if len(row) == 4]
    classes = {vi: segmentation_class(vi) for vi in dict.fromkeys(vi for vi, *_ in entries)}
    problems += [f"{vi!r}: no context segments it into whole tokens"
                 for vi, kind in classes.items() if kind == "broken"]
    for problem in problems:
        print(problem)
    domains = Counter(domain for *_, domain in entries)
    kinds = Counter(classes.values())
    if args.markdown:
        print("| domain | entries |\n|---|---:|")
        for domain, count in sorted(domains.items(), key=lambda item: -item[1]):
            print(f"| {domain} | {count} |")
        print(f"| **all** | **{len(entries)}** |")
    else:
        print(f"{len(entries)} entries, {len(classes)} distinct vi; per domain: {dict(domains)}")
    print(f"segmentation of the distinct vi: {dict(kinds)}")
    if args.coverage:
        total, covered = token_coverage(args.coverage, {vi.lower() for vi in classes})
        print(f"coverage of {args.coverage}: {covered}/{total} words = {covered / max(total, 1):.1%}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
