"""The entity stage: tables of cases per label, hard cases, linking, invariants.

Documents are built from hand-written text and segmented with the real segmenter (underthesea), so the
CRF path runs too; a few cases build the ``Document`` by hand to keep characters ingest would change
(no-break spaces, Cyrillic look-alikes).
"""
from __future__ import annotations

import pytest

from pipeline.document import Document, Side, Source
from pipeline.entities import EntityRecognizer
from pipeline.ingest import document_from_text


@pytest.fixture(scope="module")
def recognizer():
    return EntityRecognizer()


@pytest.fixture(scope="module")
def annotate(segmenter, recognizer):
    def run(text: str) -> Document:
        return recognizer(segmenter(document_from_text(text, doc_id="t")))
    return run


def mentions(doc: Document) -> list[tuple[str, str]]:
    return [(m.label, m.text) for m in doc.vi.entities]


def names(doc: Document) -> dict[str, str]:
    """Mention surface -> its entity's canonical English name."""
    ents = {e.id: e for e in doc.entities}
    return {m.text: ents[m.entity].name_en for m in doc.vi.entities}


def hand_doc(text: str) -> Document:
    """A document exactly as given (no ingest normalisation) and without tokens: rules only."""
    return Document("hand", Source("", "", "utf-8", len(text)), Side(text))


AIRCRAFT = [
    ("Chiếc Mig-25 hạ cánh ở Hakodate.", "Mig-25", "MiG-25"),
    ("Tiêm kích MiG 25 bay rất nhanh.", "MiG 25", "MiG-25"),
    ("Việt Nam mua tiêm kích Su – 30MK2 của Nga.", "Su – 30MK2", "Su-30MK2"),
    ("Mitsubishi F-15J/DJ Eagle là máy bay tiêm kích.", "Mitsubishi F-15J/DJ Eagle", "Mitsubishi F-15J/DJ Eagle"),
    ("Nhật còn dùng F-4EJ Phantom II đến năm 2020.", "F-4EJ Phantom II", "F-4EJ Phantom II"),
    ("Hãng chế tạo Boeing 747 ở Mỹ.", "Boeing 747", "Boeing 747"),
    ("Máy bay vận tải G.222TCM được thử nghiệm.", "G.222TCM", "G.222TCM"),
    ("Việt Nam mua Su-30 MK2 và MiG-21bis.", "Su-30 MK2", "Su-30MK2"),
    ("Việt Nam mua Su-30 MK2 và MiG-21bis.", "MiG-21bis", "MiG-21bis"),
    ("Đài Loan nâng cấp F-16C/D Block 52.", "F-16C/D Block 52", "F-16C/D Block 52"),
    ("Israel dùng Mirage trong chiến tranh.", "Mirage", "Mirage"),
]


@pytest.mark.parametrize("text, surface, name_en", AIRCRAFT)
def test_aircraft(annotate, text, surface, name_en):
    doc = annotate(text)
    assert ("AIRCRAFT", surface) in mentions(doc)
    assert names(doc)[surface] == name_en


@pytest.mark.parametrize("text, not_aircraft", [
    ("Xe tăng T-54 tiến vào thành phố.", "T-54"),
    ("Tên lửa S-300 bảo vệ bầu trời.", "S-300"),
    ("Súng 20 mm M61 Vulcan lắp trên máy bay.", "Vulcan"),
    ('Chương trình "Peace Eagle" của F-15 Eagle.', "Eagle"),
    ("Anh ta tu 95 ngày.", "tu 95"),
])
def test_not_aircraft(annotate, text, not_aircraft):
    assert ("AIRCRAFT", not_aircraft) not in mentions(annotate(text))


def test_cyrillic_lookalike_and_nickname_link_to_one_aircraft():
    # "МiG-25" starts with a Cyrillic capital EM; "Foxbat" is the MiG-25's reporting name
    doc = EntityRecognizer(use_crf=False)(hand_doc("Chiếc \u041ciG-25 Foxbat đã hạ cánh. Foxbat rất nhanh, Mig-25 cũng vậy."))
    assert [m.text for m in doc.vi.entities] == ["\u041ciG-25 Foxbat", "Foxbat", "Mig-25"]
    assert len({m.entity for m in doc.vi.entities}) == 1
    assert doc.entities[0].name_en.startswith("MiG-25")


UNITS = [
    ("Trung úy không quân Liên Xô đã bay đi.", "không quân Liên Xô", "Soviet Air Force"),
    ("Không quân Mỹ nhận được máy bay mới.", "Không quân Mỹ", "United States Air Force"),
    ("Thái Lan có Không quân Hoàng gia Thái Lan.", "Không quân Hoàng gia Thái Lan", "Royal Thai Air Force"),
    ("Phi đoàn tiêm kích chiến thuật (TFS) 201 đóng ở đây.", "Phi đoàn tiêm kích chiến thuật (TFS) 201",
     "201st Tactical Fighter Squadron"),
    ("Trung đoàn 910 được thành lập.", "Trung đoàn 910", "910th Regiment"),
    ("Ông chỉ huy Sư đoàn 372 từ năm 1980.", "Sư đoàn 372", "372nd Division"),
    ("Đơn vị thuộc Liên đoàn bay 83 của Nhật.", "Liên đoàn bay 83", "83rd Air Group"),
    ("Ông bay cùng phi đội tiêm kích Mig-25 gần bờ biển.", "phi đội tiêm kích Mig-25", "MiG-25 Fighter Squadron"),
    ("Lực lượng phòng vệ trên không Nhật Bản nhận máy bay.", "Lực lượng phòng vệ trên không Nhật Bản",
     "Japan Air Self-Defense Force"),
    ("Hạm đội Thái Bình Dương của Mỹ tham gia.", "Hạm đội Thái Bình Dương", "Pacific Fleet"),
    ("Bộ Tư lệnh Cảnh sát biển tham gia tìm kiếm.", "Bộ Tư lệnh Cảnh sát biển", "Coast Guard Command"),
]


@pytest.mark.parametrize("text, surface, name_en", UNITS)
def test_units(annotate, text, surface, name_en):
    doc = annotate(text)
    assert ("UNIT", surface) in mentions(doc)
    assert names(doc)[surface].casefold() == name_en.casefold()


def test_coordination_only_first_conjunct_is_a_unit(annotate):
    doc = annotate("Mig-25 từng phục vụ trong lực lượng không quân Ai Cập, Iraq và Syria.")
    assert mentions(doc) == [("AIRCRAFT", "Mig-25"), ("UNIT", "lực lượng không quân Ai Cập"),
                             ("LOC", "Iraq"), ("LOC", "Syria")]


def test_generic_air_force_is_not_a_unit(annotate):
    assert not [m for m in annotate("Ông là sĩ quan không quân nhiều năm.").vi.entities if m.label == "UNIT"]


def test_acronym_in_brackets_links_later_mentions(annotate):
    doc = annotate("Lực lượng phòng vệ trên không Nhật Bản (JASDF) mua F-15J. Sau đó JASDF mua thêm.")
    units = [m for m in doc.vi.entities if m.label == "UNIT"]
    assert [m.text for m in units] == ["Lực lượng phòng vệ trên không Nhật Bản", "JASDF", "JASDF"]
    assert len({m.entity for m in units}) == 1


PLACES = [
    ("Các điều tra viên người Mỹ đã đến.", "Mỹ", "United States"),
    ("Cảnh sát nước Nhật áp giải ông.", "Nhật", "Japan"),
    ("Đối với phương Tây, đây là vận may.", "phương Tây", "the West"),
    ("Moscow đã quyết định phát triển tiêm kích.", "Moscow", "Moscow"),
    ("Máy bay đóng ở Căn cứ không quân Chitose.", "Căn cứ không quân Chitose", "Chitose Air Base"),
    ("Nhà máy nằm ở tỉnh Aichi.", "Aichi", "Aichi"),
    ("Tàu đi qua eo biển La Pérouse.", "eo biển La Pérouse", "La Pérouse Strait"),
    ("Tiệp Khắc và Đông Đức mua MiG-21.", "Tiệp Khắc", "Czechoslovakia"),
    ("Ông sinh ra ở Liên Xô.", "Liên Xô", "Soviet Union"),
    ("Máy bay bay gần bờ biển Nhật Bản.", "Nhật Bản", "Japan"),
    ("Máy bay ném bom Mỹ B52 rải thảm.", "Mỹ", "United States"),
    ("Israel và các nước Arab giao chiến ở Trung Đông.", "Trung Đông", "Middle East"),
]


@pytest.mark.parametrize("text, surface, name_en", PLACES)
def test_places(annotate, text, surface, name_en):
    doc = annotate(text)
    assert ("LOC", surface) in mentions(doc)
    assert names(doc)[surface] == name_en


def test_short_and_long_country_names_are_one_entity(annotate):
    doc = annotate("Nhật Bản trả lại máy bay. Nhật không giữ nó.")
    japan = [m for m in doc.vi.entities if m.label == "LOC"]
    assert [m.text for m in japan] == ["Nhật Bản", "Nhật"]
    assert japan[0].entity == japan[1].entity


def test_facility_mentions_link(annotate):
    doc = annotate("F-15J đóng ở Căn cứ không quân Chitose. Sau đó căn cứ Chitose nhận thêm.")
    bases = [m for m in doc.vi.entities if m.label == "LOC"]
    assert [m.text for m in bases] == ["Căn cứ không quân Chitose", "căn cứ Chitose"]
    assert bases[0].entity == bases[1].entity


ORGS = [
    ("Tiêm kích do Cục Thiết kế Mikoyan-Gurevich phát triển.", "Cục Thiết kế Mikoyan-Gurevich",
     "Mikoyan-Gurevich Design Bureau"),
    ("Các quan chức Lầu Năm Góc đã cười.", "Lầu Năm Góc", "Pentagon"),
    ("Ông bay thấp để tránh radar, theo RBTH.", "RBTH", "RBTH (Russia Beyond the Headlines)"),
    ("Bộ Quốc phòng Mỹ quyết định không bán.", "Bộ Quốc phòng Mỹ", "United States Department of Defense"),
    ("Khi Trung tâm Tình báo Không quân và Không gian Quốc gia Mỹ tháo rời máy bay.",
     "Trung tâm Tình báo Không quân và Không gian Quốc gia Mỹ", "National Air and Space Intelligence Center"),
    ("Máy bay do hãng Mitsubishi Heavy Industries chế tạo.", "Mitsubishi Heavy Industries",
     "Mitsubishi Heavy Industries"),
]


@pytest.mark.parametrize("text, surface, name_en", ORGS)
def test_organisations(annotate, text, surface, name_en):
    doc = annotate(text)
    assert ("ORG", surface) in mentions(doc)
    assert names(doc)[surface] == name_en


def test_engine_maker_before_an_engine_code_is_not_an_org(annotate):
    doc = annotate("Động cơ: 2 động cơ Pratt & Whitney F100-100 hoặc -220.")
    assert not [m for m in doc.vi.entities if m.label == "ORG"]


def test_person_title_outside_and_surname_links(annotate):
    doc = annotate("Ngày 6/9/1976, trung úy không quân Liên Xô Viktor Belenko tách khỏi đội hình. "
                   "Belenko hạ cánh ở Hakodate. Trung úy Belenko đã tiết lộ nhiều bí mật.")
    people = [m for m in doc.vi.entities if m.label == "PER"]
    assert [m.text for m in people] == ["Viktor Belenko", "Belenko", "Belenko"]
    assert len({m.entity for m in people}) == 1
    assert names(doc)["Belenko"] == "Viktor Belenko"
    assert ("UNIT", "không quân Liên Xô") in mentions(doc)


@pytest.mark.parametrize("text, person", [
    ("Bộ trưởng Quốc phòng Nga Sergei Shoigu thăm Syria.", "Sergei Shoigu"),
    ("Tổng thống Mỹ Joe Biden phát biểu.", "Joe Biden"),
    ("Đại tá Nguyễn Văn Hùng, Trung đoàn trưởng, cho biết.", "Nguyễn Văn Hùng"),
])
def test_people_after_titles(annotate, text, person):
    assert ("PER", person) in mentions(annotate(text))


@pytest.mark.parametrize("text, not_person", [
    ("Thủ tướng Chính phủ đã ký quyết định.", "Chính"),
    ("Chủ tịch Quốc hội phát biểu.", "Quốc"),
])
def test_institution_words_after_titles_are_not_people(annotate, text, not_person):
    assert not [m for m in annotate(text).vi.entities if m.label == "PER"]


@pytest.mark.parametrize("text, org, english", [
    ("Tổ chức Y tế Thế giới cảnh báo về dịch bệnh.", "Tổ chức Y tế Thế giới", "World Health Organization"),
    ("Ông là thành viên Ủy ban Olympic Quốc tế.", "Ủy ban Olympic Quốc tế", "International Olympic Committee"),
    ("Quỹ Tiền tệ Quốc tế cho vay.", "Quỹ Tiền tệ Quốc tế", "International Monetary Fund"),
    ("Đảng Cộng sản Trung Quốc họp.", "Đảng Cộng sản Trung Quốc", "Communist Party of China"),
    ("Bộ Kế hoạch và Đầu tư công bố số liệu.", "Bộ Kế hoạch và Đầu tư", "Planning and Investment Ministry"),
    # a word outside the glossary ("Bóng bầu dục"): the Vietnamese name without diacritics, no "?"
    ("Liên đoàn Bóng bầu dục Quốc tế ra thông báo.", "Liên đoàn Bóng bầu dục Quốc tế", "Lien doan Bong bau duc Quoc te"),
])
def test_institution_names_in_english(annotate, text, org, english):
    doc = annotate(text)
    assert ("ORG", org) in mentions(doc)
    assert names(doc)[org] == english


def test_weapon_names_are_not_entities(annotate):
    doc = annotate("MiG-31K mang tên lửa Kinzhal và radar Zaslon bay tới Syria.")
    assert [t for _, t in mentions(doc)] == ["MiG-31K", "Syria"]


def test_no_break_space_inside_a_name():
    text = "Trung úy Viktor\u00a0 Belenko hạ cánh. Sau đó Belenko ở lại."
    doc = EntityRecognizer(use_crf=False)(hand_doc(text))
    people = [m for m in doc.vi.entities if m.label == "PER"]
    assert people[0].text == "Viktor\u00a0 Belenko"
    assert doc.entities[int(people[0].entity[1:])].name_en == "Viktor Belenko"
    assert people[1].entity == people[0].entity


def test_vietnamese_byline_name_in_english_has_no_diacritics():
    text = "Mig-25 là tiêm kích.\nDuy Sơn"
    doc = hand_doc(text)
    doc.byline = (text.index("Duy"), len(text))
    doc = EntityRecognizer(use_crf=False)(doc)
    assert names(doc)["Duy Sơn"] == "Duy Son"


QUANTITIES = [
    ("vận tốc Mach 3 (1.020 m/s)", "1.020 m/s", 1020.0, "m/s", "1,020 m/s"),
    ("bay ở vận tốc Mach 2,8 khi đó", "Mach 2,8", 2.8, "Mach", "Mach 2.8"),
    ("lực đẩy tới 12.246 kg", "12.246 kg", 12246.0, "kg", "12,246 kg"),
    ("ở độ cao hơn 24 km", "24 km", 24.0, "km", "24 km"),
    ("Sải cánh: 42 ft 10 in (13,05 m)", "42 ft 10 in", 42 + 10 / 12, "ft", "42 ft 10 in"),
    ("Tốc độ lên cao: >50.000 ft/phút", ">50.000 ft/phút", 50000.0, "ft/min", ">50,000 ft/min"),
    ("Vận tốc tối đa: Mach 2,5+", "Mach 2,5+", 2.5, "Mach", "Mach 2.5+"),
    ("Tầm bay: 2.879 dặm", "2.879 dặm", 2879.0, "mi", "2,879 mi"),
    ("Diện tích cánh: 56,5 m²", "56,5 m²", 56.5, "m²", "56.5 m²"),
    ("Chuyến bay kéo dài 5 giờ", "5 giờ", 5.0, "hours", "5 hours"),
]


@pytest.mark.parametrize("text, surface, value, unit, english", QUANTITIES)
def test_quantities(annotate, text, surface, value, unit, english):
    doc = annotate(text)
    found = {m.text: m for m in doc.vi.entities if m.label == "QUANTITY"}
    assert surface in found
    assert found[surface].value == {"value": pytest.approx(value), "unit": unit, "en": english}


@pytest.mark.parametrize("text", ["Nhật có 36 tiêm kích.", "Ông năm nay 45 tuổi.", "tháng 7 năm 1975"])
def test_counts_ages_and_dates_are_not_quantities(annotate, text):
    assert not [m for m in annotate(text).vi.entities if m.label == "QUANTITY"]


DATES = [
    ("Ngày 6/9/1976, ông bay đi.", "6/9/1976", "1976-09-06", "6 September 1976"),
    ("Nó được phát triển đầu thập niên 1960.", "đầu thập niên 1960", None, "early 1960s"),
    ("Vào tháng 11/2008 máy bay rơi.", "tháng 11/2008", "2008-11", "November 2008"),
    ("Ông sinh tháng 2 năm 1976 ở Nga.", "tháng 2 năm 1976", "1976-02", "February 1976"),
    ("Hợp đồng ký cuối năm 1981.", "cuối năm 1981", None, "late 1981"),
    ("Giai đoạn 1981-97 có nhiều thay đổi.", "1981-97", None, "1981–1997"),
    ("Ngày 2 tháng 9 năm 1945 là ngày lễ.", "2 tháng 9 năm 1945", "1945-09-02", "2 September 1945"),
    ("Nó bay lần đầu năm 1970.", "1970", "1970", "1970"),
    ("Máy bay rơi hôm 12/3 gần Seoul.", "12/3", None, "12 March"),
    ("Máy bay cất cánh lúc 8 giờ 30 sáng.", "8 giờ 30", None, "8:30"),
]


@pytest.mark.parametrize("text, surface, iso, english", DATES)
def test_dates(annotate, text, surface, iso, english):
    found = {m.text: m for m in annotate(text).vi.entities if m.label == "DATE"}
    assert surface in found
    assert found[surface].value == {"iso": iso, "en": english}


def test_same_year_dates_take_the_previous_year(annotate):
    doc = annotate("Ngày 4/6/1980 bay thử, và ngày 15/7 cùng năm nhận máy bay vào tháng 12 cùng năm.")
    values = {m.text: m.value["en"] for m in doc.vi.entities if m.label == "DATE"}
    assert values == {"4/6/1980": "4 June 1980", "15/7 cùng năm": "15 July 1980",
                      "tháng 12 cùng năm": "December 1980"}


def test_mentions_are_flat_sorted_and_match_the_text(seed_doc):
    doc = EntityRecognizer()(seed_doc)
    assert doc.check_offsets() == []
    spans = [(m.start, m.end) for m in doc.vi.entities]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert [m.id for m in doc.vi.entities] == [f"vi-m{i}" for i in range(len(spans))]
    by_id = {e.id: e for e in doc.entities}
    for m in doc.vi.entities:
        assert m.id in by_id[m.entity].mentions_vi and by_id[m.entity].label == m.label
    assert [e.id for e in doc.entities] == [f"E{i}" for i in range(len(doc.entities))]


def test_stage_protocol():
    from pipeline.core import Pipeline, Stage
    from pipeline.segment import Segmenter

    stage = EntityRecognizer()
    assert isinstance(stage, Stage) and stage.name == "entities"
    assert Pipeline([Segmenter(), stage]).provides >= {"entities", "links"}


def test_crf_known_errors_are_corrected(segmenter, recognizer):
    """underthesea's CRF alone tags Mig-25 and Lầu Năm Góc as people and pulls common nouns into spans;
    the stage's rules outrank it and its spans are cut to names."""
    from pipeline.entities.crf import tag_sentence

    text = "Các quan chức Lầu Năm Góc xem xét tiêm kích Mig-25 của phi đội tiêm kích Mig-25."
    doc = segmenter(document_from_text(text, doc_id="t"))
    words = [doc.vi.text[t.start:t.end] for t in doc.vi.tokens]
    crf = dict(zip(words, tag_sentence(words, [t.pos for t in doc.vi.tokens])))
    assert crf["Mig-25"].endswith("PER") or crf["Năm Góc"].endswith("PER")  # the model's own errors
    assert mentions(recognizer(doc)) == [("ORG", "Lầu Năm Góc"), ("AIRCRAFT", "Mig-25"),
                                         ("UNIT", "phi đội tiêm kích Mig-25")]
