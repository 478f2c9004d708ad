"""Entity-aware post-editing of machine translations: every edit made with evidence, and recorded.

Post-editing, not placeholders: a weak model drops, repeats or mangles placeholder tokens it
never saw in training; post-editing leaves the model's output alone except where evidence says
a rendering is wrong. For each sentence, ``targets_for`` lists what the English must contain
(canonical entity names, rendered QUANTITY/DATE values, numbers in English notation) and
``apply_post_edits`` fixes what is missing, by one of three methods, recorded with each edit:

- ``number``: a number left in Vietnamese notation (``12.246``, ``2,8``) becomes English
  notation (``12,246``, ``2.8``), by literal match of the Vietnamese form in the output.
- ``literal``: a mention copied through untranslated (``Mig-25``, ``Liên Xô``) becomes its
  English rendering: the entity's canonical ``name_en`` (``MiG-25``), or ``value["en"]`` for
  QUANTITY/DATE. Latin-script aliases that differ from the canonical name (``Foxbat`` for MiG-25,
  ``Belenko`` for Viktor Belenko) count as rendered and are never rewritten.
- ``attention``: when the rendering is absent and nothing was copied, the output words whose
  strongest attention falls on the mention are replaced by the rendering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .document import Document, Entity, Mention
from .numbers import find_numbers

TRAIL_PUNCT = re.compile(r"[.,;:!?)\]\"'”’]+$")


@dataclass
class Word:
    """One English word of a translation and the target pieces that spelled it."""

    text: str
    pieces: list[int]
    edit: int | None = None  # index into the post-edit list, to fill its final offsets


@dataclass
class Target:
    """What a sentence must contain in English: ``rendering`` for the source ``surface``."""

    start: int
    end: int
    surface: str
    rendering: str
    accepted: tuple[str, ...]
    mention: str | None
    kind: str  # name | value | number


def _is_latin(text: str) -> bool:
    return all(ord(c) < 0xC0 for c in text)


def _norm(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _contains(text: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is not None


def accepted_renderings(mention: Mention, entity: Entity | None) -> list[str]:
    """English forms that render ``mention`` correctly, the preferred one first.

    QUANTITY/DATE: ``value["en"]``. Named entities: the canonical ``name_en``; a Latin-script
    alias that differs from it (``Foxbat`` for MiG-25) is accepted too, so it is never rewritten,
    while a case or hyphen variant (``Mig-25``) is. Unlinked Latin-script mentions render as
    themselves; other mentions have no known rendering.
    """
    if mention.value and mention.value.get("en"):
        return [str(mention.value["en"])]
    latin = _is_latin(mention.text)
    if entity is not None and entity.name_en:
        if latin and _norm(mention.text) != _norm(entity.name_en):
            return [entity.name_en, mention.text]
        return [entity.name_en]
    return [mention.text] if latin else []


def best_run(indices: list[int], max_len: int) -> list[int]:
    """The longest run of ``indices`` with gaps of at most one, if it spans ``max_len`` or fewer."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and i - runs[-1][-1] <= 2:
            runs[-1].append(i)
        else:
            runs.append([i])
    if not runs:
        return []
    run = max(runs, key=len)
    return run if run[-1] - run[0] + 1 <= max_len else []


def targets_for(doc: Document | None, text: str, start: int, end: int) -> list[Target]:
    """Renderings the English sentence must contain for vi text ``[start, end)``."""
    targets: list[Target] = []
    names = {e.id: e for e in doc.entities} if doc is not None else {}
    mentions = [m for m in (doc.vi.entities if doc is not None else [])
                if start <= m.start and m.end <= end]
    for m in mentions:
        forms = accepted_renderings(m, names.get(m.entity or ""))
        if forms:
            kind = "value" if m.value and m.value.get("en") else "name"
            targets.append(Target(m.start, m.end, m.text, forms[0], tuple(forms), m.id, kind))
    covered = [(m.start, m.end) for m in mentions]
    for n in find_numbers(text[start:end]):
        a, b = start + n.start, start + n.end
        if n.en != n.surface and not any(s <= a and b <= e for s, e in covered):
            targets.append(Target(a, b, n.surface, n.en, (n.en,), None, "number"))
    return targets


def apply_post_edits(words: list[Word], attention: np.ndarray, spans: list[tuple[int, int]],
                     targets: list[Target], edits: list[dict[str, Any]], sentence: int) -> list[Word]:
    """``words`` with each missing target rendered; each edit is appended to ``edits``.

    ``attention`` is target pieces x source pieces and ``spans`` the source pieces' characters;
    numbers are fixed first, so that a quantity's rendering can then be found whole. An edit
    whose words a later edit rewrites gets ``superseded_by`` (the later edit's index) instead
    of offsets.
    """
    for target in sorted(targets, key=lambda t: t.kind != "number"):
        text = " ".join(w.text for w in words)
        if any(_contains(text, form) for form in target.accepted):
            continue
        if target.kind == "number":
            hit = next((i for i, w in enumerate(words) if TRAIL_PUNCT.sub("", w.text) == target.surface), None)
            lo = hi = hit
            method = "number"
        else:
            lo, hi = _literal(words, target.surface)
            method = "literal"
            if lo is None:
                lo, hi = _attended(words, attention, spans, target)
                method = "attention"
        if lo is None:
            continue
        while lo > 0 and words[lo].edit is not None and words[lo - 1].edit == words[lo].edit:
            lo -= 1  # an earlier edit's words are rewritten whole, as one
        while hi + 1 < len(words) and words[hi].edit is not None and words[hi + 1].edit == words[hi].edit:
            hi += 1
        before = " ".join(w.text for w in words[lo:hi + 1])
        tail = TRAIL_PUNCT.search(words[hi].text)
        after = target.rendering + (tail.group() if tail and not target.rendering.endswith(tail.group()) else "")
        for k in {w.edit for w in words[lo:hi + 1] if w.edit is not None}:
            edits[k]["superseded_by"] = len(edits)  # an earlier edit rewritten by this one: say so, keep both
        edits.append({"sentence": sentence, "mention": target.mention, "kind": target.kind,
                      "method": method, "before": before, "after": after})
        words = words[:lo] + rendered_words(after, words[lo:hi + 1], len(edits) - 1) + words[hi + 1:]
    return words


def rendered_words(rendering: str, replaced: list[Word], edit: int) -> list[Word]:
    """The words of ``rendering`` that replace ``replaced``, keeping the links of what they repeat.

    Each word of the rendering that repeats a replaced word (the same number, or the same word)
    keeps that word's target pieces, so its attention, and the word alignment drawn from it, still
    points at its source (``năm 2009``: "year 2009" -> "April 2009" keeps 2009's link); the other
    words share the pieces of the replaced words not repeated. All carry ``edit``.
    """
    def key(text: str) -> tuple[str, ...] | str:
        bare = TRAIL_PUNCT.sub("", text)
        return tuple(re.findall(r"\d+", bare)) or bare.lower()

    unused = list(range(len(replaced)))
    kept: dict[int, list[int]] = {}
    parts = rendering.split(" ")
    for i, part in enumerate(parts):
        j = next((j for j in unused if key(replaced[j].text) == key(part)), None)
        if j is not None:
            kept[i] = replaced[j].pieces
            unused.remove(j)
    rest = [p for j in unused for p in replaced[j].pieces] or [p for w in replaced for p in w.pieces]
    return [Word(part, kept.get(i, rest), edit) for i, part in enumerate(parts)]


def _literal(words: list[Word], surface: str) -> tuple[int | None, int | None]:
    """Words that spell ``surface`` (copied through untranslated), case-insensitively."""
    n = len(surface.split())
    wanted = _norm(surface) or surface.lower()
    for i in range(len(words) - n + 1):
        joined = " ".join(w.text for w in words[i:i + n])
        if (_norm(TRAIL_PUNCT.sub("", joined)) or joined.lower()) == wanted:
            return i, i + n - 1
    return None, None


def _attended(words, attention, spans, target) -> tuple[int | None, int | None]:
    """The contiguous words whose strongest attention lies on the target's source pieces."""
    if attention.size == 0:
        return None, None
    inside = {k for k, (a, b) in enumerate(spans) if a < target.end and target.start < b}
    if not inside:
        return None, None
    best = attention.argmax(axis=1)
    hits = [i for i, w in enumerate(words) if any(best[p] in inside for p in w.pieces if p < len(best))]
    run = best_run(hits, len(target.surface.split()) + 2)
    return (run[0], run[-1]) if run else (None, None)
