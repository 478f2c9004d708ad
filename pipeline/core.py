"""Stages and their composition.

A stage is a callable ``stage(doc) -> doc`` with a ``name``, the annotations it ``requires`` and the
ones it ``provides`` (strings such as ``"sentences"``, ``"tokens"``, ``"entities"``). A stage that
gains from batching (translation) also has ``pipe(docs, batch_size)``. ``Pipeline`` checks the
requirements when it is built, not halfway through a batch, and runs its stages over documents:
each document's ``Outcome`` holds the document or the error that stopped it, with the stage that
raised it and the seconds each stage took.
"""
from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .document import Document
from .errors import StageRequirementMissing


@runtime_checkable
class Stage(Protocol):
    name: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]

    def __call__(self, doc: Document) -> Document: ...


@dataclass
class Outcome:
    """What the stages made of one document: ``doc``, or the ``error`` that stopped it and the
    ``stage`` that raised it; ``seconds`` per stage (a batching stage's time shared evenly)."""

    doc: Document | None = None
    error: BaseException | None = None
    stage: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    def fail(self, stage: str, error: BaseException) -> None:
        self.doc, self.error, self.stage = None, error, stage

    def add_time(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


def check_order(stages: Iterable[Stage], initial: Iterable[str] = ("text",)) -> set[str]:
    """What ``stages`` provide, run in order after ``initial``; ``StageRequirementMissing`` when a
    stage needs what no earlier one provides. Takes stage classes as well as stages."""
    available = set(initial)
    for stage in stages:
        missing = [r for r in stage.requires if r not in available]
        if missing:
            raise StageRequirementMissing(stage=stage.name, missing=", ".join(missing))
        available.update(stage.provides)
    return available


class Pipeline:
    """An ordered list of stages whose requirements are checked at construction."""

    def __init__(self, stages: Iterable[Stage], *, initial: Iterable[str] = ("text",)) -> None:
        self.stages = list(stages)
        self.provides = check_order(self.stages, initial)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def __call__(self, doc: Document) -> Document:
        """``doc`` through every stage; a stage's error propagates."""
        outcome = self.apply([Outcome(doc)])[0]
        if outcome.error is not None:
            raise outcome.error
        return outcome.doc

    def apply(self, outcomes: Sequence[Outcome]) -> Sequence[Outcome]:
        """Run every stage, in order, on the documents of ``outcomes`` that have not failed. A
        batching stage gets them all at once, and each alone when that fails, so that one bad
        document fails alone; a failure stops that document there. Returns ``outcomes``."""
        for stage in self.stages:
            live = [o for o in outcomes if o.ok]
            if not live:
                break
            if getattr(stage, "pipe", None) is not None:
                _run_batched(stage, live)
            else:
                for outcome in live:
                    _run_one(stage, outcome, lambda doc: stage(doc))
        return outcomes

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """Documents through every stage, ``batch_size`` at a time; a stage's error propagates."""
        docs = iter(docs)
        while batch := list(itertools.islice(docs, batch_size)):
            for outcome in self.apply([Outcome(d) for d in batch]):
                if outcome.error is not None:
                    raise outcome.error
                yield outcome.doc


def _run_one(stage: Stage, outcome: Outcome, call) -> None:
    start = time.perf_counter()
    try:
        doc = call(outcome.doc)
        doc.annotations.update(stage.provides)
        outcome.doc = doc
    except Exception as exc:  # one bad document never stops the others
        outcome.fail(stage.name, exc)
    outcome.add_time(stage.name, time.perf_counter() - start)


def _run_batched(stage: Stage, outcomes: list[Outcome]) -> None:
    start = time.perf_counter()
    try:
        docs = list(stage.pipe([o.doc for o in outcomes], batch_size=len(outcomes)))
    except Exception:  # find the document that broke the batch: each alone
        for outcome in outcomes:
            _run_one(stage, outcome, lambda doc: next(iter(stage.pipe([doc], batch_size=1))))
        return
    share = (time.perf_counter() - start) / len(outcomes)
    for outcome, doc in zip(outcomes, docs):
        doc.annotations.update(stage.provides)
        outcome.doc = doc
        outcome.add_time(stage.name, share)
