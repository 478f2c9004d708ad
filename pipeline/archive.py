"""Safe reading of Argos Translate package archives (``.argosmodel``: a zip of one folder).

argostranslate's own installer extracts whatever a zip holds. Here nothing is extracted before
the whole archive is checked: one top folder with a safe name, no absolute paths, no ``..``, no
links or special files, no empty or ``.`` name parts, no duplicate entries, no name that is both a
file and a folder, bounded member count, total size and compression ratio (per member and over the
whole archive: zip bombs), a vi->en
``metadata.json``, a CTranslate2 model and a SentencePiece model (or, for a lexical package,
its word table), intact CRCs. Extraction counts
the bytes it really writes, in case the sizes in the headers lie.
"""
from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ModelInvalid, UnsafeArchive


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds that refuse zip bombs and runaway downloads."""

    max_members: int = 10_000
    # Real packages are far below this: the official Argos vi->en 1.9 package is 65,895,840 bytes
    # zipped; the project's own unpack to 4.4 MB. Also the most a download may bring.
    max_total_bytes: int = 512 * 1024**2
    max_ratio: float = 200.0  # uncompressed / compressed, for members above ratio_floor bytes
    ratio_floor: int = 1024**2
    # uncompressed / compressed over the whole archive once it unpacks to more than ratio_floor:
    # model weights barely compress (our packages: 1.01-1.12), so many small members of zeros cannot hide
    max_archive_ratio: float = 20.0


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _check_member(info: zipfile.ZipInfo, path: Path, limits: ArchiveLimits) -> PurePosixPath:
    name = info.filename
    member = PurePosixPath(name)
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or member.is_absolute():
        raise UnsafeArchive(path=path, member=name, reason="absolute path")
    if "\\" in name or ".." in member.parts or "\x00" in name:
        raise UnsafeArchive(path=path, member=name, reason="path escapes the package folder")
    if any(part in ("", ".") for part in name.rstrip("/").split("/")):
        raise UnsafeArchive(path=path, member=name, reason="empty or '.' path component")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeArchive(path=path, member=name, reason="symbolic link")
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IFMT(mode):
        raise UnsafeArchive(path=path, member=name, reason="special file")
    if info.file_size > limits.ratio_floor and \
            info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise UnsafeArchive(path=path, member=name,
                            reason=f"compression ratio {info.file_size / max(info.compress_size, 1):.0f}"
                                   f" above {limits.max_ratio:.0f} (zip bomb?)")
    return member


def _check_clashes(path: Path, members: list[PurePosixPath], infos: list[zipfile.ZipInfo]) -> None:
    """Refuse two entries with one name, and a name that is both a file and a folder."""
    seen: set[PurePosixPath] = set()
    files: set[PurePosixPath] = set()
    for member, info in zip(members, infos):
        if member in seen:
            raise UnsafeArchive(path=path, member=info.filename, reason="duplicate entry")
        seen.add(member)
        if not info.is_dir():
            files.add(member)
    for member in seen:
        clash = next((parent for parent in member.parents if parent in files), None)
        if clash is not None:
            raise UnsafeArchive(path=path, member=str(clash), reason="both a file and a folder")


def verify_archive(path: Path, limits: ArchiveLimits = ArchiveLimits()) -> tuple[str, dict]:
    """Check an ``.argosmodel`` without extracting it; returns ``(top folder, metadata)``.

    Raises ``UnsafeArchive`` for traversal, absolute paths, links, special files and zip bombs,
    ``ModelInvalid`` for anything that is not a vi->en Argos package (or a truncated file).
    """
    if not zipfile.is_zipfile(path):
        raise ModelInvalid(path=path, reason="not a zip archive (truncated or wrong file?)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_members:
                raise UnsafeArchive(path=path, member="*", reason=f"more than {limits.max_members} members")
            total = sum(i.file_size for i in infos)
            if total > limits.max_total_bytes:
                raise UnsafeArchive(path=path, member="*",
                                    reason=f"unpacks to {total} bytes, above {limits.max_total_bytes}")
            packed = max(sum(i.compress_size for i in infos), 1)
            if total > limits.ratio_floor and total > limits.max_archive_ratio * packed:
                raise UnsafeArchive(path=path, member="*",
                                    reason=f"whole-archive compression ratio {total / packed:.0f} above "
                                           f"{limits.max_archive_ratio:.0f} (zip bomb?)")
            members = [_check_member(i, path, limits) for i in infos]
            _check_clashes(path, members, infos)
            tops = {m.parts[0] for m in members if m.parts}
            if len(tops) != 1 or not SAFE_NAME.fullmatch(next(iter(tops))):
                raise ModelInvalid(path=path, reason=f"expected one top folder, found {sorted(tops)}")
            top = tops.pop()
            files = {str(m) for m, i in zip(members, infos) if not i.is_dir()}
            if f"{top}/metadata.json" not in files:
                raise ModelInvalid(path=path, reason=f"missing {top}/metadata.json")
            meta = _json(zf, f"{top}/metadata.json", path)
            check_metadata(path, meta)
            lexicon = lexicon_name(meta)
            if lexicon is not None:  # a lexical package: a word table, no neural model
                if not SAFE_NAME.fullmatch(lexicon) or f"{top}/{lexicon}" not in files:
                    raise ModelInvalid(path=path, reason=f"missing lexicon {top}/{lexicon}")
            else:
                for required in ("model/model.bin", "model/config.json", "sentencepiece.model"):
                    if f"{top}/{required}" not in files:
                        raise ModelInvalid(path=path, reason=f"missing {top}/{required}")
                if not any(re.fullmatch(rf"{re.escape(top)}/model/\w*vocabulary\.(json|txt)", f) for f in files):
                    raise ModelInvalid(path=path, reason="no CTranslate2 vocabulary in model/")
                _json(zf, f"{top}/model/config.json", path)
            bad = zf.testzip()
            if bad is not None:
                raise ModelInvalid(path=path, reason=f"corrupt member {bad} (CRC mismatch)")
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ModelInvalid(path=path, reason=f"damaged archive: {exc}") from None
    return top, meta


def _json(zf: zipfile.ZipFile, member: str, path: Path) -> Any:
    try:
        return json.loads(zf.read(member).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelInvalid(path=path, reason=f"unreadable JSON in {member}: {exc}") from None


def lexicon_name(meta: dict) -> str | None:
    """The table file of a lexical package (``"vien": {"kind": "embedded-lexical"}``) or of a
    phrase-based one (``embedded-phrase``, ``fixture-phrase``: its phrase table), else None."""
    vien = meta.get("vien") if isinstance(meta.get("vien"), dict) else {}
    if vien.get("kind") in ("embedded-phrase", "fixture-phrase"):
        return str(vien.get("phrases", "phrases.tsv.gz"))
    if vien.get("kind") != "embedded-lexical":
        return None
    return str(vien.get("lexicon", "lexicon-vi_en.tsv.gz"))


def check_metadata(path: Path, meta: Any) -> None:
    if not isinstance(meta, dict):
        raise ModelInvalid(path=path, reason="metadata.json is not an object")
    pair = (meta.get("from_code"), meta.get("to_code"))
    if pair != ("vi", "en"):
        raise ModelInvalid(path=path, reason=f"translates {pair[0]}->{pair[1]}, not vi->en")
    if meta.get("type", "translate") != "translate":
        raise ModelInvalid(path=path, reason=f"package type {meta.get('type')!r}, not 'translate'")


def check_sentencepiece(path: Path, sp_file: Path) -> None:
    import sentencepiece

    try:
        sentencepiece.SentencePieceProcessor(model_file=str(sp_file))
    except (OSError, RuntimeError) as exc:
        raise ModelInvalid(path=path, reason=f"{sp_file.name} is not a SentencePiece model: {exc}") from None


def extract(zf: zipfile.ZipFile, dest: Path, limits: ArchiveLimits) -> None:
    """Extract verified members, counting real bytes in case the sizes in the headers lie."""
    written = 0
    for info in zf.infolist():
        target = dest / info.filename
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "wb") as out:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                written += len(chunk)
                if written > limits.max_total_bytes:
                    raise UnsafeArchive(path=zf.filename, member=info.filename, reason="unpacks beyond the size limit")
                out.write(chunk)
