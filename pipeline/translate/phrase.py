"""The phrase-based engine of ``embedded-phrase`` packages: phrase table + English LM, beam search.

Input is the segmenter's words (underthesea ``word_tokenize``, as the training data was
segmented); a word the table does not know is split into its syllables (underthesea sometimes
glues a word to a name: *phi công Mig-25*). Every run of up to ``MAX_WORDS`` words whose
syllables (lower case) are a source phrase of the table offers that phrase's translations. A monotone beam search (stacks by the
number of source words covered, hypotheses recombined on the language-model state) picks the
sequence that maximises a log-linear score: the package's tuned weights times

    log p(e|f), log p(f|e), log lex(e|f), log lex(f|e)   the phrase pair's scores
    phrase penalty, English word count                    one and len(e) per phrase
    dictionary, lexicon                                   one for pairs from FVDP / the domain
                                                          lexicon and the entity stage's names
    unknown                                               one per word the table does not know
    lm                                                    log10 p(English) under the trigram LM

plus, when ``swap`` is on, a reordering step: two adjacent phrases of at most ``SWAP_WORDS`` words
may be output in the opposite order (Vietnamese noun phrases are head-initial: *máy bay hiện đại*
-> "modern aircraft"), at the cost of the ``swap`` weight; the LM decides whether it reads better.

Dates that the entity stage reads (``pipeline.entities.dates``) are offered as phrases with their
English rendering and no other score than the phrase penalty (a certain translation). Words the
table does not know are copied when they look like names, numbers or foreign words
(capitalised after the first word, digits, Latin letters only), else glossed syllable by
syllable from the table's one-syllable entries. The alignment is exact: each English word
attends to the Vietnamese words its phrase pair links it to (its internal word links), or to
the whole source phrase when it has none.
"""
from __future__ import annotations

import gzip
import heapq
import json
import math
import re
from pathlib import Path
from typing import Any

from ..errors import ModelInvalid
from ..models import InstalledModel
from ..segment import align_strings
from .base import WORD, Translator, _Unit
from .lm import EOS, ArpaLM

KINDS = ("embedded-phrase", "fixture-phrase")  # package kinds this engine runs (the fixture: tests only)
MAX_WORDS = 5
SWAP_WORDS = 3
FEATURES = ("pef", "pfe", "lexef", "lexfe", "phrase", "words", "dictionary", "lexicon", "unknown", "lm", "swap")
TABLE_FEATURES = 9  # the first nine are the phrase pair's; lm and swap are scored during the search
_ATTACH_LEFT = re.compile(r"^(?:[,.;:!?%)\]}”’…]+|'s|'re|'ll|'ve|'d|'m|n't)$")
_COPY = re.compile(r"^[\w.,:/%+-]*\d[\w.,:/%+-]*$|^[A-Za-z][A-Za-z.'-]*$")


def read_phrase_table(path: Path) -> dict[str, list[tuple[tuple[str, ...], tuple[float, ...], tuple]]]:
    """``vi syllables -> [(English tokens, feature values, links)]`` from the package's TSV (gzip).

    Columns: vi, en, count, p(e|f), p(f|e), lex(e|f), lex(f|e), links (``i-j``: syllable i of the
    source, token j of the English), origin (``corpus``, ``dictionary``, ``lexicon`` or ``names``).
    """
    table: dict[str, list] = {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                vi, en, _, pef, pfe, lexef, lexfe, links, origin = line.rstrip("\n").split("\t")
                feats = (math.log(float(pef)), math.log(float(pfe)), math.log(float(lexef)),
                         math.log(float(lexfe)), 1.0, float(len(en.split())), float(origin == "dictionary"),
                         float(origin in ("lexicon", "names")), 0.0)
                pairs = tuple(tuple(map(int, link.split("-"))) for link in links.split())
                table.setdefault(vi, []).append((tuple(en.split()), feats, pairs))
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise ModelInvalid(path=path, reason=f"not a phrase table: {exc}") from None
    if not table:
        raise ModelInvalid(path=path, reason="the phrase table holds no entries")
    return table


def load_package(path: Path) -> tuple[dict, ArpaLM, dict[str, float]]:
    """Phrase table, language model and weights of the package unpacked at ``path``; raises
    ``ModelInvalid`` when one is missing or unreadable (``vien models install`` calls it once)."""
    try:
        meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))["vien"]
        weights = {name: float(meta["weights"][name]) for name in FEATURES}
        phrases, lm = path / meta["phrases"], path / meta["lm"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelInvalid(path=path, reason=f"metadata.json lacks the phrase engine's files or weights: {exc!r}") from None
    return read_phrase_table(phrases), ArpaLM(lm), weights


def dates(words: list[str]) -> dict[tuple[int, int], tuple[str, ...]]:
    """``(i, j) -> English`` for the dates the entity stage reads in words i..j-1 (``6/9/1976`` ->
    "6 September 1976"); a date after *ngày* also gets the option "on 6 September 1976"."""
    from ..entities.dates import find_dates

    starts, ends, pos = {}, {}, 0
    for k, word in enumerate(words):
        starts[pos], ends[pos + len(word)] = k, k + 1
        pos += len(word) + 1
    out = {}
    for cand in find_dates(" ".join(words)):
        i, j = starts.get(cand.start), ends.get(cand.end)
        if i is None or j is None or not (cand.value or {}).get("en"):
            continue
        english = tuple(cand.value["en"].split())
        out[i, j] = english
        if i and words[i - 1].lower() == "ngày":
            out[i - 1, j] = ("on", *english)
    return out


class PhraseTranslator(Translator):
    """Stage ``translate`` for an ``embedded-phrase`` package (see the module docstring)."""

    def __init__(self, model: InstalledModel, *, stack: int = 5, options: int = 6, swap_options: int = 1,
                 swap: bool = True, weights: dict[str, float] | None = None, **settings: Any) -> None:
        """``stack``: hypotheses expanded per stack; ``options``: translations tried per source
        phrase (``swap_options`` of them in a swap); ``weights`` override the package's tuned
        ones. The runner's ``beam_size`` (a neural setting) is ignored."""
        super().__init__(model, **settings)
        self.settings = {"engine": "phrase", "stack": stack, "options": options, "swap_options": swap_options,
                         "swap": swap, **self.settings}
        self._override = weights
        self._table: dict | None = None

    def _load(self) -> None:
        if self._table is not None:
            return
        from underthesea import word_tokenize  # the segmenter the phrase table was built with

        self._word_tokenize = word_tokenize
        self._table, self.lm, weights = load_package(self.model.path)
        self.weights = {**weights, **(self._override or {})}
        self.settings["weights"] = self.weights

    def _encode(self, text: str, offset: int) -> tuple[list[str], list[tuple[int, int]]]:
        """Vietnamese words of ``text`` as underthesea writes them (its spelling normalisation
        included, as in the training data) and their characters (offset by ``offset``)."""
        words = [w for w in self._word_tokenize(text) if w.strip()]
        spans = align_strings(text, words)
        if len(spans) != len(words):  # a piece of combining marks only joined the word before it
            words = [text[a:b] for a, b in spans]
        units: list[str] = []
        unit_spans: list[tuple[int, int]] = []
        for word, (a, b) in zip(words, spans):
            parts = [(a + m.start(), a + m.end()) for m in WORD.finditer(text[a:b])]
            if word.lower() in self._table or len(parts) < 2 or len(parts) != len(word.split()):
                units.append(word)
                unit_spans.append((offset + a, offset + b))
            else:  # a compound the table does not know ("phi công Mig-25"): its syllables
                units += word.split()
                unit_spans += [(offset + x, offset + y) for x, y in parts]
        return units, unit_spans

    # ---- phrase options ---------------------------------------------------------------------
    def _options(self, words: list[str]) -> dict[tuple[int, int], list[tuple[float, tuple, tuple]]]:
        """``(i, j) -> [(weighted phrase score, English tokens, links to words i..j-1)]``."""
        w = self.weights
        vector = [w[f] for f in FEATURES[:TABLE_FEATURES]]
        syllables = [word.lower().split() for word in words]
        out: dict[tuple[int, int], list] = {}
        for i in range(len(words)):
            key_parts: list[str] = []
            owner: list[int] = []
            for j in range(i, min(len(words), i + MAX_WORDS)):
                key_parts += syllables[j]
                owner += [j - i] * len(syllables[j])
                entries = self._table.get(" ".join(key_parts))
                if not entries:
                    continue
                scored = [(sum(a * b for a, b in zip(vector, feats)), en,
                           tuple(sorted({(owner[s], t) for s, t in links if s < len(owner)})))
                          for en, feats, links in entries]
                out[i, j + 1] = heapq.nlargest(self.settings["options"], scored, key=lambda x: x[0])
            if (i, i + 1) not in out:
                out[i, i + 1] = [self._unknown(words[i], first=i == 0)]
        for (i, j), english in dates(words).items():
            out.setdefault((i, j), []).insert(0, (w["phrase"], english, ()))
        return out

    def _unknown(self, word: str, first: bool) -> tuple[float, tuple, tuple]:
        """Copy a name, number or foreign word; gloss other words syllable by syllable."""
        w = self.weights
        syllables = word.split()
        if _COPY.match(word.replace(" ", "")) or (not first and word[:1].isupper()):
            english = tuple(syllables)
        else:
            english = tuple(t for s in syllables for t in self._best_single(s))
        return (w["unknown"] + w["phrase"] + w["words"] * len(english), english, ())

    def _best_single(self, syllable: str) -> tuple[str, ...]:
        entries = self._table.get(syllable.lower())
        if not entries:
            return (syllable,)
        return max(entries, key=lambda e: e[1][0] + e[1][2])[0]

    # ---- search -----------------------------------------------------------------------------
    def decode(self, words: list[str]) -> list[tuple[tuple[str, ...], int, int, tuple]]:
        """The best phrase sequence for ``words``: ``[(English tokens, i, j, links)]`` in output order."""
        self._load()
        n = len(words)
        if not n:
            return []
        options = self._options(words)
        starts: dict[int, list] = {}
        for (i, j), opts in options.items():
            starts.setdefault(i, []).append((j, opts))
        w_lm, w_swap, beam = self.weights["lm"], self.weights["swap"], self.settings["stack"]
        n_swap = self.settings["swap_options"]
        lm_cache: dict[tuple, tuple[float, tuple]] = {}

        def lm_score(state: tuple, english: tuple) -> tuple[float, tuple]:
            key = (state, english)
            hit = lm_cache.get(key)
            if hit is None:
                total = 0.0
                for token in english:
                    p, state = self.lm.score(state, token)
                    total += p
                hit = lm_cache[key] = (total * w_lm, state)
            return hit

        stacks: list[dict[tuple, tuple]] = [dict() for _ in range(n + 1)]
        stacks[0][self.lm.start()] = (0.0, None, None)
        for i in range(n):
            if not stacks[i]:
                continue
            best = heapq.nlargest(beam, stacks[i].items(), key=lambda kv: kv[1][0])
            for state, (score, *_rest) in best:
                back = (i, state)
                for j, opts in starts.get(i, ()):
                    for tm, english, links in opts:
                        lm, new = lm_score(state, english)
                        self._push(stacks[j], new, score + tm + lm, back, ((english, i, j, links),))
                    if not self.settings["swap"] or j - i > SWAP_WORDS:
                        continue
                    for k, second in starts.get(j, ()):
                        if k - j > SWAP_WORDS:
                            continue
                        for tm2, english2, links2 in second[:n_swap]:
                            lm2, mid = lm_score(state, english2)
                            for tm, english, links in opts[:n_swap]:
                                lm, new = lm_score(mid, english)
                                self._push(stacks[k], new, score + tm + tm2 + lm + lm2 + w_swap, back,
                                           ((english2, j, k, links2), (english, i, j, links)))
        final = max(stacks[n].items(), key=lambda kv: kv[1][0] + w_lm * self.lm.score(kv[0], EOS)[0])
        path: list = []
        state, entry = final
        while entry[1] is not None:
            path[:0] = entry[2]
            i, state = entry[1]
            entry = stacks[i][state]
        return path

    @staticmethod
    def _push(stack: dict, state: tuple, score: float, back: tuple, phrases: tuple) -> None:
        old = stack.get(state)
        if old is None or score > old[0]:
            stack[state] = (score, back, phrases)

    def _run(self, units: list[_Unit]) -> None:
        for unit in units:
            hyp: list[str] = []
            attention: list[list[float]] = []
            for english, i, j, links in self.decode(unit.pieces):
                for t, token in enumerate(english):
                    linked = [a for a, b in links if b == t] or list(range(j - i))
                    row = [0.0] * len(unit.pieces)
                    for a in linked:
                        row[i + a] = 1.0 / len(linked)
                    hyp.append(token if hyp and _ATTACH_LEFT.match(token) else "\u2581" + token)
                    attention.append(row)
            if hyp:
                hyp[0] = "\u2581" + hyp[0].lstrip("\u2581")[:1].upper() + hyp[0].lstrip("\u2581")[1:]
            unit.result = (hyp, attention)
