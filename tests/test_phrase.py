"""The phrase-based engine on the TEST FIXTURE package (training/fixture_phrase.py, built here in a
second): search, swaps, dropped and unknown words, exact alignment, install; and, with the shared
data, the real package against the word-by-word gloss on the in-domain dev set."""
import zipfile
from pathlib import Path

import pytest

from pipeline.align import Aligner
from pipeline.entities import EntityRecognizer
from pipeline.errors import ModelInvalid, ModelNotInstalled
from pipeline.ingest import document_from_text
from pipeline.models import InstalledModel, install_archive, resolve_model
from pipeline.translate import LexicalTranslator, PhraseTranslator, make_translator
from pipeline.translate.lm import ArpaLM
from training.fixture_phrase import ENGLISH, build
from training.lm import estimate, write_arpa

from .handmade import annotate_one_sentence

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "mt-dev-domain"
PHRASE = ROOT / "models" / "phrase" / "translate-vi_en-vien_phrase.argosmodel"
GLOSS = ROOT / "models" / "wordbyword" / "translate-vi_en-vien_wordbyword.argosmodel"


def unpacked(archive: Path, folder: Path, kind: str) -> InstalledModel:
    """The package ``archive`` extracted into ``folder``, as an (uninstalled) model."""
    with zipfile.ZipFile(archive) as z:
        z.extractall(folder)
        top = z.namelist()[0].split("/")[0]
    path = folder / top
    return InstalledModel(name=top, path=path, kind=kind, version="0", model_dir=path, sp_source=path,
                          sp_target=path, lexicon_path=path / "lexicon-vi_en.tsv.gz")


@pytest.fixture(scope="module")
def fixture_archive(tmp_path_factory):
    return build(tmp_path_factory.mktemp("phrase-fixture"))


@pytest.fixture(scope="module")
def translator(fixture_archive, tmp_path_factory):
    return PhraseTranslator(unpacked(fixture_archive, tmp_path_factory.mktemp("unpacked"), "fixture-phrase"))


@pytest.mark.parametrize("prune", [False, True])
def test_language_model_is_a_distribution_in_every_context(tmp_path, prune):
    """training.lm writes, pipeline.translate.lm reads: p(. | h) sums to one over the vocabulary,
    for seen and unseen histories, with pruned trigrams too (backoff weights renormalised)."""
    sentences = [s.split() for s in ENGLISH] * 2 + [["the", "pilot", "flew"], ["Japan", "flew"]]
    write_arpa(estimate(sentences, prune_trigram_singletons=prune), tmp_path / "lm.arpa.gz")
    lm = ArpaLM(tmp_path / "lm.arpa.gz")
    vocab = {w for s in sentences for w in s} | {"</s>", "<unk>"}
    for history in [("<s>",), ("the", "pilot"), ("pilot", "flew"), ("modern",), ("Japan", "the"), ()]:
        assert sum(10 ** lm.score(history, w)[0] for w in vocab) == pytest.approx(1.0, abs=1e-3), history


def test_phrases_and_the_language_model_pick_the_english(translator):
    assert translator.translate_texts(["Phi công bay tới Nhật Bản."]) == ["The pilot flew to Japan."]


def test_adjacent_phrases_swap_into_english_order_and_classifiers_drop(translator, fixture_archive, tmp_path):
    assert translator.translate_texts(["Chiếc máy bay hiện đại."]) == ["Modern aircraft."]
    monotone = PhraseTranslator(unpacked(fixture_archive, tmp_path, "fixture-phrase"), swap=False)
    assert monotone.translate_texts(["Chiếc máy bay hiện đại."]) == ["Aircraft modern."]


def test_unknown_names_are_copied(translator):
    assert translator.translate_texts(["Belenko bay tới Hakodate."]) == ["Belenko flew to Hakodate."]


def test_alignment_is_the_phrase_pairs_own(translator):
    """Each English word attends to exactly the Vietnamese words its phrase pair links it to."""
    units = translator._units((0, 0), "Phi công Liên Xô bay tới Nhật Bản.", 0)
    translator._run(units)
    pieces, attention = units[0].result
    words = units[0].pieces
    links = {p.lstrip("\u2581"): [words[k] for k, a in enumerate(row) if a > 0] for p, row in zip(pieces, attention)}
    assert links["Japan"] == ["Nhật Bản"] and links["Soviet"] == ["Liên Xô"]
    assert links["flew"] == ["bay"] and links["to"] == ["tới"]
    assert [p.lstrip("\u2581") for p in pieces][:2] == ["Soviet", "pilot"]  # "pilot Soviet", swapped


def test_entities_project_through_the_engine(segmenter, translator):
    doc = EntityRecognizer()(segmenter(document_from_text("Phi công Liên Xô bay tới Nhật Bản.", doc_id="t")))
    doc = Aligner()(translator(doc))
    assert doc.check_offsets() == [] and doc.translation_work == []
    projected = {m.aligns_to for m in doc.en.entities}
    listed = {u["mention"] for u in doc.translation["unprojected"]}
    assert projected | listed == {m.id for m in doc.vi.entities} and not projected & listed
    japan = next(m for m in doc.en.entities if m.text == "Japan")
    assert doc.vi.text[next(m for m in doc.vi.entities if m.id == japan.aligns_to).start:].startswith("Nhật Bản")


def test_a_mention_inside_a_phrase_projects_onto_its_english(segmenter, translator):
    """*người Mỹ* -> "Americans" links the word to both Vietnamese words evenly: the mention *Mỹ*
    (canonical "United States", absent) still projects onto it."""
    doc = EntityRecognizer()(segmenter(document_from_text("Người Mỹ bay tới Nhật Bản.", doc_id="t")))
    doc = Aligner()(translator(doc))
    assert doc.en.text.startswith("Americans")
    us = next(m for m in doc.vi.entities if m.text == "Mỹ")
    projected = {m.aligns_to: m for m in doc.en.entities}
    assert projected[us.id].text == "Americans" and projected[us.id].method == "attention"


def test_fixture_installs_but_is_never_the_default(fixture_archive, tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos"))
    monkeypatch.setenv("VIEN_MODELS_DIR", str(tmp_path / "vien"))
    model = install_archive(fixture_archive)
    assert model.kind == "fixture-phrase"
    assert isinstance(make_translator(model.name), PhraseTranslator)
    with pytest.raises(ModelNotInstalled):
        resolve_model(None)


def test_a_package_without_its_language_model_is_refused(fixture_archive, tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos"))
    monkeypatch.setenv("VIEN_MODELS_DIR", str(tmp_path / "vien"))
    broken = tmp_path / "broken.argosmodel"
    with zipfile.ZipFile(fixture_archive) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            if not item.filename.endswith("lm.arpa.gz"):
                dst.writestr(item, src.read(item))
    with pytest.raises(ModelInvalid):
        install_archive(broken)
    assert not any((tmp_path / "vien").glob("translate-*"))


@pytest.mark.skipif(not PHRASE.is_file() or not GLOSS.is_file(), reason="models/phrase or models/wordbyword missing")
def test_committed_phrase_package_is_the_default_and_named(tmp_path, monkeypatch, capsys):
    """``make annotate``'s path: with the embedded packages installed, the phrase package is picked by
    its kind (not by declared scores) and the CLI names it for what it is."""
    from pipeline.cli import main

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos"))
    monkeypatch.setenv("VIEN_MODELS_DIR", str(tmp_path / "vien"))
    for package in (GLOSS, PHRASE):
        assert main(["models", "install", "--no-progress", "--file", str(package)]) == 0
    capsys.readouterr()
    annotate_one_sentence(tmp_path)
    assert "English by translate-vi_en-vien_phrase 0.1 (embedded-phrase: phrase-based" in capsys.readouterr().out


@pytest.mark.shared_data
@pytest.mark.skipif(not (DEV / "dev.vi").is_file(), reason=f"{DEV} is absent")
@pytest.mark.skipif(not PHRASE.is_file() or not GLOSS.is_file(), reason="models/phrase or models/wordbyword missing")
def test_real_package_beats_the_gloss_on_the_domain_dev_set(tmp_path):
    import sacrebleu

    sources = (DEV / "dev.vi").read_text(encoding="utf-8").rstrip("\n").split("\n")
    refs = [(DEV / "dev.en").read_text(encoding="utf-8").rstrip("\n").split("\n")]
    phrase = PhraseTranslator(unpacked(PHRASE, tmp_path / "phrase", "embedded-phrase"))
    gloss = LexicalTranslator(unpacked(GLOSS, tmp_path / "gloss", "embedded-lexical"))
    phrase_chrf = sacrebleu.corpus_chrf(phrase.translate_texts(sources), refs).score
    gloss_chrf = sacrebleu.corpus_chrf(gloss.translate_texts(sources), refs).score
    assert phrase_chrf > gloss_chrf + 5, (phrase_chrf, gloss_chrf)
