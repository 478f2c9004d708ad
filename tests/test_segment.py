import pytest

from pipeline.errors import AlignmentFailed
from pipeline.evaluate import conllu_sentences
from pipeline.ingest import document_from_text
from pipeline.segment import align_strings


def assert_offsets_hold(doc):
    text = doc.vi.text
    assert doc.check_offsets() == []
    for s in doc.vi.sentences:
        assert text[s.start:s.end].strip() == text[s.start:s.end] != ""
    prev_end = 0
    for t in doc.vi.tokens:
        sent = doc.vi.sentences[t.sentence]
        assert sent.start <= t.start < t.end <= sent.end
        assert t.start >= prev_end
        prev_end = t.end
        assert text[t.start:t.end].strip() == text[t.start:t.end]


def test_align_strings_tolerates_tone_placement_and_spacing():
    text = "Hoà bình  và hoá học"
    # underthesea rewrites old-style tone placement: hoà -> hòa, hoá -> hóa
    spans = align_strings(text, ["Hòa bình", "và", "hóa học"])
    assert [text[a:b] for a, b in spans] == ["Hoà bình", "và", "hoá học"]


def test_align_strings_joins_pieces_split_inside_the_text():
    text = "== Lịch sử =="
    spans = align_strings(text, ["= =", "Lịch sử", "= ="])
    assert [text[a:b] for a, b in spans] == ["==", "Lịch sử", "=="]


def test_align_strings_gives_a_split_off_combining_mark_to_the_word_before():
    """underthesea splits a letter with no precomposed form (IPA ``ɐ̃``) from its mark; the
    translation stage aligned the mark alone and failed the whole article (issue 15, defect 1)."""
    text = "Tên nước là Angola [ɐ̃ˈɡɔlɐ]."
    from underthesea import word_tokenize

    words = word_tokenize(text)
    assert "\u0303" in words  # the split this test is about still happens
    spans = align_strings(text, words)
    assert [text[a:b] for a, b in spans] == ["Tên", "nước", "là", "Angola", "[ɐ̃", "ˈɡɔlɐ]", "."]
    marked = "\u0303a b"  # a mark with no letter before it: it belongs to no word
    assert [marked[a:b] for a, b in align_strings(marked, ["\u0303", "a", "b"])] == ["a", "b"]


def test_align_strings_follows_a_letter_underthesea_drops():
    """underthesea writes the misspelt ``nghào`` as ``ngào``: a letter fewer, which one-for-one
    matching cannot follow (1 of the 999 viwiki articles failed with E302, even without translation)."""
    text = "kẻ giàu với người nghào, giữa cái thiện"
    spans = align_strings(text, ["kẻ", "giàu", "với", "người", "ngào", ",", "giữa", "cái", "thiện"])
    assert [text[a:b] for a, b in spans] == ["kẻ", "giàu", "với", "người", "nghào", ",", "giữa", "cái", "thiện"]


def test_a_full_stop_glued_to_a_word_does_not_end_a_sentence(segmenter):
    """Issue 16, item 8: ``.edu`` at the start of an article became a sentence ``.``."""
    doc = segmenter(document_from_text(".edu là một tên miền. Ra đời năm 1985, .edu là tên miền cũ.", doc_id="t"))
    text = doc.vi.text
    assert [text[s.start:s.end] for s in doc.vi.sentences] == [".edu là một tên miền.",
                                                                "Ra đời năm 1985, .edu là tên miền cũ."]


def test_align_strings_fails_loudly_with_the_word():
    with pytest.raises(AlignmentFailed, match="'máy bay'"):
        align_strings("chiếc tiêm kích", ["chiếc", "máy bay"])


def test_seed_sentences_tokens_and_offsets(seed_doc):
    assert_offsets_hold(seed_doc)
    text = seed_doc.vi.text
    sentences = [text[s.start:s.end] for s in seed_doc.vi.sentences]
    assert sentences[0] == "Cuộc đào tẩu chấn động của phi công Mig-25 Liên Xô"
    assert sentences[-1] == "Duy Sơn"
    assert not any("XôCuộc" in s or ".Khi" in s for s in sentences)
    words = {text[t.start:t.end] for t in seed_doc.vi.tokens}
    assert {"Nhật Bản", "6/9/1976", "Liên Xô"} <= words
    assert all(t.pos for t in seed_doc.vi.tokens)


def test_nfd_input_segments_on_composed_text(segmenter):
    import unicodedata

    doc = segmenter(document_from_text(unicodedata.normalize("NFD", "Phi công bay đến Nhật Bản."), doc_id="t"))
    assert_offsets_hold(doc)
    assert doc.vi.text == "Phi công bay đến Nhật Bản."


@pytest.mark.shared_data
def test_offsets_hold_on_every_ud_vtb_dev_sentence(segmenter, shared_data):
    sentences = list(conllu_sentences(shared_data / "ud-vtb" / "vi_vtb-ud-dev.conllu"))
    assert len(sentences) > 1000
    for i, words in enumerate(sentences):
        doc = segmenter(document_from_text(" ".join(words), doc_id=f"dev{i}"))
        assert_offsets_hold(doc)
        omap = doc.source.offset_map
        original = doc.source.original_text
        for t in doc.vi.tokens:  # and they map back onto the input text
            a, b = omap.original_span(t.start, t.end)
            assert original[a:b].replace(" ", "") != ""


def test_pos_tagger_gives_underthesea_pos_tag_word_for_word(seed_doc):
    """PosTagger makes its features in Rust; the tags must be exactly underthesea's ``pos_tag``'s,
    punctuation (where the Rust ``istitle`` differs) and title-case words included."""
    from underthesea import pos_tag, word_tokenize

    from pipeline.segment import PosTagger

    tagger = PosTagger()
    text = seed_doc.vi.text
    sentences = [text[s.start:s.end] for s in seed_doc.vi.sentences]
    sentences += ["(Ảnh: AP).", "“Belenko” - phi công, 29 tuổi.", "MIG-25 HẠ CÁNH Ở HAKODATE"]
    for sentence in sentences:
        assert tagger(word_tokenize(sentence)) == pos_tag(sentence), sentence
    assert tagger([]) == []


def test_pos_tagger_features_fix_istitle_of_punctuation():
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    from pipeline.segment import PosTagger

    words = ["(", "Hà Nội", ")", "đẹp", "."]
    expected = CRFPOSTagPredictor.Instance().transformer.transform([[(w, "X") for w in words]])[0][0]
    assert PosTagger().features(words) == expected
