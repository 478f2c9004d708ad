"""notebooks/inspect_entities.ipynb runs top to bottom (nbclient) on outputs this test makes itself."""
import base64
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .handmade import belenko_doc, seed_outputs, vi_only_doc, write_outputs

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "inspect_entities.ipynb"


def _execute(outputs: Path, monkeypatch, save_as: Path) -> dict:
    monkeypatch.setenv("VIEN_OUTPUTS", str(outputs))  # the kernel inherits the environment
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    nbformat.write(nb, save_as)  # the executed notebook, kept as a test artefact
    return {c.id: c.outputs for c in nb.cells if c.cell_type == "code"}


def _data(outputs, mime: str) -> list[str]:
    return [o["data"][mime] for o in outputs if mime in o.get("data", {})]


def _check_common(cells: dict) -> None:
    warnings = [o["text"] for outputs in cells.values() for o in outputs if o.get("name") == "stderr"]
    assert not warnings, warnings  # pandas' FutureWarning in the top-entities cell, among others
    tables = _data(cells["entity-tables"], "text/html")
    assert tables and all("<table" in t for t in tables)
    assert "<table" in _data(cells["top-entities"], "text/html")[0]
    png = _data(cells["chart"], "image/png")
    assert len(png) == 1 and base64.b64decode(png[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "entities" in _data(cells["displacy"], "text/html")[0]  # displaCy's ent markup
    assert "<table" in _data(cells["sentence-pairs"], "text/html")[0]


def test_notebook_on_the_seed_article(tmp_path_factory, tmp_path, monkeypatch):
    outputs = seed_outputs(tmp_path_factory)
    cells = _execute(outputs, monkeypatch, tmp_path / "inspect_entities.executed.ipynb")
    _check_common(cells)
    tables = "".join(_data(cells["entity-tables"], "text/html"))
    assert "MiG-25" in tables and "Viktor Belenko" in tables
    assert "MiG-25" in _data(cells["sentence-pairs"], "text/markdown")[0]
    assert "Mig-25" in _data(cells["displacy"], "text/html")[0]


def test_notebook_on_translated_outputs(tmp_path, monkeypatch):
    """Both displaCy sides and the aligned pairs, on hand-built translated outputs."""
    outputs = write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())
    cells = _execute(outputs, monkeypatch, tmp_path / "executed.ipynb")
    _check_common(cells)
    displacy = _data(cells["displacy"], "text/html")
    assert len(displacy) == 2 and "Hakodate" in displacy[0] and "6 September 1976" in displacy[1]
    pairs = _data(cells["sentence-pairs"], "text/html")[0]
    assert "On 6 September 1976, the MiG-25 pilot flew 800 km." in pairs
    kwic = _data(cells["kwic"], "text/html")[0]
    assert "landed the" in kwic


def test_notebook_fails_loudly_without_outputs(tmp_path, monkeypatch):
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError, match="E410"):
        _execute(tmp_path / "nothing-here", monkeypatch, tmp_path / "failed.ipynb")


def test_the_notebook_opens_with_the_projects_kernel():
    """`make notebook` installs the notebook extra and runs the environment's own Jupyter, whose
    python3 kernel is this interpreter (with matplotlib and vien), not one outside the project."""
    import tomllib

    from jupyter_client.manager import KernelManager

    root = NOTEBOOK.parents[1]
    extra = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]["notebook"]
    assert {"jupyterlab", "matplotlib", "ipykernel"} <= {r.split(">")[0].split("<")[0] for r in extra}
    makefile = (root / "Makefile").read_text("utf-8")
    assert "$(BIN)/jupyter lab notebooks/inspect_entities.ipynb" in makefile
    assert "make notebook" in (root / "README.md").read_text("utf-8")
    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert command[0] == sys.executable
    import matplotlib  # noqa: F401  (what a kernel outside the project failed on)
