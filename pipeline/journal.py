"""The output folder's bookkeeping: atomic writes, the journal, the manifest.

Each finished article's record is appended to the journal (``.vien-journal.jsonl``) and synced at
once, so a run killed at any moment resumes from it; the manifest (``manifest.json``) holds every
record of the run, rewritten now and then and at the end. Output files are written to a temporary
file and renamed, so none is ever half-written; a killed run's temporaries are removed on resume.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import Runner, RunReport

MANIFEST = "manifest.json"
JOURNAL = ".vien-journal.jsonl"
# the manifest (every record so far) is rewritten at most this often while a run goes on, and at its
# end; the journal, appended and synced per article, is what a resumed run reads
MANIFEST_EVERY_S = 5.0


# an output file name's limit in bytes: most filesystems allow 255; a longer doc id (deep folders,
# long file names) is cut and given a hash suffix, and the record says which file holds it
MAX_NAME_BYTES = 240


def output_name(doc_id: str) -> str:
    """The output file name of ``doc_id``: ``<doc_id>.json``, or, when that passes
    ``MAX_NAME_BYTES``, the id cut at a character boundary plus 12 hex digits of its sha256."""
    name = f"{doc_id}.json"
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:12]
    head = doc_id.encode("utf-8")[:MAX_NAME_BYTES - len(digest) - len("-.json")].decode("utf-8", "ignore")
    return f"{head}-{digest}.json"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: never half-written. The
    temporary file's name is short whatever ``path``'s is, so it fits the filesystem when ``path`` does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".vien-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_journal(path: Path) -> dict[str, dict]:
    """The last journal record of each doc id. The file is rewritten (atomically) with just those
    when it holds more lines, so it does not grow run after run; a last line cut by a kill goes."""
    done: dict[str, dict] = {}
    if not path.exists():
        return done
    data = path.read_bytes()
    lines = data.decode("utf-8", errors="replace").splitlines()
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "doc_id" in record:
            done.pop(record["doc_id"], None)  # keep the order of the last records
            done[record["doc_id"]] = record
    if len(lines) > len(done) or (data and not data.endswith(b"\n")):
        write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in done.values()))
    return done


def remove_stale_temporaries(outdir: Path) -> None:
    """Temporary files of ``write_atomic`` left by a run that was killed mid-write."""
    for tmp in outdir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def write_manifest(outdir: Path, report: RunReport, runner: Runner, *, final: bool) -> None:
    """``manifest.json``: the producer, the counts, and every article's record so far (``final``:
    the run has ended)."""
    manifest = {
        "producer": runner.producer,
        "fingerprint": runner.fingerprint,
        "complete": final,
        "counts": {"ok": len(report.ok), "error": len(report.failed),
                   "skipped": sum(r["status"] == "skipped" for r in report.records)},
        "documents": sorted(report.records, key=lambda r: r["doc_id"]),
    }
    write_atomic(outdir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
