"""A candidate mention: what a component proposes before precedence picks the final, flat spans."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Rule components outrank the statistical CRF; among rules, the longer span wins (guidelines), then
# the higher priority (a facility pattern over the bare country inside it, a date over a duration).
PRIORITY = {"crf": 0, "propagated": 1, "ruler": 2, "gazetteer": 3, "quantity": 3, "date": 4, "byline": 3}


@dataclass
class Candidate:
    start: int
    end: int
    label: str
    source: str
    text: str
    name_en: str = ""
    key: str = ""  # linking key: mentions with the same key are one entity
    score: float = 1.0
    value: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tier(self) -> int:
        return 0 if self.source.startswith("crf") else 1

    @property
    def priority(self) -> int:
        return PRIORITY.get(self.source.split(":")[0], 2)


def resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Flat, sorted, non-overlapping spans: rules first (longest, then priority), then the CRF in the gaps."""
    chosen: list[Candidate] = []
    taken = bytearray(max((c.end for c in candidates), default=0))  # 1 where a chosen span lies
    order = sorted(candidates, key=lambda c: (-c.tier, -(c.end - c.start), -c.priority, c.start))
    for cand in order:
        if 1 in taken[cand.start:cand.end]:
            continue
        chosen.append(cand)
        taken[cand.start:cand.end] = b"\x01" * (cand.end - cand.start)
    return sorted(chosen, key=lambda c: c.start)
