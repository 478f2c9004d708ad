"""The document model every stage reads and extends.

Stand-off annotation: each side holds one text and lists of ``{start, end}`` views of it, so that
``text[start:end]`` is the surface of every sentence, token and entity mention. The Vietnamese text
is the *normalised* text produced by ingest; ``Source.edits`` maps it back to the original file.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Edit:
    """One normalisation edit: ``norm[norm_start:norm_end]`` replaced ``orig[orig_start:orig_end]``."""

    norm_start: int
    norm_end: int
    orig_start: int
    orig_end: int
    reason: str = ""


@dataclass
class OffsetMap:
    """Maps offsets in the normalised text to offsets in the original text.

    Outside edits the two texts agree character for character, shifted by the length
    difference of the edits before; inside an edit a position maps to the edit's bounds.
    """

    edits: list[Edit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.edits.sort(key=lambda e: e.norm_start)
        self._starts = [e.norm_start for e in self.edits]

    def to_original(self, pos: int, *, end: bool = False) -> int:
        """Original offset of normalised offset ``pos`` (``end`` picks the right edge inside edits)."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        e = self.edits[i]
        if pos == e.norm_start:  # at an edit's left edge; a deletion there is skipped by starts
            return e.orig_end if (e.norm_start == e.norm_end and not end) else e.orig_start
        if pos < e.norm_end:  # inside a replaced region: snap to its edge
            return e.orig_end if end else e.orig_start
        return e.orig_end + (pos - e.norm_end)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalised span ``[start, end)``."""
        return self.to_original(start), self.to_original(end, end=True)


@dataclass
class Source:
    path: str
    sha256: str
    encoding: str
    size: int
    edits: list[Edit] = field(default_factory=list)
    original_text: str | None = None  # kept in memory for offset checks; not serialised

    @property
    def offset_map(self) -> OffsetMap:
        return OffsetMap(list(self.edits))


@dataclass
class Sentence:
    id: int
    start: int
    end: int
    source_sentence: int | None = None  # English side: the Vietnamese sentence it translates


@dataclass
class Token:
    id: int
    sentence: int
    start: int
    end: int
    pos: str | None = None


@dataclass
class Mention:
    """An entity mention on one side. ``entity`` links it to a document-level ``Entity``."""

    id: str
    label: str
    start: int
    end: int
    text: str
    entity: str | None = None
    source: str = ""
    score: float = 1.0
    value: dict[str, Any] | None = None  # QUANTITY {value, unit, en}; DATE {iso, en}
    aligns_to: str | None = None  # English side: the Vietnamese mention it projects
    method: str | None = None


@dataclass
class Entity:
    """One real-world entity of the article, with canonical names and its mentions on both sides."""

    id: str
    label: str
    name_vi: str
    name_en: str
    mentions_vi: list[str] = field(default_factory=list)
    mentions_en: list[str] = field(default_factory=list)


@dataclass
class Side:
    text: str
    sentences: list[Sentence] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    entities: list[Mention] = field(default_factory=list)

    def surface(self, start: int, end: int) -> str:
        return self.text[start:end]


@dataclass
class Document:
    doc_id: str
    source: Source
    vi: Side
    title: tuple[int, int] | None = None
    byline: tuple[int, int] | None = None
    en: Side | None = None
    alignment: dict[str, Any] | None = None
    entities: list[Entity] = field(default_factory=list)
    translation: dict[str, Any] | None = None  # model used, post-edits, unprojected mentions
    translation_work: list[Any] = field(default_factory=list)  # translator -> aligner; never serialised
    producer: dict[str, Any] = field(default_factory=dict)
    annotations: set[str] = field(default_factory=set)  # what the stages have added so far

    def check_offsets(self) -> list[str]:
        """Every violation of ``text[start:end] == surface`` and of span bounds, as messages."""
        problems: list[str] = []
        for side_name, side in (("vi", self.vi), ("en", self.en)):
            if side is None:
                continue
            n = len(side.text)
            for kind, items in (("sentence", side.sentences), ("token", side.tokens)):
                for it in items:
                    if not 0 <= it.start < it.end <= n:
                        problems.append(f"{side_name} {kind} {it.id}: bad span {it.start}:{it.end}")
            for m in side.entities:
                if not 0 <= m.start < m.end <= n or side.text[m.start:m.end] != m.text:
                    problems.append(
                        f"{side_name} entity {m.id}: text[{m.start}:{m.end}]="
                        f"{side.text[m.start:m.end]!r} != {m.text!r}"
                    )
        return problems

