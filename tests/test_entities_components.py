"""Components of the entity stage: the CRF adapter, quantities, gazetteer case rules, resources,
the spaCy view, and the stage's quality on the dev set."""
from __future__ import annotations

import pytest

from pipeline.entities import EntityRecognizer, to_spacy
from pipeline.entities.crf import sentence_features, tag_sentence
from pipeline.entities.gazetteer import default_gazetteer, matching_text, syllables
from pipeline.entities.quantities import find_quantities
from pipeline.entities.resources import countries


def test_crf_features_and_tags_equal_underthesea_ner():
    """Our features from our own words are the strings underthesea's predictor builds (same model input)."""
    from underthesea import pos_tag
    from underthesea.pipeline.ner.model_crf import CRFNERPredictor

    predictor = CRFNERPredictor.Instance()
    for sentence in ["Ông Putin ca ngợi những thành tựu vĩ đại của Liên Xô",
                     "Ngày 6/9/1976, trung úy Viktor Belenko hạ cánh ở Hakodate, miền bắc Nhật Bản."]:
        tagged = pos_tag(sentence)
        words, tags = [w for w, _ in tagged], [p for _, p in tagged]
        theirs = predictor.transformer.transform([[(w, p, "B-NP", "X") for w, p in tagged]])[0][0]
        assert sentence_features(words, tags) == theirs
        assert tag_sentence(words, tags) == [t[3] for t in predictor.predict([(w, p, "B-NP") for w, p in tagged])]


# Numbers are read by pipeline.numbers (tests/test_numbers.py); these rows check the quantity
# finder hands it every form it finds, fractions and "+" included, and renders them as measurements.
@pytest.mark.parametrize("text, surface, value, english", [
    ("vận tốc 1.020 m/s", "1.020 m/s", 1020.0, "1,020 m/s"),
    ("Tầm bay: 2.879 dặm", "2.879 dặm", 2879.0, "2,879 mi"),
    ("Vận tốc tối đa: Mach 2,5+ (1.650+ mph)", "Mach 2,5+", 2.5, "Mach 2.5+"),
    ("Vận tốc tối đa: Mach 2,5+ (1.650+ mph)", "1.650+ mph", 1650.0, "1,650+ mph"),
    ("Chiều dài: 74 ft 5½ in (22,7 m)", "74 ft 5½ in", 74 + 5.5 / 12, "74 ft 5½ in"),
    ("Chiều cao: 32 ft 1¾ in", "32 ft 1¾ in", 32 + 1.75 / 12, "32 ft 1¾ in"),
    ("cách đây 3000 năm", "3000 năm", 3000.0, "3,000 years"),
    ("kéo dài 04 tháng", "04 tháng", 4.0, "4 months"),
    ("Diện tích: 1568,7 km2", "1568,7 km2", 1568.7, "1,568.7 km²"),
])
def test_quantities_read_numbers_with_the_number_parser(text, surface, value, english):
    found = {c.text: c.value for c in find_quantities(text)}
    assert found[surface]["value"] == pytest.approx(value)
    assert found[surface]["en"] == english


@pytest.mark.parametrize("text", ["nặng 0.500 kg", "dài 1.5 km", "F-15 bay", "Su-27 km"])
def test_quantities_take_vietnamese_notation_only(text):
    """``0.500`` and ``1.5`` are English decimals that leaked into the text, not Vietnamese numbers."""
    assert list(find_quantities(text)) == []


@pytest.mark.parametrize("text, expected", [
    ("Nga và Mỹ", [("Nga", "Russia"), ("Mỹ", "United States")]),
    ("ngân nga hát", []),                       # a one-syllable name matches only with its capital
    ("Các Tiểu vương quốc Ả Rập Thống nhất", [("Các Tiểu vương quốc Ả Rập Thống nhất", "United Arab Emirates")]),
    ("khối nato", []),                          # acronyms match exactly
    ("Khối NATO", [("Khối NATO", "NATO")]),
])
def test_gazetteer_case_rules(text, expected):
    syls = syllables(matching_text(text))
    found = [(text[syls[m.first].start:syls[m.last].end], m.entry.name_en)
             for m in default_gazetteer().find(text, syls)]
    assert [f for f in found if f[0] in {e[0] for e in expected} or not expected] == expected


def test_every_cldr_territory_and_former_states_are_places():
    from babel import Locale

    codes = {c for c in Locale("vi").territories if len(c) == 2 and c.isalpha()} - {"ZZ", "XA", "XB", "EZ", "UN", "QO"}
    assert codes <= set(countries())
    names = {n for c in countries().values() for n in c.names}
    assert {"Liên Xô", "Tiệp Khắc", "Đông Đức", "Tây Đức", "Nam Tư"} <= names


def test_to_spacy_reproduces_text_and_mentions(segmenter):
    from spacy import displacy

    from pipeline.ingest import document_from_text

    text = "Ngày 6/9/1976, trung úy  Viktor Belenko lái Mig-25 Foxbat đến Nhật Bản.\n\nCục Thiết kế Mikoyan-Gurevich"
    doc = EntityRecognizer()(segmenter(document_from_text(text, doc_id="t")))
    sdoc = to_spacy(doc)
    assert sdoc.text == doc.vi.text
    assert [(e.start_char, e.end_char, e.label_) for e in sdoc.ents] == \
        [(m.start, m.end, m.label) for m in doc.vi.entities]
    assert {e.kb_id_ for e in sdoc.ents} >= {"MiG-25 Foxbat", "Japan", "Viktor Belenko"}
    assert "AIRCRAFT" in displacy.render(sdoc, style="ent")


@pytest.mark.shared_data
def test_dev_set_quality(shared_data, segmenter):
    """Issue 5's bar on the three dev articles: micro-F1 and PER/LOC/AIRCRAFT/UNIT >= 0.85, names >= 0.90."""
    from pipeline.evaluate import evaluate_entities

    recognizer = EntityRecognizer()
    report = evaluate_entities(shared_data / "dev-entities" / "entities.jsonl", shared_data / "dev-entities" / "articles",
                               lambda d: recognizer(segmenter(d)))
    assert report.micro.f1 >= 0.85
    for label in ("PER", "LOC", "AIRCRAFT", "UNIT"):
        assert report.per_label[label].f1 >= 0.85, label
    assert report.names_correct / report.names_matched >= 0.90
