"""The alignment stage: English tokens, Pharaoh links from attention, entity projection; by hand,
then on the fixture package (hand document and the seed article)."""
from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from pipeline.align import Aligner, word_alignment
from pipeline.document import Sentence, Side, Token
from pipeline.translate import NeuralTranslator as Translator, SentenceTranslation

from .conftest import SEED
from .test_translate import FIXTURE, fixture_model, hand_doc, needs_fixture  # noqa: F401 (fixture)

EN = "The Soviet Mig pilot flew to Japan . Thrust reached 12,246 kg at speed two ."


def translated_by_hand():
    """``hand_doc`` with an English side and translator work written by hand.

    Source pieces are the Vietnamese syllables; each English word attends to one of them.
    """
    doc = hand_doc()
    vi = doc.vi.text
    cut = EN.index(".") + 1
    doc.en = Side(EN, [Sentence(0, 0, cut, 0), Sentence(1, cut + 1, len(EN), 1)])
    work = []
    for k, (vi_s, en_s) in enumerate(zip(doc.vi.sentences, doc.en.sentences)):
        src = [(vi_s.start + m.start(), vi_s.start + m.end()) for m in re.finditer(r"\S+", vi[vi_s.start:vi_s.end])]
        words = [(en_s.start + m.start(), en_s.start + m.end(), [i])
                 for i, m in enumerate(re.finditer(r"\S+", EN[en_s.start:en_s.end]))]
        work.append(SentenceTranslation(vi_s.id, en_s.id, src, words, np.zeros((len(words), len(src)), np.float32)))

    def attend(k, en_word, vi_surface):
        start = vi.index(vi_surface, doc.vi.sentences[k].start)
        col = next(i for i, (a, b) in enumerate(work[k].src_spans) if a <= start < b)
        work[k].attention[en_word, col] = 1.0

    # "The Soviet Mig pilot flew to Japan ." <- "Phi công Mig-25 Liên Xô bay tới Nhật Bản."
    for en_word, vi_surface in [(0, "Phi"), (1, "Liên"), (2, "Mig-25"), (3, "công"), (4, "bay"), (5, "tới"),
                                (6, "Nhật"), (7, "Bản.")]:
        attend(0, en_word, vi_surface)
    # "Thrust reached 12,246 kg at speed two ." <- "Lực đẩy tới 12.246 kg ở Mach 2,8."
    for en_word, vi_surface in [(0, "Lực"), (1, "tới"), (2, "12.246"), (3, "kg"), (4, "ở"), (5, "Mach"), (6, "2,8.")]:
        attend(1, en_word, vi_surface)
    doc.translation = {"model": {}, "post_edits": [], "unprojected": []}
    doc.translation_work = work
    return doc


def test_tokens_alignment_and_projection_by_hand():
    doc = Aligner()(translated_by_hand())
    assert doc.check_offsets() == []
    assert [doc.en.text[t.start:t.end] for t in doc.en.tokens if t.sentence == 0] == \
        ["The", "Soviet", "Mig", "pilot", "flew", "to", "Japan", "."]
    assert doc.alignment["sentences"] == [[0, 0], [1, 1]]
    assert all(re.fullmatch(r"(\d+-\d+( \d+-\d+)*)?", links) for links in doc.alignment["tokens"])
    projected = {m.aligns_to: m for m in doc.en.entities}
    assert projected["vi-m2"].text == "Japan" and projected["vi-m2"].method == "name-match"
    assert projected["vi-m3"].text == "12,246 kg" and projected["vi-m3"].method == "name-match"
    assert projected["vi-m0"].text == "Mig" and projected["vi-m0"].method == "attention"  # MiG-25 absent
    assert projected["vi-m1"].text == "Soviet" and projected["vi-m1"].method == "attention"
    assert projected["vi-m4"].text == "speed two" and projected["vi-m4"].method == "attention"
    assert all(0 < m.score <= 1 for m in doc.en.entities)
    assert {e.id: e.mentions_en for e in doc.entities} == {
        "e0": [projected["vi-m0"].id], "e1": [projected["vi-m1"].id], "e2": [projected["vi-m2"].id]}
    assert doc.translation["unprojected"] == []
    assert doc.translation_work == []


def test_unprojectable_mentions_are_listed_with_reasons():
    doc = translated_by_hand()
    for w in doc.translation_work:
        w.attention[:] = 0.0
        w.attention[:, 0] = 1.0  # every English word attends to the first syllable only
    doc = Aligner()(doc)
    reasons = {u["mention"]: u["reason"] for u in doc.translation["unprojected"]}
    assert set(reasons) == {"vi-m0", "vi-m1", "vi-m4"}
    assert all("attends" in r for r in reasons.values())
    listed = {m.aligns_to for m in doc.en.entities} | set(reasons)
    assert listed == {m.id for m in doc.vi.entities}


def test_mention_across_sentences_is_unprojected():
    doc = translated_by_hand()
    first, second = doc.vi.sentences
    doc.vi.entities[0].start, doc.vi.entities[0].end = first.end - 4, second.start + 3
    doc.vi.entities[0].text = doc.vi.text[first.end - 4:second.start + 3]
    doc = Aligner()(doc)
    assert {"mention": "vi-m0", "reason": "the mention crosses a sentence boundary"} in doc.translation["unprojected"]


def test_word_alignment_from_attention():
    vi = [Token(0, 0, 0, 3), Token(1, 0, 4, 7)]  # two Vietnamese words
    en = [Token(0, 0, 0, 5), Token(1, 0, 6, 9), Token(2, 0, 9, 10)]  # "hello you." -> hello / you / .
    attention = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], np.float32)
    work = SentenceTranslation(0, 0, [(0, 3), (4, 7)], [(0, 5, [0]), (6, 10, [1, 2])], attention)
    # "you." holds pieces 1 and 2: their summed attention favours the second Vietnamese word
    assert word_alignment(work, vi, en) == "0-0 1-1 1-2"


# ---- the fixture package ----------------------------------------------------------------------
def check_every_mention_accounted_for(doc):
    assert doc.check_offsets() == []
    projected = {m.aligns_to for m in doc.en.entities}
    unprojected = {u["mention"] for u in doc.translation["unprojected"]}
    assert projected.isdisjoint(unprojected)
    assert projected | unprojected == {m.id for m in doc.vi.entities}
    for m in doc.en.entities:
        assert doc.en.text[m.start:m.end] == m.text and m.method in ("name-match", "attention")
    edits = doc.translation["post_edits"]
    for edit in edits:
        if "superseded_by" in edit:
            assert "start" not in edit and edits[edit["superseded_by"]]["sentence"] == edit["sentence"]
        else:
            assert doc.en.text[edit["start"]:edit["end"]] == edit["after"]


@needs_fixture
def test_hand_document_end_to_end(fixture_model):  # noqa: F811 (pytest fixture)
    doc = Aligner()(Translator(fixture_model, beam_size=2, threads=1)(hand_doc()))
    check_every_mention_accounted_for(doc)
    assert len(doc.alignment["tokens"]) == len(doc.en.sentences)


SEED_MENTIONS = [("AIRCRAFT", "Mig-25", "MiG-25"), ("LOC", "Liên Xô", "Soviet Union"), ("LOC", "Nhật Bản", "Japan"),
                 ("PER", "Belenko", "Viktor Belenko"), ("LOC", "Hakodate", "Hakodate"),
                 ("AIRCRAFT", "Foxbat", "MiG-25"), ("LOC", "Mỹ", "United States")]
SEED_QUANTITIES = [("12.246 kg", "12,246 kg"), ("11.113 kg", "11,113 kg"), ("Mach 2,8", "Mach 2.8"),
                   ("3.500 km/h", "3,500 km/h"), ("1.020 m/s", "1,020 m/s"), ("24 km", "24 km")]


def seed_with_mentions(seed_doc):
    """The segmented seed article with mentions written by hand (every occurrence of a table)."""
    from pipeline.document import Entity, Mention

    doc = copy.deepcopy(seed_doc)
    text, mentions, entities = doc.vi.text, [], {}
    for label, surface, name_en in SEED_MENTIONS:
        entity = entities.setdefault(name_en, Entity(f"e{len(entities)}", label, surface, name_en))
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            mentions.append(Mention("", label, m.start(), m.end(), surface, entity.id, source="test"))
    for surface, en in SEED_QUANTITIES:
        for m in re.finditer(re.escape(surface), text):
            mentions.append(Mention("", "QUANTITY", m.start(), m.end(), surface, value={"en": en}, source="test"))
    mentions.sort(key=lambda m: m.start)
    for i, m in enumerate(mentions):
        m.id = f"vi-m{i}"
        if m.entity:
            next(e for e in entities.values() if e.id == m.entity).mentions_vi.append(m.id)
    doc.vi.entities, doc.entities = mentions, list(entities.values())
    doc.annotations.add("entities")
    return doc


@needs_fixture
@pytest.mark.slow
def test_seed_article_end_to_end_validates(fixture_model, seed_doc):  # noqa: F811 (pytest fixture)
    from pipeline.frames import document_frames, frames_to_json
    from pipeline.schema import validate

    translator = Translator(fixture_model, beam_size=2, threads=1)
    doc = seed_with_mentions(seed_doc)
    assert len(doc.vi.entities) > 30
    doc = Aligner()(next(iter(translator.pipe([doc], batch_size=4))))
    check_every_mention_accounted_for(doc)
    assert [s.source_sentence for s in doc.en.sentences] == [s.id for s in doc.vi.sentences]
    assert all(p["kind"] in ("name", "value", "number") for p in doc.translation["post_edits"])
    doc.producer = {"pipeline": "test", "versions": {}, "stages": ["segment", "test-mentions", "translate", "align"],
                    "settings": {}, "model": translator.describe()}
    validate(frames_to_json(document_frames(doc)))
    assert SEED.name in doc.source.path
