"""Evaluation against gold data: entities (exact span and label) and word segmentation.

Both report precision, recall and F1 over exact matches. Entity offsets are compared in the
original file's text (as Python reads it as UTF-8), mapped back from the normalised text.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EvaluationInputError
from .ingest import document_from_text, read_document

LABELS = ("PER", "LOC", "ORG", "AIRCRAFT", "UNIT", "QUANTITY", "DATE")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: set, predicted: set) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)


@dataclass
class EntityReport:
    per_label: dict[str, Score] = field(default_factory=lambda: {label: Score() for label in LABELS})
    micro: Score = field(default_factory=Score)
    names_matched: int = 0
    names_correct: int = 0

    def table(self) -> str:
        lines = [f"{'label':<10}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}"]
        for label, s in [*self.per_label.items(), ("micro", self.micro)]:
            lines.append(f"{label:<10}{s.tp + s.fn:>6}{s.tp + s.fp:>6}"
                         f"{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}")
        if self.names_matched:
            lines.append(f"canonical English name exact on matched entities: "
                         f"{self.names_correct}/{self.names_matched} = "
                         f"{self.names_correct / self.names_matched:.3f}")
        return "\n".join(lines)


def predicted_entities(doc) -> list[dict]:
    """The document's Vietnamese mentions in the gold format, with original-text offsets."""
    names = {e.id: e.name_en for e in doc.entities}
    omap = doc.source.offset_map
    original = doc.source.original_text
    out = []
    for m in doc.vi.entities:
        start, end = omap.original_span(m.start, m.end)
        en = (m.value or {}).get("en") or names.get(m.entity) or m.text
        out.append({"start": start, "end": end, "label": m.label, "text": original[start:end], "en": en})
    return out


def evaluate_entities(gold_path: Path, articles: Path, annotate: Callable,
                      predictions: Path | None = None) -> EntityReport:
    """Score ``annotate(document) -> document`` on gold entities; optionally write predictions."""
    gold_docs = _read_jsonl(gold_path)
    report = EntityReport()
    out_lines = []
    for gold in gold_docs:
        path = articles / f"{gold['doc']}.txt"
        if not path.exists():
            raise EvaluationInputError(path=str(path), reason=f"article for gold document {gold['doc']!r} not found")
        doc = annotate(read_document(path))
        predicted = predicted_entities(doc)
        out_lines.append(json.dumps({"doc": gold["doc"], "entities": predicted}, ensure_ascii=False))
        gold_set = {(e["start"], e["end"], e["label"]) for e in gold["entities"]}
        pred_set = {(e["start"], e["end"], e["label"]) for e in predicted}
        report.micro.add(gold_set, pred_set)
        for label in LABELS:
            report.per_label[label].add({g for g in gold_set if g[2] == label},
                                        {p for p in pred_set if p[2] == label})
        pred_en = {(e["start"], e["end"], e["label"]): e["en"] for e in predicted}
        for e in gold["entities"]:
            key = (e["start"], e["end"], e["label"])
            if key in pred_en:
                report.names_matched += 1
                report.names_correct += pred_en[key].casefold() == e["en"].casefold()
    if predictions is not None:
        predictions.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    return report


def _read_jsonl(path: Path) -> list[dict]:
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise EvaluationInputError(path=str(path), reason=exc.strerror or str(exc)) from exc
    try:
        return [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError as exc:
        raise EvaluationInputError(path=str(path), reason=f"invalid JSON on line {exc.lineno}") from exc


def conllu_sentences(path: Path) -> Iterator[list[str]]:
    """Gold words (FORMs, which may hold spaces) of each sentence of a CoNLL-U file."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise EvaluationInputError(path=str(path), reason=exc.strerror or str(exc)) from exc
    words: list[str] = []
    with handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if words:
                    yield words
                words = []
            elif not line.startswith("#"):
                cols = line.split("\t")
                if len(cols) == 10 and cols[0].isdigit():
                    words.append(cols[1])
    if words:
        yield words


def _spans(words: list[str]) -> set[tuple[int, int]]:
    spans, pos = set(), 0
    for w in words:
        spans.add((pos, pos + len(w)))
        pos += len(w) + 1
    return spans


def evaluate_segmentation(conllu: Path, segment: Callable, baseline: Callable | None = None
                          ) -> tuple[Score, Score | None, int]:
    """Word-segmentation scores of the pipeline (and of ``baseline(text) -> words``, if given).

    Input per sentence: the gold words joined by spaces (so syllables are space-separated).
    Returns ``(pipeline score, baseline score, sentence count)``.
    """
    ours, base, n = Score(), Score() if baseline else None, 0
    for words in conllu_sentences(conllu):
        text = " ".join(words)
        gold = _spans(words)
        doc = segment(document_from_text(text, doc_id=f"s{n}"))
        omap = doc.source.offset_map
        ours.add(gold, {omap.original_span(t.start, t.end) for t in doc.vi.tokens})
        if baseline is not None:
            base.add(gold, _baseline_spans(text, baseline(text)))
        n += 1
    if n == 0:
        raise EvaluationInputError(path=str(conllu), reason="no sentences found")
    return ours, base, n


def _baseline_spans(text: str, words: list[str]) -> set[tuple[int, int]]:
    from .segment import align_strings

    return set(align_strings(text, words))

