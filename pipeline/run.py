"""Run: drive a corpus of articles through the stages into one JSON file per article.

``discover`` (``pipeline/discover.py``) turns the inputs into articles with unique ids; a
``Runner`` (``pipeline/runner.py``) holds the stages; ``annotate`` takes the articles through them
with an executor (``pipeline/executors.py``). Each article ends as exactly one output JSON or one
error record in ``manifest.json``. A journal (``pipeline/journal.py``) records each finished article
at once, so a run killed at any moment resumes where it stopped, and an article whose input bytes
(sha256) and pipeline (``Runner.fingerprint``: versions, stages, settings, model) are unchanged is
skipped unless ``force`` is set.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .discover import InputFile, discover
from .errors import DiskFull, OutputNotWritable, error_record, printable
from .executors import Executor, LocalExecutor
from .journal import (JOURNAL, MANIFEST, MANIFEST_EVERY_S, JournalWriter, locked, open_outdir, output_name,
                      read_journal, remove_stale_temporaries, stale_outputs, write_atomic, write_manifest)
from .readers import ReadOptions
from .runner import Result, Runner, Settings, load_settings

__all__ = ["RunReport", "Runner", "Settings", "annotate", "load_settings"]

log = logging.getLogger("vien")


@dataclass
class RunReport:
    """What a run did: every article's manifest record (``ok``, ``failed``, skipped, cached) and the
    ``stale`` outputs of ``outdir``."""

    outdir: Path
    records: list[dict] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # output files whose input is not in this run

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.records if r["status"] == "error"]

    @property
    def ok(self) -> list[dict]:
        return [r for r in self.records if r["status"] == "ok"]


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
    ``ModelNotInstalled``/``ModelInvalid`` when translation is on and no model is installed or it
    cannot be loaded, ``OutputNotWritable``,
    ``OutputInUse`` when another run writes to ``outdir``. ``DiskFull``/``OutputNotWritable``
    during the run stop it (the same call resumes). Per-article problems become error records.
    """
    settings = settings or Settings()
    outdir = Path(outdir)
    entries = discover(inputs, ReadOptions(text_column=settings.text_column, id_column=settings.id_column),
                       exclude=outdir, reserved=[Path(MANIFEST).stem])
    executor = executor or LocalExecutor()
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
                for result in results:
                    runner.timings.update(result.outcome.seconds)
                    record = _finish(result, outdir, runner.fingerprint)
                    journal.append(record)
                    report.records.append(record)
                    bar.update(1)
                    if time.monotonic() - written >= MANIFEST_EVERY_S:
                        _write_manifest(outdir, report, runner, final=False)
                        written = time.monotonic()
    except (DiskFull, OutputNotWritable):  # not an article's fault: stop once; the journal resumes
        bar.close()
        with contextlib.suppress(DiskFull, OutputNotWritable):
            _write_manifest(outdir, report, runner, final=False)
        raise
    bar.close()
    report.stale = stale_outputs(outdir, report.records)
    _write_manifest(outdir, report, runner, final=True)


def _write_manifest(outdir: Path, report: RunReport, runner: Runner, *, final: bool) -> None:
    write_manifest(outdir, producer=runner.producer, fingerprint=runner.fingerprint, records=report.records,
                   stale=report.stale, final=final)


def _finish(result: Result, outdir: Path, fingerprint: str) -> dict:
    """Write an article's output (or remove an earlier run's when it failed); its journal record.
    ``DiskFull``/``OutputNotWritable`` propagate: the run stops there."""
    entry, rendered, exc = result.entry, result.rendered, result.error
    record = {"doc_id": entry.doc_id, **_inputs(entry), "seconds": round(result.seconds, 3),
              "fingerprint": fingerprint}
    out = outdir / output_name(entry.doc_id)
    if rendered is not None and exc is None:
        try:
            write_atomic(out, rendered.text)
            return {**record, "status": "ok", "output": out.name, "sha256": rendered.sha256,
                    "sentences": rendered.sentences, "entities": rendered.entities}
        except (DiskFull, OutputNotWritable):
            raise
        except Exception as err:
            exc = err
    if exc is None:  # an executor that returned an article unrendered: a bug, recorded as one
        exc = RuntimeError("the article was not rendered")
    record.update(status="error", output=None, **error_record(exc, entry.name))
    if result.outcome.stage is not None:
        record["stage"] = result.outcome.stage
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
