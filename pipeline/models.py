"""Translation models: verify, install, list, remove and pick vi->en models.

Models live in two folders, by who can run them:

- **Argos's own package folder** (``argostranslate.settings.package_data_dir``;
  ``ARGOS_PACKAGES_DIR`` overrides it) holds only packages argostranslate can run: ``.argosmodel``
  zips of one folder with ``metadata.json``, a CTranslate2 model in ``model/`` and
  ``sentencepiece.model`` (the official package, the project's neural ones), so argostranslate and
  LibreTranslate see them too.
- **The project's model folder** (``project_models_dir``: ``VIEN_MODELS_DIR``, else
  ``vien-models/`` beside an ``ARGOS_PACKAGES_DIR`` that is set, else the platform's data folder
  from platformdirs) holds what only vien runs: packages of the kinds in ``PROJECT_KINDS`` (a
  word-by-word lexicon, a phrase table) and plain CTranslate2 folders (``--dir``, e.g. OPUS-MT
  vi-en converted with ``ct2-transformers-converter``) with SentencePiece model(s).

argostranslate's own ``install_from_path`` validates nothing and imports Stanza, so archives are
verified first (``pipeline.archive``: traversal, links, zip bombs, language pair, model files) and
the model is loaded once (``check_loads``).

Every install is staged in a temporary folder and renamed into place: a failed or refused
install leaves nothing behind. A small sidecar ``vien-install.json`` inside the installed folder
records the sha256 and where the model came from. Downloads happen only in ``pipeline.downloads``,
on request.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .archive import (SAFE_NAME, ArchiveLimits, check_sentencepiece, extract, lexicon_name, sha256_file,
                      verify_archive)
from .errors import (
    ModelAlreadyInstalled,
    ModelChecksumMismatch,
    ModelInstallFailed,
    ModelInvalid,
    ModelNotInstalled,
    UnsafeArchive,
)

OFFICIAL_NAME = "translate-vi_en"
SIDECAR = "vien-install.json"
CT2_METADATA = "vien-model.json"
INSTALL_HINT = (
    "install one: `vien models install translate-vi_en` (Argos, needs the network), "
    "`vien models install --file models/embedded/translate-vi_en-vien_embedded.argosmodel`, "
    "or `vien models install --dir CT2_MODEL_DIR`"
)
# package kinds that argostranslate cannot run: installed into the project's folder, not Argos's
PROJECT_KINDS = ("embedded-lexical", "embedded-phrase")
# Preference when no model is named, fixed by kind (see ``default_rank``): scores a package
# declares in its own metadata never choose. Fixtures are never picked automatically.
KIND_RANK = {"argos": 0, "ct2": 1, "embedded-phrase": 2, "embedded-lexical": 3, "embedded-neural": 4,
             "embedded": 4}


@dataclass
class InstalledModel:
    """An installed vi->en model: where its CTranslate2 and SentencePiece files are, and its facts."""

    name: str
    path: Path
    kind: str  # argos | embedded | fixture | ct2
    version: str
    model_dir: Path
    sp_source: Path
    sp_target: Path
    target_prefix: str = ""
    sha256: str = ""
    lexicon_path: Path | None = None  # lexical packages: the word table (no CTranslate2 model)
    scores: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The record that goes into ``doc.translation["model"]``."""
        return {"name": self.name, "version": self.version, "kind": self.kind,
                "sha256": self.sha256, "path": str(self.path)}


# ---- where models live ----------------------------------------------------------------------
def packages_dir() -> Path:
    """Argos's package folder, honouring ``ARGOS_PACKAGES_DIR`` as set now."""
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    if env:
        return Path(env)
    try:
        from argostranslate import settings  # lazily: it creates Argos's folders on import
    except ImportError:  # argostranslate absent: its default location, as its settings compute it
        data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        return data / "argos-translate" / "packages"
    return Path(settings.package_data_dir)


def project_models_dir() -> Path:
    """The project's model folder, for what argostranslate cannot run (see the module docstring).

    ``VIEN_MODELS_DIR`` overrides it; beside a private ``ARGOS_PACKAGES_DIR`` it is that folder's
    sibling ``vien-models/``, so one variable keeps a private set of models together.
    """
    env = os.environ.get("VIEN_MODELS_DIR")
    if env:
        return Path(env)
    argos = os.environ.get("ARGOS_PACKAGES_DIR")
    if argos:
        return Path(argos).parent / "vien-models"
    import platformdirs

    return platformdirs.user_data_path("vien", appauthor=False) / "models"


def runs_in_argos(model: InstalledModel) -> bool:
    """Whether argostranslate can run ``model``: an Argos package with a CTranslate2 model."""
    return model.kind not in PROJECT_KINDS and model.kind != "ct2" and model.lexicon_path is None


def tools_for(model: InstalledModel) -> str:
    """Which tools can use ``model`` where it is installed: ``vien, argostranslate`` or ``vien``."""
    return "vien, argostranslate" if runs_in_argos(model) and model.path.parent == packages_dir() else "vien"


# ---- listing and picking --------------------------------------------------------------------
def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _load_model(path: Path) -> InstalledModel | None:
    """The vi->en model installed at ``path``, or None for other packages and stray folders."""
    sidecar = _read_json(path / SIDECAR) or {}
    meta = _read_json(path / "metadata.json")
    if meta is not None:
        if meta.get("from_code") != "vi" or meta.get("to_code") != "en":
            return None
        vien = meta.get("vien") if isinstance(meta.get("vien"), dict) else {}
        sp = path / "sentencepiece.model"
        lexicon = lexicon_name(meta)
        return InstalledModel(
            name=path.name, path=path, kind=str(vien.get("kind", "argos")),
            version=str(meta.get("package_version", "")), model_dir=path / "model",
            sp_source=sp, sp_target=sp, target_prefix=str(meta.get("target_prefix", "")),
            sha256=str(sidecar.get("sha256", "")), scores=dict(vien.get("scores", {})),
            lexicon_path=path / lexicon if lexicon else None)
    meta = _read_json(path / CT2_METADATA)
    if meta is None:
        return None
    return InstalledModel(
        name=path.name, path=path, kind="ct2", version=str(meta.get("version", "")),
        model_dir=path, sp_source=path / meta["sp_source"], sp_target=path / meta["sp_target"],
        sha256=str(sidecar.get("sha256", "")), scores=dict(meta.get("scores", {})))


def installed_models() -> list[InstalledModel]:
    """Every installed vi->en model, Argos packages first, by name."""
    models = []
    for root in (packages_dir(), project_models_dir()):
        if root.is_dir():
            for path in sorted(root.iterdir()):
                if path.is_dir() and not path.name.startswith("."):
                    model = _load_model(path)
                    if model is not None:
                        models.append(model)
    return models


def _matches(model: InstalledModel, name: str) -> bool:
    if name in (model.name, f"{OFFICIAL_NAME}-{model.name}"):
        return True
    if model.name == f"{OFFICIAL_NAME}-{name}":  # short names: vien_fixture, vien_embedded
        return True
    return name == OFFICIAL_NAME and model.kind == "argos" and model.name.startswith(name)


def resolve_model(name: str | None = None) -> InstalledModel:
    """The model to translate with: ``name`` if given, else the preferred installed one.

    Without a name: the first installed model in the order of ``default_rank`` (by kind, never
    by scores a package declares; a fixture is never picked). Raises ``ModelNotInstalled``
    naming the model and the install commands.
    """
    models = installed_models()
    if name is not None:
        found = [m for m in models if _matches(m, name)]
        if not found:
            names = ", ".join(m.name for m in models) or "none"
            raise ModelNotInstalled(what="such vi->en translation",
                                    detail=f"none is named {name!r}; installed: {names}", install=INSTALL_HINT)
        return max(found, key=lambda m: _version_key(m.version))
    usable = [m for m in models if default_rank(m) is not None]
    if not usable:
        raise ModelNotInstalled(what="vi->en translation",
                                detail=f"looked in {packages_dir()} and {project_models_dir()}",
                                install=INSTALL_HINT)
    return min(usable, key=default_rank)


def default_rank(model: InstalledModel) -> tuple | None:
    """Where ``model`` stands when no model is named (lower first), or None if never by default.

    The official Argos package, then a plain CTranslate2 model the user installed, then the
    project's embedded engines: phrase-based, lexical, neural; newest version first within a kind.
    Fixtures and unknown kinds are never the default, and self-declared scores play no part.
    """
    rank = KIND_RANK.get(model.kind)
    return None if rank is None else (rank, [-v for v in _version_key(model.version)])


def _version_key(version: str) -> list[int]:
    return [int(p) for p in re.findall(r"\d+", version)] or [0]


def remove_model(name: str) -> InstalledModel:
    """Delete the installed model called ``name`` (exact folder name); returns what was removed."""
    for model in installed_models():
        if model.name == name:
            shutil.rmtree(model.path)
            return model
    names = ", ".join(m.name for m in installed_models()) or "none"
    raise ModelNotInstalled(what="such", detail=f"none is named {name!r}; installed: {names}",
                            install="`vien models list` shows the installed names")

# ---- installing -----------------------------------------------------------------------------
def staging_dir(root: Path) -> Path:
    """A new temporary folder beside ``root`` (created if need be), on the same filesystem."""
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".vien-staging-", dir=root.parent))


@contextlib.contextmanager
def installing(root: Path) -> Iterator[Path]:
    """A staging folder beside ``root`` for one install, removed afterwards whatever happens.

    A filesystem error inside (a full disk, a read-only folder) becomes ``ModelInstallFailed``
    naming the path and the reason; what was staged is removed, so nothing is half-installed.
    """
    try:
        staging = staging_dir(root)
    except OSError as exc:
        raise install_failed(exc, root) from None
    try:
        yield staging
    except OSError as exc:
        raise install_failed(exc, root) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_failed(exc: OSError, where: Path) -> ModelInstallFailed:
    """The catalogue error for a filesystem error met while installing into ``where``."""
    return ModelInstallFailed(path=exc.filename or where, reason=exc.strerror or str(exc))


def _commit(staged: Path, dest: Path, force: bool) -> None:
    """Rename ``staged`` to ``dest`` atomically; with ``force`` an existing ``dest`` is replaced
    (and put back if the rename fails)."""
    old = None
    if dest.exists():
        if not force:
            raise ModelAlreadyInstalled(name=dest.name, path=dest)
        old = dest.with_name(f".vien-old-{dest.name}-{os.getpid()}")
        os.rename(dest, old)
    try:
        os.rename(staged, dest)
    except OSError:
        if old is not None:
            os.rename(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def install_archive(path: Path, *, sha256: str | None = None, source: str | None = None,
                    force: bool = False, limits: ArchiveLimits = ArchiveLimits()) -> InstalledModel:
    """Verify the ``.argosmodel`` at ``path`` and install it: into Argos's package folder if
    argostranslate can run it, else into ``project_models_dir()``.

    ``sha256``, when given, must match the file. Installing the very same archive again is a
    no-op. Returns the installed model; raises
    ``ModelInvalid``/``UnsafeArchive``/``ModelChecksumMismatch``/``ModelAlreadyInstalled``,
    ``ModelInstallFailed`` (a full disk, a read-only folder), leaving no partial install behind.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelInvalid(path=path, reason="no such file")
    digest = sha256_file(path)
    if sha256 and digest != sha256.lower():
        raise ModelChecksumMismatch(path=path, expected=sha256.lower(), actual=digest)
    top, meta = verify_archive(path, limits)
    vien = meta.get("vien") if isinstance(meta.get("vien"), dict) else {}
    root = project_models_dir() if vien.get("kind") in PROJECT_KINDS or lexicon_name(meta) else packages_dir()
    dest = root / top
    if dest.exists() and not force:
        installed = _load_model(dest)
        if installed is not None and installed.sha256 == digest:
            return installed  # the same archive again: nothing to do
        raise ModelAlreadyInstalled(name=top, path=dest)
    with installing(root) as staging:
        with zipfile.ZipFile(path) as zf:
            extract(zf, staging, limits)
        staged = staging / top
        if lexicon_name(meta) is None:
            check_sentencepiece(path, staged / "sentencepiece.model")
        staged_model = _load_model(staged)
        assert staged_model is not None  # verified above: a vi->en package with metadata
        check_loads(staged_model, path)
        _write_sidecar(staged, digest, source or str(path.resolve()))
        _commit(staged, dest, force)
        misplaced = packages_dir() / top
        if root != packages_dir() and _load_model(misplaced) is not None:
            shutil.rmtree(misplaced)  # put there by an older vien: argostranslate listed it but could not run it
    model = _load_model(dest)
    assert model is not None  # verified above: a vi->en package with metadata
    return model


def install_ct2_dir(path: Path, *, name: str | None = None, force: bool = False) -> InstalledModel:
    """Copy a plain CTranslate2 model folder (with SentencePiece models) into ``project_models_dir()``.

    The folder needs ``model.bin``, ``config.json``, a vocabulary, and either one shared
    SentencePiece model (``sentencepiece.model``/``spm.model``) or ``source.spm`` + ``target.spm``.
    The language pair cannot be read from such a folder: the caller vouches that it is vi->en.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelInvalid(path=path, reason="not a folder")
    for p in path.rglob("*"):
        if p.is_symlink():
            raise UnsafeArchive(path=path, member=str(p.relative_to(path)), reason="symbolic link")
    for required in ("model.bin", "config.json"):
        if not (path / required).is_file():
            raise ModelInvalid(path=path, reason=f"missing {required}")
    if not any(path.glob("*vocabulary.*")):
        raise ModelInvalid(path=path, reason="no CTranslate2 vocabulary file")
    shared = next((n for n in ("sentencepiece.model", "spm.model") if (path / n).is_file()), None)
    if shared:
        sp_source = sp_target = shared
    elif (path / "source.spm").is_file() and (path / "target.spm").is_file():
        sp_source, sp_target = "source.spm", "target.spm"
    else:
        raise ModelInvalid(path=path, reason="no SentencePiece model (sentencepiece.model or source.spm+target.spm)")
    for sp in {sp_source, sp_target}:
        check_sentencepiece(path, path / sp)
    _check_ctranslate2(path, path)
    name = name or path.resolve().name
    if not SAFE_NAME.fullmatch(name):
        raise ModelInvalid(path=path, reason=f"unusable model name {name!r}")
    root = project_models_dir()
    dest = root / name
    if dest.exists() and not force:
        raise ModelAlreadyInstalled(name=name, path=dest)
    with installing(root) as staging:
        staged = staging / name
        shutil.copytree(path, staged)
        (staged / CT2_METADATA).write_text(json.dumps(
            {"name": name, "from_code": "vi", "to_code": "en", "sp_source": sp_source,
             "sp_target": sp_target, "version": ""}, indent=2), encoding="utf-8")
        _write_sidecar(staged, _tree_sha256(path), str(path.resolve()))
        _commit(staged, dest, force)
    model = _load_model(dest)
    assert model is not None
    return model


def check_loads(model: InstalledModel, path: Path) -> None:
    """Load ``model`` once, as a run would: a lexical package's word table, else its CTranslate2
    model. Raises ``ModelInvalid`` naming ``path`` (the package being installed) if it cannot."""
    if model.kind in ("embedded-phrase", "fixture-phrase"):  # phrase table, language model, weights
        from .translate.phrase import load_package  # lazily: the engines import this module

        load_package(model.path)
    elif model.lexicon_path is not None:
        _check_lexicon(path, model.lexicon_path)
    elif model.model_dir.is_dir():
        _check_ctranslate2(path, model.model_dir)


def _check_lexicon(path: Path, lexicon: Path) -> None:
    entries = 0
    try:
        with gzip.open(lexicon, "rt", encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if line.startswith("#") or not line.strip():
                    continue
                if "\t" not in line:
                    raise ModelInvalid(path=path, reason=f"{lexicon.name} line {number} has no tab")
                entries += 1
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        raise ModelInvalid(path=path, reason=f"{lexicon.name} is not a gzip UTF-8 word table: {exc}") from None
    if not entries:
        raise ModelInvalid(path=path, reason=f"{lexicon.name} holds no entries")


def _check_ctranslate2(path: Path, model_dir: Path) -> None:
    import ctranslate2

    try:
        ctranslate2.Translator(str(model_dir), device="cpu", intra_threads=1)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelInvalid(path=path, reason=f"CTranslate2 cannot load the model: {str(exc)[:200]}") from None


def _tree_sha256(path: Path) -> str:
    """One sha256 over a folder: every file's relative path and content hash, sorted."""
    digest = hashlib.sha256()
    for p in sorted(q for q in path.rglob("*") if q.is_file()):
        digest.update(f"{p.relative_to(path).as_posix()}\0{sha256_file(p)}\n".encode())
    return digest.hexdigest()


def _write_sidecar(folder: Path, digest: str, source: str) -> None:
    (folder / SIDECAR).write_text(json.dumps(
        {"sha256": digest, "source": source,
         "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=2), encoding="utf-8")
