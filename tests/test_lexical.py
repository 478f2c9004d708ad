"""The word-by-word engine on a lexicon written by the test: glosses, offsets, alignment, projection."""
import gzip
from pathlib import Path

import pytest

from pipeline.align import Aligner
from pipeline.entities import EntityRecognizer
from pipeline.ingest import document_from_text
from pipeline.translate import LexicalTranslator
from pipeline.models import InstalledModel

from .handmade import annotate_one_sentence

LEXICON = """# vi\ten\tcount\tp\ttotal
phi_công\tpilot\t10\t0.9\t11
hạ_cánh\tlanded\t5\t0.8\t6
ở\tin\t50\t0.5\t100
đã\t\t40\t0.6\t70
chiếc\t\t9\t0.5\t18
máy_bay\taircraft\t30\t0.7\t40
bay\tfly\t20\t0.5\t40
.\t.\t100\t1\t100
,\t,\t100\t1\t100
"""


@pytest.fixture(scope="module")
def translator(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lexical")
    with gzip.open(folder / "lexicon-vi_en.tsv.gz", "wt", encoding="utf-8") as fh:
        fh.write(LEXICON)
    model = InstalledModel(name="test-lexicon", path=folder, kind="embedded-lexical", version="0",
                           model_dir=folder, sp_source=folder, sp_target=folder)
    return LexicalTranslator(model)


def annotate(segmenter, translator, text):
    doc = EntityRecognizer()(segmenter(document_from_text(text, doc_id="t")))
    return Aligner()(translator(doc))


def test_glosses_word_by_word_and_copies_names(translator):
    assert translator.gloss("phi công") == ["pilot"]
    assert translator.gloss("đã") == []
    assert translator.gloss("Belenko") == ["Belenko"]
    # a word underthesea glued to a name: known lower-case runs glossed, the name copied
    assert translator.gloss("máy bay Mỹ") == ["aircraft", "Mỹ"]
    assert translator.gloss("Phi công Belenko", sentence_initial=True) == ["pilot", "Belenko"]
    assert translator.gloss("Phi công Belenko") == ["Phi", "công", "Belenko"]


def test_document_gets_an_aligned_english_side(segmenter, translator):
    doc = annotate(segmenter, translator, "Phi công Belenko đã hạ cánh ở Nhật Bản.")
    assert doc.en.text == "Pilot Belenko landed in Japan."
    assert doc.check_offsets() == []
    en = {m.text: m for m in doc.en.entities}
    assert set(en) >= {"Belenko", "Japan"}
    vi = {m.id: m.text for m in doc.vi.entities}
    assert vi[en["Japan"].aligns_to] == "Nhật Bản"
    pairs = doc.alignment["tokens"][0].split()
    assert pairs and all("-" in p for p in pairs)
    assert doc.translation["model"]["kind"] == "embedded-lexical"


PACKAGE = Path(__file__).resolve().parents[1] / "models" / "wordbyword" / "translate-vi_en-vien_wordbyword.argosmodel"


def test_committed_package_installs_and_translates_by_default(tmp_path, monkeypatch, capsys):
    """The README's main path: the embedded word-by-word package, installed, is picked and named."""
    from pipeline.cli import main

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "packages"))
    assert main(["models", "install", "--no-progress", "--file", str(PACKAGE)]) == 0
    capsys.readouterr()
    output = annotate_one_sentence(tmp_path)
    out = capsys.readouterr().out
    assert "English by translate-vi_en-vien_wordbyword 0.1 (embedded-lexical: word-by-word gloss" in out
    import json

    data = json.loads(output.read_text("utf-8"))
    assert "Japan" in data["en"]["text"] and "6 September 1976" in data["en"]["text"]
    assert data["translation"]["unprojected"] == []


def test_the_embedded_package_with_the_better_dev_score_is_the_default(tmp_path, monkeypatch):
    """Both committed embedded packages installed: the gloss, which also scores higher, is picked by its kind."""
    from pipeline import models

    neural = PACKAGE.parents[1] / "embedded" / "translate-vi_en-vien_embedded.argosmodel"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "packages"))
    installed = [models.install_archive(p) for p in (neural, PACKAGE)]
    assert {m.kind for m in installed} == {"embedded-neural", "embedded-lexical"}
    best = max(installed, key=lambda m: m.scores["dev"]["chrf"])
    assert models.resolve_model().name == best.name
