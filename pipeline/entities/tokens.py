"""Entity spans and the word tokens of the segmentation: every mention starts and ends on a token boundary.

The gazetteers match syllables, so a name can be found inside a longer word of the segmentation (the
country ``Thái`` in ``Thái Nguyên`` or ``Lý Thái Tổ``, ``Đức`` in ``Hồng Đức``, ``3G`` in ``iPhone 3G S``).
Where a candidate's edge falls inside a token, the rule is:

- **strong evidence, the token is split**: the edge lies at punctuation (``Hoa Kỳ|-México``), or at a space
  where the kind of syllable changes, capitalised to lower case or to a number and back
  (``Warwick| đóng``, ``hoàng đế |Đức``, ``Hiến pháp |1946``), and the token is not a dictionary word
  (underthesea glues a name to the next word: ``Hoàng Hà| xếp`` makes no word across the edge,
  ``Thái| tử`` and ``Ủy| ban`` do);
- **otherwise the candidate is not taken**: an edge between two capitalised syllables of one token
  (``Thái| Nguyên``, ``Minh |Đức``), between two lower-case ones, or inside a run of letters and digits
  (``3|G``) says the segmenter read one name or one word there, and one syllable of a name is no evidence
  against it.

``token_agreement`` applies the rule to candidates before precedence; ``split_tokens`` then makes the
token layer agree with the mentions that were kept, so spaCy's ``char_span`` finds every mention.
"""
from __future__ import annotations

import bisect

from ..document import Document, Token
from .candidates import Candidate
from .gazetteer import vietnamese_words


def _kind(ch: str) -> str:
    if ch.isdigit():
        return "digit"
    if ch.isalpha():
        return "upper" if ch.isupper() else "lower"
    return "other"


class TokenEdges:
    """Where a mention may start or end in ``doc.vi.text`` given its tokens (see the module's rule)."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = sorted(tokens, key=lambda t: t.start)
        self.starts = [t.start for t in self.tokens]

    def _token_around(self, p: int) -> Token | None:
        n = bisect.bisect_right(self.starts, p - 1) - 1
        if n >= 0 and self.tokens[n].start < p < self.tokens[n].end:
            return self.tokens[n]
        return None

    def edge_ok(self, p: int) -> bool:
        tok = self._token_around(p)
        if tok is None:
            return True
        text = self.text
        if not (text[p - 1].isspace() or text[p].isspace()):
            return not (text[p - 1].isalnum() and text[p].isalnum())  # "3|G" no; "Hoa Kỳ|-México" yes
        left, right = text[tok.start:p].split(), text[p:tok.end].split()
        if not left or not right:
            return True
        before, after = _kind(left[-1][-1]), _kind(right[0][0])
        if "other" in (before, after):
            return True
        if _kind(left[-1][0]) == after:
            return False  # "Thái| Nguyên", "Minh |Đức", "anh |em": one name or one word
        words = vietnamese_words()
        return not any(" ".join(left[-k:] + right[:j]).lower() in words for k in (1, 2) for j in (1, 2))

    def candidate_ok(self, c: Candidate) -> bool:
        return self.edge_ok(c.start) and self.edge_ok(c.end)


def token_agreement(doc: Document, cands: list[Candidate]) -> list[Candidate]:
    """The candidates whose edges the token layer allows or may be split for (a document without
    tokens allows all)."""
    if not doc.vi.tokens:
        return cands
    edges = TokenEdges(doc.vi.text, doc.vi.tokens)
    return [c for c in cands if edges.candidate_ok(c)]


def split_tokens(doc: Document) -> None:
    """Split the tokens of ``doc.vi`` at every mention edge that falls inside one (spaces trimmed,
    POS kept, ids renumbered in order)."""
    cuts = sorted({p for m in doc.vi.entities for p in (m.start, m.end)})
    text, out = doc.vi.text, []
    for tok in doc.vi.tokens:
        inner = cuts[bisect.bisect_right(cuts, tok.start):bisect.bisect_left(cuts, tok.end)]
        if not inner:
            out.append(tok)
            continue
        bounds = [tok.start, *inner, tok.end]
        for a, b in zip(bounds, bounds[1:]):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                out.append(Token(0, tok.sentence, a, b, tok.pos))
    for n, tok in enumerate(out):
        tok.id = n
    doc.vi.tokens = out
