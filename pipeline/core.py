"""Stages and their composition.

A stage is a callable ``stage(doc) -> doc`` with a ``name``, the annotations it ``requires`` and the
ones it ``provides`` (strings such as ``"sentences"``, ``"tokens"``, ``"entities"``). A stage that
gains from batching (translation) also has ``pipe(docs, batch_size)``. ``Pipeline`` checks the
requirements when it is built, not halfway through a batch, and chains the stages as generators.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from .document import Document
from .errors import StageRequirementMissing


@runtime_checkable
class Stage(Protocol):
    name: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]

    def __call__(self, doc: Document) -> Document: ...


def _pipe(stage: Stage, docs: Iterable[Document], batch_size: int) -> Iterator[Document]:
    pipe = getattr(stage, "pipe", None)
    if pipe is not None:
        yield from pipe(docs, batch_size=batch_size)
    else:
        for doc in docs:
            yield stage(doc)


class Pipeline:
    """An ordered list of stages whose requirements are checked at construction."""

    def __init__(self, stages: Iterable[Stage], *, initial: Iterable[str] = ("text",)) -> None:
        self.stages = list(stages)
        available = set(initial)
        for stage in self.stages:
            missing = [r for r in stage.requires if r not in available]
            if missing:
                raise StageRequirementMissing(stage=stage.name, missing=", ".join(missing))
            available.update(stage.provides)
        self.provides = available

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def __call__(self, doc: Document) -> Document:
        for stage in self.stages:
            doc = stage(doc)
            doc.annotations.update(stage.provides)
        return doc

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """Stream documents through every stage; batching stages see ``batch_size`` at a time."""
        stream: Iterable[Document] = docs
        for stage in self.stages:
            stream = _mark(_pipe(stage, stream, batch_size), stage.provides)
        yield from stream


def _mark(docs: Iterable[Document], provides: tuple[str, ...]) -> Iterator[Document]:
    for doc in docs:
        doc.annotations.update(provides)
        yield doc
