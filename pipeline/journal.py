"""The output folder's bookkeeping: atomic writes, the journal, the manifest.

Each finished article's record is appended to the journal (``.vien-journal.jsonl``) and synced at
once, so a run killed at any moment resumes from it; the manifest (``manifest.json``) holds every
record of the run, rewritten now and then and at the end. Output files are written to a temporary
file and renamed, so none is ever half-written; a killed run's temporaries are removed on resume.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import DiskFull, OutputInUse, OutputNotWritable, VienError

MANIFEST = "manifest.json"
JOURNAL = ".vien-journal.jsonl"
LOCK = ".vien.lock"  # held by the run writing to the folder: a second run is refused, not interleaved
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


def output_error(path: Path, exc: OSError) -> VienError:
    """The catalogue error of a failed write to ``path``: ``DiskFull`` when the disk or the quota
    is full, else ``OutputNotWritable``."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(path=str(path), reason=reason)
    return OutputNotWritable(path=str(path), reason=reason)


def file_mode() -> int:
    """The mode the process's umask gives a new ordinary file (0o644 under umask 022)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: never half-written. The file
    gets the mode of an ordinary new file (``file_mode``), and the temporary file's name is short
    whatever ``path``'s is, so it fits the filesystem when ``path`` does. Raises ``DiskFull`` or
    ``OutputNotWritable`` when the write fails."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".vien-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), file_mode())
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(path, exc) from exc
        raise


@contextlib.contextmanager
def locked(outdir: Path) -> Iterator[None]:
    """Hold ``outdir``'s lock file while the block runs (the system releases it when the process
    dies, even by ``kill -9``). Raises ``OutputInUse`` at once when another run holds it."""
    from filelock import FileLock, Timeout

    lock = FileLock(outdir / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise OutputInUse(path=str(outdir), lock=LOCK) from exc
    except OSError as exc:
        raise output_error(outdir / LOCK, exc) from exc
    try:
        yield
    finally:
        lock.release()


def open_outdir(outdir: Path) -> None:
    """Create ``outdir`` when missing and check that files can be written in it; raises
    ``OutputNotWritable`` (``-o`` names a file or a path under one, a read-only folder) or ``DiskFull``."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise OutputNotWritable(path=str(outdir), reason="it is a file, not a folder") from exc
    except NotADirectoryError as exc:
        raise OutputNotWritable(path=str(outdir), reason="a folder on its path is a file") from exc
    except OSError as exc:
        raise output_error(outdir, exc) from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=".vien-", suffix=".tmp", dir=outdir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise output_error(outdir, exc) from exc


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
        # a line that is JSON but not a record (another tool's, a hand edit) is not trusted
        if (isinstance(record, dict) and isinstance(record.get("doc_id"), str)
                and record.get("status") in ("ok", "error", "skipped")
                and (record["status"] != "ok" or isinstance(record.get("output"), str))):
            done.pop(record["doc_id"], None)  # keep the order of the last records
            done[record["doc_id"]] = record
    if len(lines) > len(done) or (data and not data.endswith(b"\n")):
        write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in done.values()))
    return done


class JournalWriter:
    """The journal, open for appending: ``append`` writes one record as a line and syncs it.
    Raises ``DiskFull`` or ``OutputNotWritable`` when that fails."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fh = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise output_error(path, exc) from exc

    def append(self, record: dict) -> None:
        try:
            self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise output_error(self.path, exc) from exc

    def close(self) -> None:
        try:
            self._fh.close()
        except OSError:  # a line that could not be flushed: a resumed run drops a cut last line
            pass

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_stale_temporaries(outdir: Path) -> None:
    """Temporary files of ``write_atomic`` left by a run that was killed mid-write."""
    for tmp in outdir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def stale_outputs(outdir: Path, records: list[dict]) -> list[str]:
    """Output files in ``outdir`` that no record names: their input is gone (deleted, renamed, or
    now of a type that is not read). They are kept, and listed in the manifest as ``stale``."""
    named = {r["output"] for r in records if r.get("output")}
    return sorted(p.name for p in outdir.glob("*.json")
                  if p.name != MANIFEST and not p.name.startswith(".") and p.name not in named)


def write_manifest(outdir: Path, *, producer: dict, fingerprint: str, records: list[dict], stale: list[str],
                   final: bool) -> None:
    """``manifest.json``: the ``producer`` and its ``fingerprint``, the counts, every article's
    record so far, the ``stale`` outputs (``final``: the run has ended)."""
    manifest = {
        "producer": producer,
        "fingerprint": fingerprint,
        "complete": final,
        "counts": {status: sum(r["status"] == status for r in records) for status in ("ok", "error", "skipped")},
        "documents": sorted(records, key=lambda r: r["doc_id"]),
        "stale": stale,
    }
    write_atomic(outdir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
