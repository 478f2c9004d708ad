"""Downloading models: the only network access in the project, on request (``vien models install``).

``install_url`` fetches one ``.argosmodel`` and installs it like a local file. ``install_named``
installs a package by name: the URL the Argos index gives, then the package's published URLs in
``KNOWN_PACKAGES``, trying each in turn. The official vi->en package was dropped from the Argos
index (argos-translate issue #216), so its published file is pinned here by size and sha256: a
mirror that serves anything else is refused and the next URL tried.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .archive import ArchiveLimits
from .errors import ModelChecksumMismatch, ModelDownloadFailed, VienError
from .models import OFFICIAL_NAME, InstalledModel, install_archive, install_failed, installing, packages_dir

ARGOS_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main"


@dataclass(frozen=True)
class KnownPackage:
    """A package's published download URLs, tried in order, and the file they must serve."""

    urls: tuple[str, ...]
    sha256: str
    size: int


KNOWN_PACKAGES = {
    OFFICIAL_NAME: KnownPackage(
        urls=("https://argos-net.com/v1/translate-vi_en-1_9.argosmodel",
              "https://data.argosopentech.com/argospm/v1/translate-vi_en-1_9.argosmodel"),
        sha256="ebd51b7189b13eccb9238a5777de1d343008c4c05284a8b89610242364433953",
        size=65_895_840),
}


def download(url: str, dest: Path, *, progress: bool = True, max_bytes: int = ArchiveLimits().max_total_bytes,
             timeout: float = 60.0) -> None:
    """Stream ``url`` to ``dest`` with a tqdm progress bar; refuses short (truncated) downloads
    and anything above ``max_bytes``. Raises ``ModelDownloadFailed``."""
    if not url.startswith(("http://", "https://")):
        raise ModelDownloadFailed(url=url, reason="only http(s) URLs are downloaded")
    from tqdm import tqdm

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(dest, "wb") as out:
            expected = int(response.headers.get("Content-Length") or 0) or None
            if expected and expected > max_bytes:
                raise ModelDownloadFailed(url=url, reason=f"{expected} bytes is above the size limit")
            received = 0
            with tqdm(total=expected, unit="B", unit_scale=True, desc=Path(url).name,
                      disable=not progress) as bar:
                for chunk in iter(lambda: response.read(1 << 16), b""):
                    received += len(chunk)
                    if received > max_bytes:
                        raise ModelDownloadFailed(url=url, reason="download exceeds the size limit")
                    try:
                        out.write(chunk)
                    except OSError as exc:  # the disk, not the network
                        raise install_failed(exc, dest) from None
                    bar.update(len(chunk))
    except urllib.error.HTTPError as exc:
        raise ModelDownloadFailed(url=url, reason=f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ModelDownloadFailed(url=url, reason=str(getattr(exc, "reason", exc))) from None
    if expected is not None and received != expected:
        raise ModelDownloadFailed(url=url, reason=f"truncated: got {received} of {expected} bytes")


def install_url(url: str, *, sha256: str | None = None, size: int | None = None, force: bool = False,
                progress: bool = True, limits: ArchiveLimits = ArchiveLimits()) -> InstalledModel:
    """Download ``url`` to a temporary file, then verify and install it like a local archive.

    ``sha256`` and ``size``, when given, pin the file: anything else is refused.
    """
    with installing(packages_dir()) as staging:
        archive = staging / "download.argosmodel"
        download(url, archive, progress=progress, max_bytes=size or limits.max_total_bytes)
        if size is not None and archive.stat().st_size != size:
            raise ModelDownloadFailed(url=url, reason=f"served {archive.stat().st_size} bytes, not {size}")
        return install_archive(archive, sha256=sha256, source=url, force=force, limits=limits)


def index_url(name: str, notes: Callable[[str], None] = lambda _: None) -> str | None:
    """The vi->en download URL the Argos index lists (``ARGOS_PACKAGE_INDEX`` overrides the
    index's address), or None when it lists none or cannot be read (said through ``notes``)."""
    address = os.environ.get("ARGOS_PACKAGE_INDEX", ARGOS_INDEX).rstrip("/") + "/index.json"
    try:
        with urllib.request.urlopen(address, timeout=30) as response:
            index = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        notes(f"cannot read the Argos index ({getattr(exc, 'reason', exc)})")
        return None
    for entry in index if isinstance(index, list) else []:
        if isinstance(entry, dict) and (entry.get("from_code"), entry.get("to_code")) == ("vi", "en") \
                and entry.get("links"):
            return str(entry["links"][0])
    notes(f"the Argos index does not list {name}")
    return None


def install_named(name: str, *, force: bool = False, progress: bool = True,
                  notes: Callable[[str], None] = lambda _: None,
                  limits: ArchiveLimits = ArchiveLimits()) -> InstalledModel:
    """Install package ``name``: from the Argos index's URL, else from each published URL in turn.

    A published URL must serve the pinned file (size, sha256). Each failure is said through
    ``notes`` before the next URL is tried; when all fail, the last error is raised.
    """
    known = KNOWN_PACKAGES.get(name)
    tries: list[tuple[str, KnownPackage | None]] = []
    listed = index_url(name, notes)
    if listed is not None:
        tries.append((listed, None))
    tries += [(url, known) for url in (known.urls if known else ()) if url != listed]
    if not tries:
        raise ModelDownloadFailed(url=f"package {name!r}", reason="not in the Argos index and no published URL")
    error: VienError | None = None
    for url, pinned in tries:
        if error is not None:
            notes(f"trying {url}")
        try:
            return install_url(url, sha256=pinned.sha256 if pinned else None, size=pinned.size if pinned else None,
                               force=force, progress=progress, limits=limits)
        except (ModelDownloadFailed, ModelChecksumMismatch) as exc:
            notes(f"{url}: {exc.message}")
            error = exc
    assert error is not None
    raise error
