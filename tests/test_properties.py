"""Properties over arbitrary text: ingest + segment + entities never raise for text that is not
empty, and every offset reproduces its surface and leads back into the original."""
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pipeline.encodings import detect
from pipeline.errors import EmptyDocument
from pipeline.ingest import document_from_text, normalise

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
PIECES = st.sampled_from([
    " ", " ", "\n", "\r\n", "\r", "\t", "\u00a0", ".", ",", "!", "?", ":", ";", "-", "/", "\"", "“", "”", "(", ")",
    "…", "'", "0", "1", "9", "25", "Mig-25", "6/9/1976", "Liên Xô", "Việt Nam", "Hà Nội", "Belenko", "F-15J",
    "\u0301", "\u0300", "\u0323", "\u0309", "\u0303", "\ufeff", "\u200b", "x" * 60,
])
VIETNAMISH = st.lists(st.one_of(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper(), min_size=1, max_size=8), PIECES),
                      min_size=1, max_size=60).map("".join)
ANY_TEXT = st.text(max_size=200)
TEXTS = st.one_of(VIETNAMISH, ANY_TEXT, st.builds(lambda t: unicodedata.normalize("NFD", t), VIETNAMISH))

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ingest(original):
    try:
        return document_from_text(original, doc_id="p")
    except EmptyDocument:
        assume(False)


def offsets_lead_back(doc, original):
    text, omap = doc.vi.text, doc.source.offset_map
    edited = [False] * (len(text) + 1)
    for e in doc.source.edits:
        assert 0 <= e.norm_start <= e.norm_end <= len(text)
        assert 0 <= e.orig_start <= e.orig_end <= len(original)
        for i in range(e.norm_start, e.norm_end):
            edited[i] = True
    for i, ch in enumerate(text):
        o = omap.to_original(i)
        assert 0 <= o <= len(original)
        if not edited[i]:
            assert original[o] == ch
    for start, end in [(s.start, s.end) for s in doc.vi.sentences] + [(t.start, t.end) for t in doc.vi.tokens]:
        a, b = omap.original_span(start, end)
        assert 0 <= a <= b <= len(original)


@EXAMPLES
@given(original=TEXTS)
def test_normalisation_maps_back(original):
    doc = ingest(original)
    assert doc.vi.text == normalise(original).text
    offsets_lead_back(doc, original)


@EXAMPLES
@given(original=TEXTS)
# found by this test: marks with no precomposed letter, which underthesea splits off or moves
@example(original="B\u0301A")
@example(original=".\u0301")
@example(original="B\u0301\u0301A")
@example(original="AA \u0301AA")
@example(original="\u0301abc x")
def test_segment_and_entities_never_raise_and_offsets_hold(original, segmenter, recognizer):
    doc = recognizer(segmenter(ingest(original)))
    assert doc.check_offsets() == []
    n = len(doc.vi.text)
    for s in doc.vi.sentences:
        assert 0 <= s.start < s.end <= n
    sentence_of = {s.id: s for s in doc.vi.sentences}
    for t in doc.vi.tokens:
        s = sentence_of[t.sentence]
        assert s.start <= t.start < t.end <= s.end
    for m in doc.vi.entities:
        assert doc.vi.text[m.start:m.end] == m.text
    offsets_lead_back(doc, original)


@EXAMPLES
@given(st.binary(max_size=300))
def test_detection_decodes_or_refuses(data):
    """Any bytes: a text and an encoding, or one of the two documented errors, nothing else."""
    from pipeline.errors import NotText, UndecodableText

    try:
        text, encoding = detect(data)
    except (NotText, UndecodableText):
        return
    assert isinstance(text, str) and encoding


@pytest.fixture(scope="session")
def recognizer():
    from pipeline.entities import EntityRecognizer

    return EntityRecognizer()


# ---- legacy encodings: real Vietnamese words, encoded by independent encoders, come back ----------
def _seed_words():
    import re

    from .conftest import SEED

    words = {w.lower() for w in re.findall(r"[^\W\d_]+", SEED.read_text("utf-8")) if not w.isascii()}
    return sorted(words)


WORDS = _seed_words()
SENTENCES = st.lists(st.sampled_from(WORDS), min_size=8, max_size=30).map(" ".join)


def _tcvn_encoder():
    """Each seed word in TCVN 5712 by glibc's iconv (lower case: VN3 has no upper-case toned letters)."""
    import shutil
    import subprocess

    if shutil.which("iconv") is None:
        return None
    out = subprocess.run(["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input="\n".join(WORDS).encode(),
                         capture_output=True, check=True).stdout
    return dict(zip(WORDS, out.split(b"\n")))


TCVN = _tcvn_encoder()


@EXAMPLES
@given(sentence=SENTENCES)
def test_windows_1258_text_is_detected(sentence):
    from .test_encodings import to_cp1258

    text, encoding = detect(to_cp1258(sentence))
    assert encoding == "cp1258"
    assert unicodedata.normalize("NFC", text) == sentence


@pytest.mark.skipif(TCVN is None, reason="iconv not installed")
@EXAMPLES
@given(sentence=SENTENCES)
def test_tcvn3_text_is_detected(sentence):
    text, encoding = detect(b" ".join(TCVN[w] for w in sentence.split(" ")))
    assert encoding == "tcvn3"
    assert text == sentence
