"""Shared test fixtures. Tests that need ``../shared/data`` are marked ``shared_data`` and skip,
with the reason shown, where that folder is absent (a user's fresh clone)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("VIEN_SHARED_DATA", ROOT.parent / "shared" / "data"))
SEED = ROOT / "corpus" / "00_seed_vnexpress_belenko_mig25.txt"


def pytest_collection_modifyitems(config, items):
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"shared data not found at {SHARED_DATA} (set VIEN_SHARED_DATA)")
    for item in items:
        if "shared_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


@pytest.fixture(scope="session")
def segmenter():
    from pipeline.segment import Segmenter

    return Segmenter()


@pytest.fixture(scope="session")
def seed_doc(segmenter):
    from pipeline.ingest import read_document

    return segmenter(read_document(SEED))


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """The seed article annotated with the fixture model, once per test module."""
    from .handmade import seed_outputs

    return seed_outputs(tmp_path_factory)


@pytest.fixture(params=["handmade", "seed"])
def outdir(request, tmp_path):
    """An output folder: two hand-built documents, or the annotated seed."""
    if request.param == "seed":
        return request.getfixturevalue("seed")
    from .handmade import belenko_doc, vi_only_doc, write_outputs

    return write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())
