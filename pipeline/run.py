"""Run: drive a batch of articles through the stages into one JSON file per article.

``discover`` (``pipeline/discover.py``) turns the inputs into articles with unique ids; ``Runner``
builds the stages once and turns articles into rendered JSON; ``annotate`` runs it over a corpus
with an executor (``pipeline/executors.py``). Each article ends as exactly one output JSON or one
error record in ``manifest.json``. A journal (``pipeline/journal.py``) records each finished article
at once, so a run killed at any moment resumes where it stopped, and an article whose input bytes
(sha256) and pipeline (``Runner.fingerprint``: versions, stages, settings, model) are unchanged is
skipped unless ``force`` is set.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .core import Pipeline
from .document import Document
from .discover import InputFile, discover
from .errors import DiskFull, OutputNotWritable, error_record, printable
from .frames import document_frames, frames_to_json, json_text
from .journal import (JOURNAL, MANIFEST_EVERY_S, JournalWriter, locked, open_outdir, output_name, read_journal,
                      remove_stale_temporaries, stale_outputs, write_atomic, write_manifest)
from .readers import ReadOptions
from .schema import validate

if TYPE_CHECKING:
    from .executors import Executor

log = logging.getLogger("vien")



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


#: what the stages make of one article: (entry, document or Rendered or None, error or None, seconds)
Result = tuple[InputFile, "Document | Rendered | None", "BaseException | None", float]


@dataclass
class RunReport:
    outdir: Path
    records: list[dict] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # output files whose input is not in this run

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.records if r["status"] == "error"]

    @property
    def ok(self) -> list[dict]:
        return [r for r in self.records if r["status"] == "ok"]


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
    """Builds the stages once and annotates batches of articles into ``outdir``."""

    def __init__(self, settings: Settings | None = None, *, threads: int | None = None) -> None:
        """``threads``: CTranslate2 threads for translation (default: the translator's own);
        an executor that runs other stages beside translation lowers it. It does not change outputs,
        so it is not part of the producer or the fingerprint."""
        from .align import Aligner

        self.settings = settings or Settings()
        self.translator = None
        self.aligner = Aligner()  # loads its tokenizer on first use
        self._per_document: list | None = None  # built on first use: see ``per_document``
        names = ["segment", "entities"]
        if self.settings.translate:  # resolve the model first: a missing one stops the run here
            from .translate import make_translator

            self.translator = make_translator(self.settings.model, beam_size=self.settings.beam_size,
                                              batch_size=self.settings.max_batch_sentences, threads=threads,
                                              exact_batches=self.settings.beam_size > 1
                                              if self.settings.exact_batches is None
                                              else self.settings.exact_batches)
            names += [self.translator.name, self.aligner.name]
            self._check_translator()
        self.timings: Counter[str] = Counter()  # seconds per stage in this process (bench/ reads it)
        self.producer = {
            "pipeline": f"vien {__version__}",
            "versions": versions(),
            "stages": names,
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
    def per_document(self) -> list:
        """The per-document stages, segment and entities, built on first use (a few seconds of
        model loading): a pool's parent process only translates and never builds them."""
        if self._per_document is None:
            from .entities import EntityRecognizer
            from .segment import Segmenter

            stages = [Segmenter(), EntityRecognizer()]
            Pipeline([*stages, *([self.translator, self.aligner] if self.translator else [])])  # check order
            self._per_document = stages
        return self._per_document

    def load(self) -> Runner:
        """Load every model this runner may use now, rather than on first use."""
        self.per_document
        if self.translator is not None:
            self.aligner.load()
        return self

    # -- one batch ---------------------------------------------------------------------------
    def annotate_batch(self, entries: list[InputFile]) -> Iterator[Result]:
        """Yield ``(entry, document or None, error or None, seconds)`` for each entry."""
        yield from self.translate_batch([self.prepare(entry) for entry in entries])

    def prepare(self, entry: InputFile) -> Result:
        """Read one article and run the per-document stages (segment, entities) on it."""
        t0 = time.perf_counter()
        try:
            doc = entry.read()
            t1 = time.perf_counter()
            self.timings["ingest"] += t1 - t0
            for stage in self.per_document:
                doc = stage(doc)
                doc.annotations.update(stage.provides)
                t2 = time.perf_counter()
                self.timings[stage.name] += t2 - t1
                t1 = t2
        except Exception as exc:  # one bad article never stops the batch
            return entry, None, exc, time.perf_counter() - t0
        return entry, doc, None, time.perf_counter() - t0

    def translate_batch(self, prepared: list[Result], *, align: bool = True) -> Iterator[Result]:
        """Translate the prepared documents of a batch together, then align each (unless ``align``
        is false: a pool worker aligns them); failures pass through."""
        ready = [r for r in prepared if r[1] is not None]
        yield from (r for r in prepared if r[1] is None)
        if self.translator is None or not ready:
            yield from ready
            return
        t0 = time.perf_counter()
        try:
            docs = list(self.translator.pipe([d for _, d, _, _ in ready],
                                             batch_size=self.settings.batch_size))
            share = (time.perf_counter() - t0) / len(docs)
            self.timings["translate"] += time.perf_counter() - t0
            translated = [(e, d, None, s + share) for (e, _, _, s), d in zip(ready, docs)]
        except Exception:  # find the document that broke the batch: retry one by one
            translated = []
            for entry, doc, _, seconds in ready:
                t1 = time.perf_counter()
                try:
                    doc = next(iter(self.translator.pipe([doc], batch_size=1)))
                    translated.append((entry, doc, None, seconds + time.perf_counter() - t1))
                except Exception as exc:
                    translated.append((entry, None, exc, seconds + time.perf_counter() - t1))
        yield from (self.align(r) for r in translated) if align else translated

    def align(self, result: Result) -> Result:
        """The align stage on one translated result (English words, alignment, projected entities)."""
        entry, doc, exc, seconds = result
        if doc is None or doc.en is None:
            return result
        t0 = time.perf_counter()
        try:
            doc = self.aligner(doc)
            doc.annotations.update(self.aligner.provides)
        except Exception as err:
            return entry, None, err, seconds + time.perf_counter() - t0
        self.timings["align"] += time.perf_counter() - t0
        return entry, doc, None, seconds + time.perf_counter() - t0

    def render(self, result: Result) -> Result:
        """The frames/JSON stage: turn a result's document into ``Rendered`` output text."""
        entry, doc, exc, seconds = result
        if doc is None:
            return result
        t0 = time.perf_counter()
        try:
            rendered = Rendered(json_text(self.to_json(doc), indent=self.settings.indent),
                                doc.source.sha256, len(doc.vi.sentences), len(doc.vi.entities))
        except Exception as err:
            return entry, None, err, seconds + time.perf_counter() - t0
        self.timings["frames"] += time.perf_counter() - t0
        return entry, rendered, None, seconds + time.perf_counter() - t0

    def to_json(self, doc: Document) -> dict:
        doc.producer = self.producer
        problems = doc.check_offsets()
        if problems:
            raise AssertionError(f"{doc.doc_id}: offsets do not hold: {problems[:3]}")
        data = frames_to_json(document_frames(doc))
        if self.settings.validate:
            validate(data)
        return data


def _inputs(entry: InputFile) -> dict[str, str]:
    """The manifest's ``input``, relative to the output folder, and its absolute form."""
    return {"input": entry.source_path or entry.name, "input_absolute": printable(str(entry.path.absolute()))}


def _input_sha256(entry: InputFile) -> str | None:
    if entry.record_source is not None:
        return entry.record_source.sha256
    try:
        return hashlib.sha256(entry.path.read_bytes()).hexdigest()
    except OSError:
        return None


def annotate(inputs: Iterable[str | Path], outdir: str | Path, settings: Settings | None = None,
             *, progress: bool | None = None, runner: Runner | None = None,
             executor: Executor | None = None) -> RunReport:
    """Annotate every article of ``inputs`` into ``outdir``; returns the run report.

    ``executor`` decides where the stages run (``pipeline.executors``: in this process by default,
    a process pool, or Dask); outputs, journal and manifest are written here, the same for all.

    Raises before any work: ``InputNotFound``/``NoInputFiles``, ``InvalidSetting``,
    ``ModelNotInstalled`` when translation is on and no model is installed, ``OutputNotWritable``,
    ``OutputInUse`` when another run writes to ``outdir``. ``DiskFull``/``OutputNotWritable``
    during the run stop it (the same call resumes). Per-article problems become error records.
    """
    settings = settings or Settings()
    outdir = Path(outdir)
    entries = discover(inputs, ReadOptions(text_column=settings.text_column, id_column=settings.id_column),
                       exclude=outdir)
    if executor is None:
        from .executors import LocalExecutor

        executor = LocalExecutor()
    runner = runner or Runner(settings, threads=executor.translate_threads)
    open_outdir(outdir)
    for entry in entries:
        entry.relative_to(outdir)
    with locked(outdir):
        report = RunReport(outdir)
        todo = _plan(entries, outdir, runner, settings.force, report)
        _run(todo, outdir, runner, executor, report, progress)
    return report


def _plan(entries: list[InputFile], outdir: Path, runner: Runner, force: bool, report: RunReport) -> list[InputFile]:
    """The articles to annotate; the others (refused at discovery, or cached: unchanged input and
    pipeline since the journal's record) go straight into ``report``."""
    remove_stale_temporaries(outdir)
    done = read_journal(outdir / JOURNAL)
    todo: list[InputFile] = []
    for entry in entries:
        previous = done.get(entry.doc_id)
        if entry.error is not None:
            report.records.append({"doc_id": entry.doc_id, **_inputs(entry),
                                   "status": "skipped" if entry.skipped else "error",
                                   **error_record(entry.error, entry.name), "output": None, "seconds": 0.0})
            if not entry.skipped:  # the same input failing now: an output or an error, not both
                (outdir / output_name(entry.doc_id)).unlink(missing_ok=True)
        elif (not force and previous and previous.get("status") == "ok"
              and previous.get("fingerprint") == runner.fingerprint
              and (outdir / previous["output"]).exists()
              and previous.get("sha256") == _input_sha256(entry)):
            report.records.append({**previous, "cached": True})
        else:
            todo.append(entry)
    return todo


def _run(todo: list[InputFile], outdir: Path, runner: Runner, executor: Executor, report: RunReport,
         progress: bool | None) -> None:
    """Annotate ``todo`` batch after batch with ``executor``: each finished article's output and
    journal record are written at once, the manifest now and then and at the end."""
    bar = _progress(len(todo), progress)
    written = time.monotonic()
    size = runner.settings.batch_size
    try:
        with JournalWriter(outdir / JOURNAL) as journal:
            for results in executor.run(runner, (todo[i:i + size] for i in range(0, len(todo), size))):
                for entry, rendered, exc, seconds in results:
                    record = _finish(entry, rendered, exc, seconds, outdir, runner.fingerprint)
                    journal.append(record)
                    report.records.append(record)
                    bar.update(1)
                    if time.monotonic() - written >= MANIFEST_EVERY_S:
                        write_manifest(outdir, report, runner, final=False)
                        written = time.monotonic()
    except (DiskFull, OutputNotWritable):  # not an article's fault: stop once; the journal resumes
        bar.close()
        with contextlib.suppress(DiskFull, OutputNotWritable):
            write_manifest(outdir, report, runner, final=False)
        raise
    bar.close()
    report.stale = stale_outputs(outdir, report.records)
    write_manifest(outdir, report, runner, final=True)


def _finish(entry: InputFile, rendered: Rendered | None, exc: BaseException | None, seconds: float,
            outdir: Path, fingerprint: str) -> dict:
    """Write an article's output (or remove an earlier run's when it failed); its journal record.
    ``DiskFull``/``OutputNotWritable`` propagate: the run stops there."""
    record = {"doc_id": entry.doc_id, **_inputs(entry), "seconds": round(seconds, 3), "fingerprint": fingerprint}
    out = outdir / output_name(entry.doc_id)
    if rendered is not None:
        try:
            write_atomic(out, rendered.text)
            return {**record, "status": "ok", "output": out.name, "sha256": rendered.sha256,
                    "sentences": rendered.sentences, "entities": rendered.entities}
        except (DiskFull, OutputNotWritable):
            raise
        except Exception as err:
            exc = err
    record.update(status="error", output=None, **error_record(exc, entry.name))
    out.unlink(missing_ok=True)  # from an earlier run: an output or an error, not both
    log.info("%s", record["reason"])
    return record


class _NoBar:
    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


def _progress(total: int, enabled: bool | None):
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="annotate")
