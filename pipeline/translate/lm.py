"""An n-gram language model read from an ARPA file (gzip or plain), queried in pure Python.

The phrase-based engine scores every English word it considers, thousands per sentence, so the
query is one dictionary lookup per order tried (the standard backoff recursion of the ARPA
format: p(w | h) = p*(w | h) if the n-gram is listed, else bow(h) * p(w | h minus its first
word)). Values are log10, as in the file.
"""
from __future__ import annotations

import gzip
from pathlib import Path

from ..errors import ModelInvalid

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
MEMO = 2_000_000


class ArpaLM:
    """``score(state, word) -> (log10 p, new state)``; a state is the tuple of preceding words."""

    def __init__(self, path: Path) -> None:
        self.prob: dict[str, float] = {}
        self.backoff: dict[str, float] = {}
        self.order = 0
        self._memo: dict[tuple, tuple[float, tuple[str, ...]]] = {}
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if not line or line[0] in "\\\n" or line.startswith("ngram "):
                        if line.startswith("\\") and line[1:2].isdigit():
                            self.order = max(self.order, int(line[1:line.index("-")]))
                        continue
                    fields = line.rstrip("\n").split("\t")
                    self.prob[fields[1]] = float(fields[0])
                    if len(fields) > 2:
                        self.backoff[fields[1]] = float(fields[2])
        except (OSError, EOFError, UnicodeDecodeError, ValueError, IndexError) as exc:
            raise ModelInvalid(path=path, reason=f"not an ARPA language model: {exc}") from None
        if self.order == 0 or UNK not in self.prob:
            raise ModelInvalid(path=path, reason="not an ARPA language model with <unk>")
        self.unk = self.prob[UNK]

    def start(self) -> tuple[str, ...]:
        return (BOS,)

    def score(self, state: tuple[str, ...], word: str) -> tuple[float, tuple[str, ...]]:
        """log10 p(word | state) and the state after it: the longest suffix of the last
        ``order - 1`` words that some listed n-gram extends (a shorter state scores every next
        word the same, so more hypotheses recombine). Results are memoised (the memo is
        emptied when it passes ``MEMO`` entries)."""
        key = (state, word)
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) > MEMO:
                self._memo.clear()
            hit = self._memo[key] = self._score(state, word)
        return hit

    def _score(self, state: tuple[str, ...], word: str) -> tuple[float, tuple[str, ...]]:
        prob, backoff = self.prob, self.backoff
        total = 0.0
        history = state
        while True:
            key = " ".join((*history, word))
            p = prob.get(key)
            if p is not None:
                total += p
                break
            if not history:
                total += self.unk
                break
            total += backoff.get(" ".join(history), 0.0)
            history = history[1:]
        new = (*state, word)[-(self.order - 1):] if self.order > 1 else ()
        while new and " ".join(new) not in backoff:
            new = new[1:]
        return total, new
