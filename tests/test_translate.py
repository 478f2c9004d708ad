"""The translation stage: post-editing logic on hand-made model output, and the batched path on the
fixture package (a tiny test model: its English is poor by design; tests check structure, not
quality)."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.document import Document, Entity, Mention, Sentence, Side, Source, Token
from pipeline.postedit import Target, Word, accepted_renderings, apply_post_edits, best_run
from pipeline.align import Aligner
from pipeline.translate import NeuralTranslator as Translator

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "models" / "fixture" / "translate-vi_en-vien_fixture.argosmodel"
needs_fixture = pytest.mark.skipif(not FIXTURE.is_file(), reason=f"fixture package {FIXTURE} not built yet")


# ---- documents built by hand ------------------------------------------------------------------
TEXT = "Phi công Mig-25 Liên Xô bay tới Nhật Bản. Lực đẩy tới 12.246 kg ở Mach 2,8."


def hand_doc(text: str = TEXT) -> Document:
    """Two sentences, syllable tokens, and those of five known mentions that ``text`` contains."""
    cut = text.index(". ") + 1
    spans = [(0, cut), (cut + 1, len(text))]
    tokens = []
    for k, (a, b) in enumerate(spans):
        for m in re.finditer(r"\w[\w.,-]*\w|\w|[^\w\s]", text[a:b]):
            tokens.append(Token(len(tokens), k, a + m.start(), a + m.end()))

    table = [("AIRCRAFT", "Mig-25", "e0", None), ("LOC", "Liên Xô", "e1", None), ("LOC", "Nhật Bản", "e2", None),
             ("QUANTITY", "12.246 kg", None, {"value": 12246, "unit": "kg", "en": "12,246 kg"}),
             ("QUANTITY", "Mach 2,8", None, {"value": 2.8, "unit": "Mach", "en": "Mach 2.8"})]
    doc = Document("hand", Source("hand.txt", "0" * 64, "utf-8", len(text)),
                   Side(text, [Sentence(k, a, b) for k, (a, b) in enumerate(spans)], tokens))
    for label, surface, entity, value in table:  # the mentions this text contains
        if surface in text:
            start = text.index(surface)
            doc.vi.entities.append(Mention(f"vi-m{len(doc.vi.entities)}", label, start, start + len(surface),
                                           surface, entity, value=value))
    doc.entities = [Entity("e0", "AIRCRAFT", "Mig-25", "MiG-25"), Entity("e1", "LOC", "Liên Xô", "Soviet Union"),
                    Entity("e2", "LOC", "Nhật Bản", "Japan")]
    for m in doc.vi.entities:
        if m.entity:
            doc.entities[int(m.entity[1:])].mentions_vi.append(m.id)
    doc.annotations |= {"text", "sentences", "tokens", "entities"}
    assert doc.check_offsets() == []
    return doc


# ---- post-editing logic (no model) ------------------------------------------------------------
def words_of(text: str) -> list[Word]:
    return [Word(w, [i]) for i, w in enumerate(text.split())]


def apply(text, targets, attention=None, spans=None):
    edits = []
    words = words_of(text)
    attention = np.zeros((len(words), 0), np.float32) if attention is None else attention
    out = apply_post_edits(words, attention, spans or [], targets, edits, 0)
    return " ".join(w.text for w in out), edits


def target(surface, rendering, kind="name", accepted=None, start=0, end=None, mention="vi-m0"):
    return Target(start, end if end is not None else len(surface), surface, rendering,
                   tuple(accepted or (rendering,)), mention if kind != "number" else None, kind)


@pytest.mark.parametrize(("output", "targets", "expected", "methods"), [
    ("thrust of 12.246 kg .", [target("12.246", "12,246", "number")], "thrust of 12,246 kg .", ["number"]),
    ("at Mach 2,8, fast", [target("2,8", "2.8", "number")], "at Mach 2.8, fast", ["number"]),
    ("at 3.500 km/h", [target("3.500", "3,500", "number")], "at 3,500 km/h", ["number"]),
    ("the Mig-25 pilot", [target("Mig-25", "MiG-25")], "the MiG-25 pilot", ["literal"]),
    ("the mig-25, pilot", [target("Mig-25", "MiG-25")], "the MiG-25, pilot", ["literal"]),
    ("to Nhật Bản .", [target("Nhật Bản", "Japan")], "to Japan .", ["literal"]),
    ("the MiG-25 pilot", [target("Mig-25", "MiG-25")], "the MiG-25 pilot", []),  # already right
    ("a Foxbat jet", [target("Foxbat", "MiG-25", accepted=("MiG-25", "Foxbat"))], "a Foxbat jet", []),
    ("flew 24 km", [target("24", "24", "number")], "flew 24 km", []),
])
def test_post_edits_are_applied_and_recorded(output, targets, expected, methods):
    text, edits = apply(output, targets)
    assert text == expected
    assert [e["method"] for e in edits] == methods
    for e in edits:
        assert e["before"] != e["after"] and e["after"] in text


def test_attention_post_edit_replaces_the_attended_words():
    # source pieces: 0 "bay" 1 "tới" 2 "Nhật" 3 "Bản"; output words attend 0, 1, 2, 3
    attention = np.eye(4, dtype=np.float32)
    spans = [(0, 3), (4, 7), (8, 12), (13, 16)]
    t = target("Nhật Bản", "Japan", start=8, end=16)
    text, edits = apply("flew to Nihon land", [t], attention, spans)
    assert text == "flew to Japan"
    assert edits == [{"sentence": 0, "mention": "vi-m0", "kind": "name", "method": "attention",
                      "before": "Nihon land", "after": "Japan"}]


def test_a_rewritten_edit_is_marked_superseded():
    # the number is fixed first; then the quantity's words, already holding that edit, are rewritten
    attention = np.eye(3, dtype=np.float32)
    spans = [(0, 6), (7, 9), (10, 12)]  # "12.246", "kg", "ở"
    number = target("12.246", "12,246", "number", start=0, end=6)
    quantity = target("12.246 kg", "12,246 kg", "value", start=0, end=9)
    text, edits = apply("12.246 kilograms at", [quantity, number], attention, spans)
    assert text == "12,246 kg at"
    assert [(e["method"], e["after"], e.get("superseded_by")) for e in edits] == \
        [("number", "12,246", 1), ("attention", "12,246 kg", None)]


def test_attention_post_edit_needs_evidence():
    attention = np.zeros((3, 2), dtype=np.float32)
    attention[:, 0] = 1.0  # nothing attends to the mention's piece 1
    text, edits = apply("a b c", [target("X", "Japan", start=5, end=6)], attention, [(0, 4), (5, 6)])
    assert text == "a b c" and edits == []


def test_accepted_renderings():
    doc = hand_doc()
    entities = {e.id: e for e in doc.entities}
    m = {x.id: x for x in doc.vi.entities}
    assert accepted_renderings(m["vi-m0"], entities["e0"]) == ["MiG-25"]
    assert accepted_renderings(m["vi-m1"], entities["e1"]) == ["Soviet Union"]
    assert accepted_renderings(m["vi-m3"], None) == ["12,246 kg"]
    foxbat = Mention("vi-m9", "AIRCRAFT", 0, 6, "Foxbat", "e0")
    assert accepted_renderings(foxbat, entities["e0"]) == ["MiG-25", "Foxbat"]
    unlinked = Mention("vi-m8", "PER", 0, 7, "Duy Sơn")
    assert accepted_renderings(unlinked, None) == []


def test_best_run():
    assert best_run([3, 4, 6], 5) == [3, 4, 6]
    assert best_run([1, 9, 10], 3) == [9, 10]
    assert best_run([1, 2, 3, 4, 5, 6], 3) == []
    assert best_run([], 3) == []


# ---- the fixture model ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixture_model(tmp_path_factory):
    """The fixture package installed into a temporary Argos package folder."""
    from pipeline.models import install_archive

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARGOS_PACKAGES_DIR", str(tmp_path_factory.mktemp("argos") / "packages"))
        model = install_archive(FIXTURE)
    assert model.kind == "fixture"
    return model


@pytest.fixture(scope="module")
def translator(fixture_model):
    return Translator(fixture_model, beam_size=2, max_batch_sentences=8, threads=1)


@needs_fixture
def test_translate_hand_document(translator):
    doc = translator(hand_doc())
    assert [s.source_sentence for s in doc.en.sentences] == [0, 1]
    assert all(doc.en.text[s.start:s.end].strip() for s in doc.en.sentences)
    assert doc.check_offsets() == []
    record = doc.translation
    assert record["model"]["kind"] == "fixture" and len(record["model"]["sha256"]) == 64
    assert record["settings"]["beam_size"] == 2
    for edit in record["post_edits"]:
        if "superseded_by" not in edit:
            assert doc.en.text[edit["start"]:edit["end"]] == edit["after"]
    assert "MiG-25" in doc.en.text or not any(e["mention"] == "vi-m0" for e in record["post_edits"])
    work = doc.translation_work
    assert [w.vi_sentence for w in work] == [0, 1]
    for w in work:
        assert w.attention.shape[1] == len(w.src_spans)
        assert all(p < w.attention.shape[0] for *_, pieces in w.words for p in pieces)


@needs_fixture
def test_pipe_batches_across_documents_like_one_by_one(fixture_model):
    translator = Translator(fixture_model, beam_size=2, threads=1, max_batch_sentences=3)
    docs = [hand_doc(), hand_doc("Belenko hạ cánh ở Hakodate. Ông bay thấp.")]
    aligner = Aligner()

    def result(doc):
        doc = aligner(doc)
        return doc.en.text, doc.translation["post_edits"], doc.alignment, [(m.start, m.end) for m in doc.en.entities]

    one_by_one = [result(translator(copy.deepcopy(d))) for d in docs]
    batched = [result(d) for d in translator.pipe([copy.deepcopy(d) for d in docs], batch_size=2)]
    assert batched == one_by_one  # text, post-edits, word alignment and projections alike


@needs_fixture
def test_long_sentences_are_split_and_rejoined(fixture_model):
    long = ", ".join(["máy bay bay rất nhanh trên bầu trời Nhật Bản"] * 30) + "."
    small = Translator(fixture_model, beam_size=1, max_input_pieces=40, threads=1)
    units = small._units((0, 0), long, 0)
    assert len(units) > 1 and all(len(u.pieces) <= 40 for u in units)
    assert [p for u in units for p in u.pieces] == small._encode(long, 0)[0]
    assert all(long[:u.spans[0][0]].endswith(", ") for u in units[1:])  # cut after commas
    doc = hand_doc(long + " Ông bay.")
    doc.vi.entities, doc.entities = [], []
    small(doc)
    assert len(doc.en.sentences) == 2 and doc.check_offsets() == []


@needs_fixture
def test_translate_texts_renders_numbers(translator):
    out = translator.translate_texts(["Lực đẩy 12.246 kg.", "", "Mach 2,8"])
    assert len(out) == 3 and out[1] == ""
    assert "12.246" not in out[0] and "2,8" not in out[2]


# ---- the run policy, through the command line -------------------------------------------------
def test_annotate_without_a_model_stops_before_the_first_document(tmp_path, monkeypatch, capsys):
    from pipeline.cli import main

    from .conftest import SEED

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "empty" / "packages"))
    out = tmp_path / "out"
    assert main(["annotate", str(SEED), "-o", str(out), "--no-progress"]) == 3
    err = capsys.readouterr().err
    assert "[E201] no vi->en translation model is installed" in err
    assert "vien models install translate-vi_en" in err
    assert not out.exists() or not list(out.glob("*.json"))


def test_annotate_no_translate_needs_no_model(tmp_path, monkeypatch, capsys):
    import json

    from pipeline.cli import main

    from .conftest import SEED

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "empty" / "packages"))
    out = tmp_path / "out"
    assert main(["annotate", str(SEED), "-o", str(out), "--no-translate", "--no-progress"]) == 0
    data = json.loads((out / f"{SEED.stem}.json").read_text())
    assert data["en"] is None and data["translation"] is None and data["vi"]["sentences"]


@needs_fixture
@pytest.mark.slow
def test_annotate_with_the_fixture_model(tmp_path, monkeypatch, capsys):
    import json

    from pipeline.cli import main
    from pipeline.schema import validate

    from .conftest import SEED

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos" / "packages"))
    assert main(["models", "install", "--file", str(FIXTURE)]) == 0
    out = tmp_path / "out"
    assert main(["annotate", str(SEED), "-o", str(out), "--no-progress"]) == 3  # a fixture is never the default
    assert main(["annotate", str(SEED), "-o", str(out), "--no-progress", "--model", "vien_fixture"]) == 0
    data = json.loads((out / f"{SEED.stem}.json").read_text())
    validate(data)
    assert data["producer"]["model"]["kind"] == "fixture"
    en = data["en"]
    for m in en["entities"]:
        assert en["text"][m["start"]:m["end"]] == m["text"]
    accounted = {m["aligns_to"] for m in en["entities"]} | {u["mention"] for u in data["translation"]["unprojected"]}
    assert accounted == {m["id"] for m in data["vi"]["entities"]}


@needs_fixture
@pytest.mark.parametrize("settings", [{"beam_size": 1}, {"beam_size": 2, "exact_batches": True}])
def test_output_does_not_depend_on_the_batch(fixture_model, settings):
    """Greedy decoding, or beam search in batches of equal-length sources, is batch-independent
    (CTranslate2's beam search over padded batches is not: see ``Translator._run``)."""
    from .conftest import SEED

    translator = Translator(fixture_model, threads=1, **settings)

    sentences = [s for s in re.split(r"(?<=\.)\s*", SEED.read_text(encoding="utf-8")) if len(s) > 20][:12]

    def attention(texts):
        units = [translator._units((-1, i), t, 0)[0] for i, t in enumerate(texts)]
        translator._run(units)
        return [(u.result[0], np.array(u.result[1])) for u in units]

    batched = attention(sentences)
    alone = [attention([s])[0] for s in sentences]
    for (hyp_b, att_b), (hyp_a, att_a) in zip(batched, alone):
        assert hyp_b == hyp_a
        assert att_b.shape == att_a.shape and np.abs(att_b - att_a).max() < 1e-3


@needs_fixture
def test_first_step_attention_repaired_in_beam_batches(translator):
    """CTranslate2 4.8 returns a wrong first attention row in beam-search batches; it is replaced
    by the exact one from a greedy step, so equal hypotheses come with equal attention."""
    from .conftest import SEED

    sentences = [s for s in re.split(r"(?<=\.)\s*", SEED.read_text(encoding="utf-8")) if len(s) > 20][:12]
    units = [translator._units((-1, i), t, 0)[0] for i, t in enumerate(sentences)]
    translator._run(units)
    compared = 0
    for i, text in enumerate(sentences):
        alone = translator._units((-1, 0), text, 0)[0]
        translator._run([alone])
        if alone.result[0] == units[i].result[0]:
            compared += 1
            assert np.abs(np.array(alone.result[1]) - np.array(units[i].result[1])).max() < 1e-3
    assert compared >= 8
