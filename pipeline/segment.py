"""Segment: sentences, words and POS tags from underthesea, aligned to character offsets.

underthesea returns strings, and it normalises before tokenising (NFC, old-style tone placement:
``hoá`` -> ``hóa``), so its words are not always substrings of our text. ``align_strings`` matches
them on base letters (diacritics and case stripped), which tone placement does not change, and
fails loudly with the offending string when it cannot.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .document import Document, Sentence, Token
from .errors import AlignmentFailed

_LINE = re.compile(r"[^\n]+")
# underthesea's tagger is superlinear in sentence length (a 50,000-character line took 85 s), so
# longer "sentences" (a line without punctuation) are cut at whitespace into pieces of at most this.
MAX_SENTENCE_CHARS = 1000
_LETTER_EQUIV = {"đ": "d", "ð": "d", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}


@lru_cache(maxsize=65536)
def base_char(ch: str) -> str:
    """The comparison key of one character: its base letter, lower case."""
    lowered = ch.lower()
    if lowered in _LETTER_EQUIV:
        return _LETTER_EQUIV[lowered]
    return unicodedata.normalize("NFD", lowered)[:1] or lowered


def _match(text: str, pos: int, end: int, piece: str, budget: int) -> int | None:
    """End of ``piece`` matched at ``text[pos:]`` with at most ``budget`` differing letters, or None."""
    i = 0
    while i < len(piece):
        ch = piece[i]
        if ch.isspace():  # any run of whitespace, or none: underthesea writes "==" as the word "= ="
            while pos < end and text[pos].isspace():
                pos += 1
            while i < len(piece) and piece[i].isspace():
                i += 1
            continue
        if unicodedata.combining(ch) and (pos >= end or not unicodedata.combining(text[pos])):
            i += 1  # a mark underthesea split off its letter ("B\u0301A" -> "B", "\u0301 A"): taken with the letter
            continue
        if pos >= end or text[pos].isspace():
            return None
        if base_char(text[pos]) != base_char(ch):
            if budget == 0 or not (text[pos].isalpha() and ch.isalpha()):
                return None
            budget -= 1
        pos += 1
        i += 1
        # combining marks in the text (a decomposed letter) belong to the letter before
        while pos < end and unicodedata.combining(text[pos]) and (
                i >= len(piece) or not unicodedata.combining(piece[i])):
            pos += 1
    return pos


def _edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Letters inserted, deleted or changed to turn ``a`` into ``b`` (Levenshtein)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def _match_edited(text: str, pos: int, end: int, piece: str, budget: int) -> int | None:
    """End of the span at ``text[pos:]`` closest to ``piece`` within ``budget`` letters inserted,
    deleted or changed (underthesea's spelling normalisation drops letters: ``nghào`` -> ``ngào``),
    or None."""
    def letters(s: str) -> list[str]:
        return [base_char(c) for c in s if not c.isspace() and not unicodedata.combining(c)]

    want = letters(piece)
    best: tuple[int, int] | None = None
    for stop in range(pos + 1, min(end, pos + len(piece) + budget) + 1):
        if text[stop - 1].isspace() or (stop < end and unicodedata.combining(text[stop])):
            continue
        distance = _edit_distance(letters(text[pos:stop]), want)
        if distance <= budget and (best is None or distance < best[0]):
            best = (distance, stop)
    return best[1] if best else None


def align_strings(text: str, pieces: Iterable[str], start: int = 0, end: int | None = None,
                  *, what: str = "word") -> list[tuple[int, int]]:
    """Character spans of ``pieces`` found in order in ``text[start:end]``.

    Whitespace between pieces is skipped; a space inside a piece matches any run of whitespace in
    the text, or none. Characters are compared by ``base_char``; when that fails, a piece may differ from
    the text in one letter in four, changed (underthesea's spelling normalisation: ``qui`` -> ``quy``),
    then also inserted or deleted (``nghào`` -> ``ngào``).
    A piece of combining marks only (underthesea splits ``ɐ̃``, a letter with no precomposed form, into
    two words) belongs to the piece before it, so it gets no span of its own: one span per piece that
    is not blank and not marks only. Raises ``AlignmentFailed``.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for piece, _ in _join_marks([(p.strip(), None) for p in pieces if p.strip()]):
        while pos < end and (text[pos].isspace() or unicodedata.combining(text[pos])):
            pos += 1  # a mark after a space has no letter: it belongs to no word
        stop = pos + len(piece)
        if not (stop <= end and text.startswith(piece, pos)
                and (stop == end or not unicodedata.combining(text[stop]))):  # the common case: verbatim
            stop = _match(text, pos, end, piece, 0)
        if stop is None:
            stop = _match(text, pos, end, piece, max(1, len(piece) // 4))
        if stop is None:
            stop = _match_edited(text, pos, end, piece, max(1, len(piece) // 4))
        if stop is None or stop == pos:
            raise AlignmentFailed(what=what, surface=piece, offset=pos)
        spans.append((pos, stop))
        pos = stop
    return spans


def _join_marks(tagged: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """A word (or sentence) of combining marks only belongs to the one before it (or after it,
    at the start): underthesea splits ``B\u0301``, a letter with no precomposed form."""
    out: list[tuple[str, str | None]] = []
    marks = ""  # marks that came before any word
    for word, tag in tagged:
        if all(unicodedata.combining(c) or c.isspace() for c in word):
            if out:
                out[-1] = (out[-1][0] + "".join(c for c in word if not c.isspace()), out[-1][1])
            else:
                marks += "".join(c for c in word if not c.isspace())
        else:
            out.append((marks + word, tag))
            marks = ""
    return out


def _join_glued(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences joined where underthesea cut at a full stop glued to a lower-case word: ``.edu``
    at the start of an article was a sentence ``.`` of its own."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and out[-1][1] == start and text[start].islower():
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def split_long(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` cut into spans of at most ``limit`` characters, at the last whitespace
    before the limit (or at the limit when there is none, never before a combining mark)."""
    spans: list[tuple[int, int]] = []
    while end - start > limit:
        cut = max(text.rfind(" ", start + 1, start + limit + 1), text.rfind("\t", start + 1, start + limit + 1))
        if cut <= start:
            cut = start + limit
            while cut < end and unicodedata.combining(text[cut]):
                cut += 1
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > start:
            spans.append((start, piece_end))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))
    return spans


class PosTagger:
    """underthesea's ``pos_tag``, the same CRF model and tags, with its features made in Rust.

    ``pos_tag`` builds each word's 22 template features in Python (``tagged_feature.word2features``),
    which took three quarters of the segment stage. underthesea_core's ``CRFFeaturizer`` reads the
    same template language and gives the same feature strings but one: ``istitle`` is True there for
    a word that starts with no letter (``.``, ``(``), False in Python. Those features are recomputed
    with underthesea's own ``text_istitle``, so the tagger sees exactly what ``pos_tag`` gives it
    (``tests/test_segment.py`` compares the tags word for word). It reads underthesea 9's model
    module (``pipeline.pos_tag.model_crf``); pyproject.toml pins underthesea below 10, and that
    test is what tells whether a new release still agrees.
    """

    def __init__(self) -> None:
        from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor
        from underthesea.pipeline.pos_tag.tagged_feature import lower_words, text_istitle
        from underthesea_core import CRFFeaturizer

        predictor = CRFPOSTagPredictor.Instance()
        self._tagger = predictor.model
        template = predictor.transformer.template
        self._featurizer = CRFFeaturizer(template, lower_words)
        self._istitle = text_istitle
        # (feature index, offset, name) of each "T[k].istitle" template
        self._title_features = [(j, int(m.group(1)), t) for j, t in enumerate(template)
                                if (m := re.fullmatch(r"T\[(-?\d+)\]\.istitle", t))]

    def features(self, words: Sequence[str]) -> list[list[str]]:
        """The CRF features of each word, as underthesea's ``pos_tag`` makes them."""
        rows = self._featurizer.process([[[w, "X"] for w in words]])[0]
        titles = [str(self._istitle(w)) for w in words]
        n = len(words)
        for i, row in enumerate(rows):
            for j, offset, name in self._title_features:
                if 0 <= i + offset < n:
                    row[j] = f"{name}={titles[i + offset]}"
        return rows

    def __call__(self, words: Sequence[str]) -> list[tuple[str, str]]:
        if not words:
            return []
        return list(zip(words, self._tagger.tag(self.features(words))))


class Segmenter:
    """Stage: sentences (underthesea ``sent_tokenize`` per line) and words (``word_tokenize``) with
    POS tags (underthesea's ``pos_tag`` model, through ``PosTagger``).

    Sentences never cross a line break, so a title or byline on its own line is its own sentence.
    """

    name = "segment"
    requires = ("text",)
    provides = ("sentences", "tokens")

    def __init__(self, *, pos: bool = True) -> None:
        from underthesea import sent_tokenize, word_tokenize  # heavy: import lazily

        self._sent_tokenize = sent_tokenize
        self._word_tokenize = word_tokenize
        self._pos_tag = PosTagger() if pos else None
        self.pos = pos
        self.words("Việt Nam")  # underthesea loads its word-segmentation model on first use: now

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for line in _LINE.finditer(text):
            if not line.group().strip():
                continue
            sentences = [sent for sent, _ in _join_marks([(sent, None) for sent in self._sent_tokenize(line.group())])]
            for start, end in _join_glued(text, align_strings(text, sentences, line.start(), line.end(),
                                                              what="sentence")):
                spans += split_long(text, start, end)
        return spans

    def words(self, sentence: str) -> Sequence[tuple[str, str | None]]:
        words = self._word_tokenize(sentence)
        if self._pos_tag is not None:
            return self._pos_tag(words)
        return [(w, None) for w in words]

    def __call__(self, doc: Document) -> Document:
        text = doc.vi.text
        doc.vi.sentences, doc.vi.tokens = [], []
        for sid, (s_start, s_end) in enumerate(self.sentence_spans(text)):
            doc.vi.sentences.append(Sentence(sid, s_start, s_end))
            tagged = _join_marks([(w, t) for w, t in self.words(text[s_start:s_end]) if w.strip()])
            spans = align_strings(text, [w for w, _ in tagged], s_start, s_end)
            for (w_start, w_end), (_, tag) in zip(spans, tagged):
                doc.vi.tokens.append(Token(len(doc.vi.tokens), sid, w_start, w_end, tag))
        return doc
