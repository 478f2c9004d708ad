"""Model installation: the fixture package from a file and from 127.0.0.1, list, remove, and
hostile archives refused with nothing left behind."""
from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from pipeline import downloads, models
from pipeline.cli import main
from pipeline.errors import (
    ModelAlreadyInstalled,
    ModelChecksumMismatch,
    ModelDownloadFailed,
    ModelInvalid,
    ModelNotInstalled,
    UnsafeArchive,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "models" / "fixture" / "translate-vi_en-vien_fixture.argosmodel"
needs_fixture = pytest.mark.skipif(not FIXTURE.is_file(), reason=f"fixture package {FIXTURE} not built yet")


@pytest.fixture
def packages(tmp_path, monkeypatch):
    """A fresh, empty Argos package folder (and vien-models beside it) for each test."""
    root = tmp_path / "argos" / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(root))
    monkeypatch.delenv("VIEN_MODELS_DIR", raising=False)
    return root


def leftovers(packages: Path) -> list[str]:
    """Everything an install left in the two model folders (Argos's, the project's) and beside them."""
    roots = (packages, packages.parent / "vien-models")
    inside = sorted(p.name for root in roots if root.is_dir() for p in root.iterdir())
    beside = sorted(p.name for p in packages.parent.iterdir() if p not in roots) if packages.parent.is_dir() else []
    return inside + beside


# ---- hand-made archives -----------------------------------------------------------------------
META = {"package_version": "0.1", "argos_version": "1.0", "from_code": "vi", "to_code": "en",
        "from_name": "Vietnamese", "to_name": "English", "type": "translate"}


def package_members(top: str = "translate-vi_en-test", meta: dict | None = None) -> dict[str, bytes]:
    return {
        f"{top}/metadata.json": json.dumps(meta or META).encode(),
        f"{top}/model/model.bin": b"\0" * 64,
        f"{top}/model/config.json": b"{}",
        f"{top}/model/shared_vocabulary.json": b"[]",
        f"{top}/sentencepiece.model": b"not a sentencepiece model",
    }


def write_zip(path: Path, members: dict[str, bytes], links: dict[str, str] = {}) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def _without(name: str) -> dict[str, bytes]:
    return {k: v for k, v in package_members().items() if not k.endswith(name)}


HOSTILE = {
    "path traversal": (lambda: {**package_members(), "translate-vi_en-test/../../evil.txt": b"x"},
                       {}, UnsafeArchive, "escapes"),
    "absolute path": (lambda: {**package_members(), "/tmp/evil.txt": b"x"}, {}, UnsafeArchive, "absolute"),
    "symlink": (package_members, {"translate-vi_en-test/model/link": "/etc/passwd"}, UnsafeArchive, "symbolic link"),
    "zip bomb": (lambda: {**package_members(), "translate-vi_en-test/model/bomb.bin": b"\0" * (24 * 1024**2)},
                 {}, UnsafeArchive, "zip bomb"),
    "wrong language pair": (lambda: package_members(meta={**META, "from_code": "en", "to_code": "vi"}),
                            {}, ModelInvalid, "en->vi, not vi->en"),
    "missing model.bin": (lambda: _without("model.bin"), {}, ModelInvalid, "missing translate-vi_en-test/model/model.bin"),
    "missing sentencepiece": (lambda: _without("sentencepiece.model"), {}, ModelInvalid, "sentencepiece.model"),
    "two top folders": (lambda: {**package_members(), "other/readme.txt": b"x"}, {}, ModelInvalid, "one top folder"),
    "bad metadata": (lambda: {**package_members(), "translate-vi_en-test/metadata.json": b"{nope"},
                     {}, ModelInvalid, "unreadable JSON"),
    "broken sentencepiece": (package_members, {}, ModelInvalid, "not a SentencePiece model"),
    # members of 1 MiB or less skip the per-member ratio check: the whole archive's ratio catches them
    "many small members": (lambda: {**package_members(), **{f"translate-vi_en-test/model/pad{i}.bin": b"\0" * 1024**2
                                                            for i in range(8)}}, {}, UnsafeArchive,
                           "whole-archive compression ratio"),
    "'.' entry": (lambda: {**package_members(), "translate-vi_en-test/.": b"x"}, {}, UnsafeArchive,
                  "'.' path component"),
    "file and folder of one name": (lambda: {**package_members(), "translate-vi_en-test/model": b"x"}, {},
                                    UnsafeArchive, "translate-vi_en-test/model: both a file and a folder"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_refused_and_nothing_left(case, packages, tmp_path):
    members, links, error, message = HOSTILE[case]
    archive = write_zip(tmp_path / "hostile.argosmodel", members(), links)
    with pytest.raises(error) as info:
        models.install_archive(archive)
    assert message in str(info.value)
    assert leftovers(packages) == []
    assert not (tmp_path / "evil.txt").exists()


def test_duplicate_entry_refused(packages, tmp_path):
    archive = tmp_path / "twice.argosmodel"
    with pytest.warns(UserWarning, match="Duplicate name"):
        write_zip(archive, {**package_members(), "translate-vi_en-test/model/model.bin": b"x"})
        with zipfile.ZipFile(archive, "a") as zf:
            zf.writestr("translate-vi_en-test/model/model.bin", b"y")
    with pytest.raises(UnsafeArchive, match="duplicate entry"):
        models.install_archive(archive)
    assert leftovers(packages) == []


def test_default_size_cap_fits_real_packages_and_refuses_bombs():
    limits = models.ArchiveLimits()
    official_zipped = 65_895_840  # translate-vi_en-1_9.argosmodel
    assert official_zipped * 2 < limits.max_total_bytes <= 1024**3
    for package in (ROOT / "models").glob("*/*.argosmodel"):  # the project's own packages pass
        models.verify_archive(package)


def test_not_a_zip_refused(packages, tmp_path):
    path = tmp_path / "junk.argosmodel"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ModelInvalid, match="not a zip archive"):
        models.install_archive(path)
    assert leftovers(packages) == []


def test_cli_refuses_hostile_archive_with_code_and_exit_status(packages, tmp_path, capsys):
    archive = write_zip(tmp_path / "evil.argosmodel", HOSTILE["path traversal"][0]())
    assert main(["models", "install", "--file", str(archive)]) == 3
    err = capsys.readouterr().err
    assert "[E204]" in err and "path escapes the package folder" in err


def test_no_model_installed_names_the_commands(packages):
    with pytest.raises(ModelNotInstalled) as info:
        models.resolve_model()
    assert "vien models install translate-vi_en" in str(info.value)
    with pytest.raises(ModelNotInstalled, match="no such vi->en translation model is installed "
                                                "\\(none is named 'nope'; installed: none\\)"):
        models.resolve_model("nope")


# ---- the fixture package ----------------------------------------------------------------------
@needs_fixture
def test_install_from_file_list_remove(packages, capsys, tmp_path):
    model = models.install_archive(FIXTURE)
    assert model.kind == "fixture"
    assert model.sha256 == models.sha256_file(FIXTURE)
    sidecar = json.loads((model.path / models.SIDECAR).read_text())
    assert sidecar["sha256"] == model.sha256
    assert [m.name for m in models.installed_models()] == [model.name]
    assert model.path.parent == packages

    with pytest.raises(ModelNotInstalled):  # a fixture is never picked automatically
        models.resolve_model()
    assert models.resolve_model("vien_fixture").name == model.name
    assert models.resolve_model(model.name).name == model.name

    assert main(["models", "list"]) == 0
    listed = capsys.readouterr().out
    assert model.name in listed and "fixture" in listed and model.sha256[:12] in listed

    installed_at = sidecar["installed_at"]
    assert models.install_archive(FIXTURE).sha256 == model.sha256  # the same archive again: a no-op
    assert json.loads((model.path / models.SIDECAR).read_text())["installed_at"] == installed_at
    other = tmp_path / "other.argosmodel"  # same package name, different bytes
    shutil.copy(FIXTURE, other)
    with zipfile.ZipFile(other, "a") as zf:
        zf.comment = b"rebuilt"
    with pytest.raises(ModelAlreadyInstalled):
        models.install_archive(other)
    assert models.install_archive(other, force=True).sha256 == models.sha256_file(other)

    assert main(["models", "remove", model.name]) == 0
    assert models.installed_models() == [] and leftovers(packages) == []
    capsys.readouterr()
    assert main(["models", "remove", model.name]) == 3


def test_removing_a_model_that_is_not_installed_says_so_once(packages, capsys):
    assert main(["models", "remove", "nonexistent"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: [E201] no such model is installed (none is named 'nonexistent'; installed: none)")
    assert err.count("model") == 2  # "no such model", then the hint's "vien models list"


@needs_fixture
def test_checksum_mismatch_refused(packages):
    with pytest.raises(ModelChecksumMismatch):
        models.install_archive(FIXTURE, sha256="0" * 64)
    assert leftovers(packages) == []
    assert models.install_archive(FIXTURE, sha256=models.sha256_file(FIXTURE).upper()).kind == "fixture"


@needs_fixture
def test_install_plain_ctranslate2_folder(packages, tmp_path):
    with zipfile.ZipFile(FIXTURE) as zf:
        zf.extractall(tmp_path / "unpacked")
    top = next((tmp_path / "unpacked").iterdir())
    plain = tmp_path / "opus-like"
    shutil.copytree(top / "model", plain)
    shutil.copy(top / "sentencepiece.model", plain / "source.spm")
    shutil.copy(top / "sentencepiece.model", plain / "target.spm")
    model = models.install_ct2_dir(plain, name="opus-like")
    assert model.kind == "ct2" and model.sp_source.name == "source.spm"
    assert models.resolve_model().name == "opus-like"  # user models are picked; fixtures are not
    assert model.path.parent == packages.parent / "vien-models"


# ---- downloads from 127.0.0.1 -----------------------------------------------------------------
class _Truncating(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if "truncated" not in self.path:
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"PK\x03\x04" + b"\0" * 500)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path/www``; yields its base URL."""
    www = tmp_path / "www"
    www.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Truncating, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@needs_fixture
def test_install_from_url(packages, server, capsys):
    www, base = server
    shutil.copy(FIXTURE, www / FIXTURE.name)
    code = main(["models", "install", "--url", f"{base}/{FIXTURE.name}", "--no-progress"])
    assert code == 0
    assert "installed translate-vi_en-vien_fixture" in capsys.readouterr().out
    model = models.resolve_model("vien_fixture")
    assert json.loads((model.path / models.SIDECAR).read_text())["source"] == f"{base}/{FIXTURE.name}"
    assert [p.name for p in packages.parent.iterdir()] == ["packages"]  # the download is gone


def test_truncated_download_refused(packages, server):
    _, base = server
    with pytest.raises(ModelDownloadFailed, match="truncated: got 504 of 100000 bytes"):
        downloads.install_url(f"{base}/truncated.argosmodel", progress=False)
    assert leftovers(packages) == []


def test_missing_url_and_bad_scheme(packages, server):
    _, base = server
    with pytest.raises(ModelDownloadFailed, match="HTTP 404"):
        downloads.install_url(f"{base}/nothing.argosmodel", progress=False)
    with pytest.raises(ModelDownloadFailed, match="only http"):
        downloads.install_url("file:///etc/passwd", progress=False)
    assert leftovers(packages) == []


def test_size_limit(packages, tmp_path):
    archive = write_zip(tmp_path / "big.argosmodel", package_members())
    with pytest.raises(UnsafeArchive, match="unpacks to"):
        models.install_archive(archive, limits=models.ArchiveLimits(max_total_bytes=120))
    assert leftovers(packages) == []


@needs_fixture
def test_install_by_name_from_the_argos_index(packages, server, monkeypatch, capsys):
    www, base = server
    shutil.copy(FIXTURE, www / FIXTURE.name)
    (www / "index.json").write_text(json.dumps([
        {**META, "from_code": "en", "to_code": "vi", "links": [f"{base}/elsewhere.argosmodel"]},
        {**META, "links": [f"{base}/{FIXTURE.name}"]}]))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", base + "/")
    assert main(["models", "install", "translate-vi_en", "--no-progress"]) == 0
    assert models.resolve_model("vien_fixture").kind == "fixture"


def test_the_official_package_is_pinned():
    official = downloads.KNOWN_PACKAGES["translate-vi_en"]
    assert official.urls == ("https://argos-net.com/v1/translate-vi_en-1_9.argosmodel",
                             "https://data.argosopentech.com/argospm/v1/translate-vi_en-1_9.argosmodel")
    assert official.sha256 == "ebd51b7189b13eccb9238a5777de1d343008c4c05284a8b89610242364433953"
    assert official.size == 65_895_840 <= models.ArchiveLimits().max_total_bytes


@needs_fixture
def test_install_by_name_falls_back_to_the_published_urls(packages, server, monkeypatch, capsys):
    """The index lacks vi->en and the first published URL is gone: the second one, serving the
    pinned file, installs it."""
    www, base = server
    (www / "v1").mkdir()
    shutil.copy(FIXTURE, www / "v1" / FIXTURE.name)
    (www / "index.json").write_text("[]")  # the index no longer lists vi->en
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", base)
    monkeypatch.setitem(downloads.KNOWN_PACKAGES, "translate-vi_en", downloads.KnownPackage(
        urls=(f"{base}/gone/{FIXTURE.name}", f"{base}/v1/{FIXTURE.name}"),
        sha256=models.sha256_file(FIXTURE), size=FIXTURE.stat().st_size))
    assert main(["models", "install", "translate-vi_en", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "the Argos index does not list translate-vi_en" in err
    assert f"{base}/gone/{FIXTURE.name}: cannot download" in err and "HTTP 404" in err
    assert f"trying {base}/v1/{FIXTURE.name}" in err
    model = models.installed_models()[0]
    assert model.kind == "fixture" and model.sha256 == models.sha256_file(FIXTURE)
    assert json.loads((model.path / models.SIDECAR).read_text())["source"] == f"{base}/v1/{FIXTURE.name}"


@needs_fixture
def test_a_published_url_serving_another_file_is_refused(packages, server, monkeypatch, capsys):
    www, base = server
    shutil.copy(FIXTURE, www / FIXTURE.name)
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", base + "/no-index")
    for size, message in ((FIXTURE.stat().st_size, "[E205]"), (FIXTURE.stat().st_size - 1, "size limit")):
        monkeypatch.setitem(downloads.KNOWN_PACKAGES, "translate-vi_en", downloads.KnownPackage(
            urls=(f"{base}/{FIXTURE.name}",), sha256="0" * 64, size=size))
        assert main(["models", "install", "translate-vi_en", "--no-progress"]) == 3
        err = capsys.readouterr().err
        assert "cannot read the Argos index" in err and message in err, err
        assert leftovers(packages) == []


def fake_installed(packages: Path, name: str, kind: str | None, version: str = "1.0") -> None:
    """An installed package as far as the registry can see (metadata only, no model files)."""
    folder = packages / name
    folder.mkdir(parents=True)
    meta = {**META, "package_version": version}
    if kind is not None:
        meta["vien"] = {"kind": kind}
    (folder / "metadata.json").write_text(json.dumps(meta))


def test_preference_official_then_embedded_never_fixture(packages):
    fake_installed(packages, "translate-vi_en-vien_fixture", "fixture")
    with pytest.raises(ModelNotInstalled):
        models.resolve_model()
    fake_installed(packages, "translate-vi_en-vien_embedded", "embedded")
    assert models.resolve_model().name == "translate-vi_en-vien_embedded"
    fake_installed(packages, "translate-vi_en-1_8", None, "1.8")
    fake_installed(packages, "translate-vi_en-1_9", None, "1.9")
    assert models.resolve_model().name == "translate-vi_en-1_9"  # official, newest first
    assert models.resolve_model("translate-vi_en").name == "translate-vi_en-1_9"
    assert models.resolve_model("vien_embedded").name == "translate-vi_en-vien_embedded"
    assert models.resolve_model("vien_fixture").kind == "fixture"  # only when named
    fake_installed(packages, "translate-en_vi-1_9", None)  # other language pairs are not vi->en models
    (packages / "translate-en_vi-1_9" / "metadata.json").write_text(json.dumps({**META, "from_code": "en", "to_code": "vi"}))
    assert "translate-en_vi-1_9" not in [m.name for m in models.installed_models()]


LEXICAL_META = {**META, "vien": {"kind": "embedded-lexical", "lexicon": "lexicon-vi_en.tsv.gz",
                                 "scores": {"dev": {"chrf": 30.0}}}}


def lexical_archive(path: Path, lexicon: bytes) -> Path:
    top = "translate-vi_en-vien_wordbyword"
    return write_zip(path, {f"{top}/metadata.json": json.dumps(LEXICAL_META).encode(),
                            f"{top}/lexicon-vi_en.tsv.gz": lexicon})


def test_lexical_package_installs_without_a_neural_model(packages, tmp_path):
    top = "translate-vi_en-vien_wordbyword"
    archive = lexical_archive(tmp_path / "lexical.argosmodel", gzip.compress("máy_bay\taircraft\n".encode()))
    model = models.install_archive(archive)
    assert model.path.parent == models.project_models_dir() == packages.parent / "vien-models"
    assert model.kind == "embedded-lexical" and model.lexicon_path == model.path / "lexicon-vi_en.tsv.gz"
    assert models.resolve_model().name == top  # an embedded package may be the default
    assert models.resolve_model("vien_wordbyword").name == top


def test_lexical_package_without_its_lexicon_is_refused(packages, tmp_path):
    archive = write_zip(tmp_path / "lexical.argosmodel", {
        "translate-vi_en-vien_wordbyword/metadata.json": json.dumps(LEXICAL_META).encode()})
    with pytest.raises(ModelInvalid, match="missing lexicon"):
        models.install_archive(archive)
    assert leftovers(packages) == []


@pytest.mark.parametrize("lexicon, reason", [
    (b"\x1f\x8b not really gzip", "not a gzip UTF-8 word table"),
    (gzip.compress(b"no tab on this line\n"), "line 1 has no tab"),
    (gzip.compress(b"# only a comment\n"), "holds no entries")], ids=["not-gzip", "no-tab", "empty"])
def test_lexical_package_whose_lexicon_cannot_load_is_refused(packages, tmp_path, capsys, lexicon, reason):
    archive = lexical_archive(tmp_path / "lexical.argosmodel", lexicon)
    assert main(["models", "install", "--file", str(archive)]) == 3
    err = capsys.readouterr().err
    assert "[E202]" in err and reason in err
    assert leftovers(packages) == []


@needs_fixture
def test_neural_package_with_a_garbage_model_is_refused(packages, tmp_path, capsys):
    broken = tmp_path / "broken.argosmodel"
    with zipfile.ZipFile(FIXTURE) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            garbage = info.filename.endswith("model/model.bin")
            dst.writestr(info.filename, bytes(range(256)) * 64 if garbage else src.read(info))
    assert main(["models", "install", "--file", str(broken)]) == 3
    err = capsys.readouterr().err
    assert "[E202]" in err and "CTranslate2 cannot load the model" in err
    assert leftovers(packages) == []


def test_self_declared_scores_do_not_choose_the_default(packages):
    def installed(name: str, kind: str, chrf: float) -> None:
        fake_installed(packages, name, kind)
        meta = json.loads((packages / name / "metadata.json").read_text())
        meta["vien"]["scores"] = {"dev": {"chrf": chrf}}
        (packages / name / "metadata.json").write_text(json.dumps(meta))

    installed("translate-vi_en-vien_boastful", "embedded-neural", 99.0)
    installed("translate-vi_en-vien_fixture", "fixture", 100.0)
    assert models.resolve_model().name == "translate-vi_en-vien_boastful"
    installed("translate-vi_en-vien_wordbyword", "embedded-lexical", 30.0)
    assert models.resolve_model().name == "translate-vi_en-vien_wordbyword"  # lexical before neural
    installed("translate-vi_en-vien_phrase", "embedded-phrase", 1.0)
    assert models.resolve_model().name == "translate-vi_en-vien_phrase"
    fake_installed(packages, "translate-vi_en-1_9", None, "1.9")
    assert models.resolve_model().name == "translate-vi_en-1_9"  # the official package first, always


# ---- two folders: Argos's holds only what argostranslate can run -------------------------------
WORDBYWORD = ROOT / "models" / "wordbyword" / "translate-vi_en-vien_wordbyword.argosmodel"


def _argos_lists(packages: Path) -> list[Path]:
    """The package folders ``argostranslate.package.get_installed_packages()`` lists, run as a user
    would: a fresh process whose ARGOS_PACKAGES_DIR is ``packages``."""
    code = ("import json; from argostranslate import package; "
            "print(json.dumps([str(p.package_path) for p in package.get_installed_packages()]))")
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [Path(p) for p in json.loads(done.stdout.splitlines()[-1])]


@needs_fixture
def test_argostranslate_lists_only_packages_it_can_run(packages, capsys):
    import ctranslate2
    import sentencepiece

    neural = models.install_archive(FIXTURE)
    lexical = models.install_archive(WORDBYWORD)
    assert neural.path.parent == packages and lexical.path.parent == models.project_models_dir()
    listed = _argos_lists(packages)
    assert listed == [neural.path]
    for path in listed:  # what argostranslate's translate loads: model/ and sentencepiece.model
        ctranslate2.Translator(str(path / "model"), device="cpu")
        sentencepiece.SentencePieceProcessor(model_file=str(path / "sentencepiece.model"))
    assert {m.name for m in models.installed_models()} == {neural.name, lexical.name}

    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert str(packages) in out[0] and str(models.project_models_dir()) in out[1]
    header, *rows = out[2:]
    columns = [header.index(c) for c in ("version", "kind", "folder", "tools", "default", "sha256")]
    for row in rows:  # every column starts where its heading does
        assert all(row[c - 2:c] == "  " and row[c] != " " for c in columns), (header, row)
    by_name = {row.split()[0]: row for row in rows}
    assert "argos" in by_name[neural.name] and "vien, argostranslate" in by_name[neural.name]
    assert " vien " in by_name[lexical.name] and "argostranslate" not in by_name[lexical.name]
    assert by_name[lexical.name].split()[5] == "yes" and by_name[neural.name].split()[6] == "-"  # a fixture never


def test_lexical_package_left_in_argos_folder_by_an_older_install_moves(packages):
    with zipfile.ZipFile(WORDBYWORD) as zf:  # where vien used to put it
        zf.extractall(packages)
    assert [p.name for p in _argos_lists(packages)] == ["translate-vi_en-vien_wordbyword"]
    model = models.install_archive(WORDBYWORD)
    assert model.path.parent == models.project_models_dir()
    assert _argos_lists(packages) == []
    assert [m.name for m in models.installed_models()] == [model.name]


def test_project_models_dir_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("VIEN_MODELS_DIR", str(tmp_path / "mine"))
    assert models.project_models_dir() == tmp_path / "mine"
    monkeypatch.delenv("VIEN_MODELS_DIR")
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert models.project_models_dir() == tmp_path / "data" / "vien" / "models"


# ---- filesystem faults during an install (issue 15 defect 7) ----------------------------------------
def _can_mount() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def _install_on_tmpfs(tmp_path: Path, mount_options: str, *args: str) -> subprocess.CompletedProcess:
    """``vien models install ARGS`` with both model folders on a tmpfs mounted with ``mount_options``
    (in a user and mount namespace of its own); prints the exit status and how many files are left."""
    area = tmp_path / "area"
    area.mkdir()
    script = (f'mount -t tmpfs -o {mount_options} tmpfs "$AREA"\n'
              '"$PY" -m pipeline models install --no-progress "$@" || echo "rc=$?"\n'
              'echo "files left: $(find "$AREA" -type f | wc -l)"')
    return subprocess.run(["unshare", "-rm", "sh", "-ec", script, "sh", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "PY": sys.executable, "AREA": str(area),
                               "ARGOS_PACKAGES_DIR": str(area / "packages"), "VIEN_MODELS_DIR": str(area / "vien")})


needs_mounts = pytest.mark.skipif(not _can_mount(), reason="needs `unshare -rm` (user namespaces) to mount a tmpfs")


@needs_mounts
@needs_fixture
@pytest.mark.parametrize("options, reason", [("size=1m", "No space left on device"),
                                             ("ro,size=1m", "Read-only file system")], ids=["full", "read-only"])
def test_install_on_a_full_or_read_only_disk_is_a_catalogue_error(tmp_path, options, reason):
    done = _install_on_tmpfs(tmp_path, options, "--file", str(FIXTURE))  # unpacks to 4.4 MB
    assert "rc=3" in done.stdout, (done.stdout, done.stderr)
    assert "[E207]" in done.stderr and "cannot install the model here: " + reason in done.stderr, done.stderr
    assert str(tmp_path / "area") in done.stderr and "Traceback" not in done.stderr
    assert "files left: 0" in done.stdout, done.stdout  # nothing half-installed


@needs_mounts
@needs_fixture
def test_download_onto_a_full_disk_is_a_catalogue_error(tmp_path, server):
    www, base = server
    shutil.copy(FIXTURE, www / FIXTURE.name)
    done = _install_on_tmpfs(tmp_path, "size=1m", "--url", f"{base}/{FIXTURE.name}")
    assert "rc=3" in done.stdout and "[E207]" in done.stderr and "No space left on device" in done.stderr, done.stderr
    assert "files left: 0" in done.stdout, done.stdout
