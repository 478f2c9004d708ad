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
