"""The runner: the stages of a run, built once, turning articles into rendered JSON.

``Settings`` say what a run does (validated when they are made); ``Runner`` builds the stages
from them (the translation model is resolved and loaded at once: a missing or broken one stops the
run before its first document) and takes articles (``discover.InputFile``) through them in steps
that an executor (``pipeline/executors.py``) may run in different processes: ``prepare`` (read,
segment, entities), ``translate`` (a batch at once), ``align``, ``render`` (frames and JSON). Each
step keeps one ``Result`` per article: the stages' ``core.Outcome`` (document or error, seconds
per stage) and, at the end, the ``Rendered`` output.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from . import __version__
from .core import Outcome, Pipeline, check_order
from .discover import InputFile
from .document import Document
from .frames import document_frames, frames_to_json, json_text
from .schema import validate


@dataclass
class Settings:
    """What a run does. Defaults live here; the CLI and the config file override them."""

    translate: bool = True
    model: str | None = None
    batch_size: int = 16  # documents per translation batch
    beam_size: int = 1  # greedy: batch-independent output (resumed runs match) and the fastest
    max_batch_sentences: int = 64
    # batches of equal-length sentences only, so that a document's translation never depends on its
    # batch-mates (beam search on padded batches can differ) and resumed runs match; None: only when
    # beam_size > 1 (greedy decoding is batch-independent anyway)
    exact_batches: bool | None = None
    indent: int | None = None  # spaces per level in the article JSON; None: compact (a sixth of the size)
    force: bool = False
    validate: bool = True
    text_column: str = "text"  # JSONL field / CSV column with the article text
    id_column: str = "id"  # JSONL field / CSV column with the article id (else the line/row number)

    def __post_init__(self) -> None:
        """Refuse a setting of the wrong type or out of range when the run is built, naming it
        (``InvalidSetting``): every whole-number setting is a count of at least 1."""
        from typing import get_type_hints

        from .errors import InvalidSetting

        for name, hint in get_type_hints(Settings).items():
            value = getattr(self, name)
            allowed = getattr(hint, "__args__", (hint,))
            if value is None and type(None) in allowed:
                continue
            if bool in allowed:
                if not isinstance(value, bool):
                    raise InvalidSetting(name=name, value=value, reason="must be true or false")
            elif int in allowed:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidSetting(name=name, value=value, reason="must be a whole number")
                if value < 1:
                    raise InvalidSetting(name=name, value=value, reason="must be at least 1")
            elif not isinstance(value, str) or not value:
                raise InvalidSetting(name=name, value=value, reason="must be a non-empty string")


def load_settings(path: str | Path | None = None, **overrides: object) -> Settings:
    """Defaults, then the ``[annotate]`` table of a TOML config file, then ``overrides`` (not None)."""
    import tomllib

    from .errors import ConfigError

    values: dict[str, object] = {}
    if path is not None:
        try:
            values = tomllib.loads(Path(path).read_text("utf-8")).get("annotate", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(path=str(path), reason=str(exc)) from exc
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(path=str(path), reason=f"unknown settings {unknown}; known: {sorted(known)}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


@dataclass
class Rendered:
    """A finished article: its output JSON text, and what its manifest record says about it."""

    text: str
    sha256: str | None
    sentences: int
    entities: int


@dataclass
class Result:
    """One article on its way through the steps: the stages' ``outcome``, then its ``rendered``
    output (``outcome.doc`` is dropped then: the output says it all)."""

    entry: InputFile
    outcome: Outcome
    rendered: Rendered | None = None

    @property
    def error(self) -> BaseException | None:
        return self.outcome.error

    @property
    def seconds(self) -> float:
        return sum(self.outcome.seconds.values())


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"vien": __version__, "python": sys.version.split()[0]}
    for dist in ("underthesea", "spacy", "pandas", "ctranslate2", "sentencepiece", "argostranslate"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            continue
    return out


class Runner:
    """Builds the stages once and takes batches of articles through them."""

    def __init__(self, settings: Settings | None = None, *, threads: int | None = None) -> None:
        """``threads``: CTranslate2 threads for translation (default: the translator's own);
        an executor that runs other stages beside translation lowers it. It does not change outputs,
        so it is not part of the producer or the fingerprint."""
        from .align import Aligner
        from .entities import EntityRecognizer
        from .segment import Segmenter

        self.settings = settings or Settings()
        self.translator = None
        self.aligner = Aligner()  # loads its tokenizer on first use
        self._vietnamese: Pipeline | None = None  # built on first use: see ``vietnamese``
        stages: list = [Segmenter, EntityRecognizer]
        if self.settings.translate:  # resolve the model first: a missing one stops the run here
            from .translate import make_translator

            self.translator = make_translator(self.settings.model, beam_size=self.settings.beam_size,
                                              max_batch_sentences=self.settings.max_batch_sentences,
                                              threads=threads,
                                              exact_batches=self.settings.beam_size > 1
                                              if self.settings.exact_batches is None
                                              else self.settings.exact_batches)
            stages += [self.translator, self.aligner]
            self._check_translator()
        from .translate import Translator

        check_order(stages)  # the order of all the stages, checked now
        after_vietnamese = check_order(stages[:2])
        self.translation = Pipeline([self.translator], initial=after_vietnamese) if self.translator else None
        # a pool worker aligns what its parent translated, with a runner that does not translate
        self.alignment = Pipeline([self.aligner], initial=check_order([self.translator or Translator],
                                                                      after_vietnamese))
        self.timings: Counter[str] = Counter()  # seconds per stage in this run (bench/ reads it)
        self.producer = {
            "pipeline": f"vien {__version__}",
            "versions": versions(),
            "stages": [s.name for s in stages],
            "settings": {k: v for k, v in asdict(self.settings).items() if k not in ("force", "validate")},
        }
        if self.translator is not None:
            model = self.translator.describe()
            model["settings"] = {k: v for k, v in model.get("settings", {}).items() if k != "threads"}
            self.producer["model"] = model
        self.fingerprint = hashlib.sha256(json.dumps(self.producer, sort_keys=True).encode()).hexdigest()

    def _check_translator(self) -> None:
        """Load the model and translate one sentence now, so that a model that cannot run (a
        damaged ``model.bin``, a lexicon that is not gzip) stops the run before its first document:
        ``ModelInvalid`` (exit 3) instead of one error per document."""
        from .errors import ModelInvalid, VienError

        try:
            self.translator.translate_texts(["Việt Nam."])
        except VienError:
            raise
        except Exception as exc:
            raise ModelInvalid(path=str(self.translator.model.path),
                               reason=f"it cannot be loaded or run: {type(exc).__name__}: {exc}") from exc

    @property
    def vietnamese(self) -> Pipeline:
        """The per-document stages, segment and entities, built on first use (a few seconds of
        model loading): a pool's parent process only translates and never builds them."""
        if self._vietnamese is None:
            from .entities import EntityRecognizer
            from .segment import Segmenter

            self._vietnamese = Pipeline([Segmenter(), EntityRecognizer()])
        return self._vietnamese

    def load(self) -> Runner:
        """Load every model this runner may use now, rather than on first use."""
        self.vietnamese
        if self.translator is not None:
            self.aligner.load()
        return self

    # -- the steps -------------------------------------------------------------------------------
    def annotate_batch(self, entries: Iterable[InputFile]) -> list[Result]:
        """Every step but rendering, in this process, for a batch of articles."""
        return [self.align(r) for r in self.translate([self.prepare(entry) for entry in entries])]

    def prepare(self, entry: InputFile) -> Result:
        """Read one article and run the Vietnamese stages (segment, entities) on it."""
        outcome = Outcome()
        start = time.perf_counter()
        try:
            outcome.doc = entry.read()
        except Exception as exc:  # one bad article never stops the batch
            outcome.fail("ingest", exc)
        outcome.add_time("ingest", time.perf_counter() - start)
        if outcome.ok:
            self.vietnamese.apply([outcome])
        return Result(entry, outcome)

    def translate(self, results: list[Result]) -> list[Result]:
        """Translate the prepared documents of a batch together (each alone when the batch fails);
        failures pass through. Without translation, the results as they are."""
        if self.translation is not None:
            self.translation.apply([r.outcome for r in results])
        return results

    def align(self, result: Result) -> Result:
        """The align stage on one translated result (English words, alignment, projected
        entities); a result without an English side as it is."""
        if result.outcome.ok and result.outcome.doc.en is not None:
            self.alignment.apply([result.outcome])
        return result

    def render(self, result: Result) -> Result:
        """The frames/JSON step: the result's document as ``Rendered`` output text."""
        outcome = result.outcome
        if not outcome.ok:
            return result
        doc = outcome.doc
        start = time.perf_counter()
        try:
            rendered = Rendered(json_text(self.to_json(doc), indent=self.settings.indent),
                                doc.source.sha256, len(doc.vi.sentences), len(doc.vi.entities))
            result = replace(result, rendered=rendered)
            outcome.doc = None
        except Exception as exc:
            outcome.fail("frames", exc)
        outcome.add_time("frames", time.perf_counter() - start)
        return result

    def to_json(self, doc: Document) -> dict:
        doc.producer = self.producer
        problems = doc.check_offsets()
        if problems:
            raise AssertionError(f"{doc.doc_id}: offsets do not hold: {problems[:3]}")
        data = frames_to_json(document_frames(doc))
        if self.settings.validate:
            validate(data)
        return data
