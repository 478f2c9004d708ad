"""Translation quality: sacreBLEU BLEU and chrF of the pipeline's own translation path.

The source lines go through ``Translator.translate_texts``: the same batching, long-sentence
splitting and number post-editing as ``vien annotate`` (one line is one sentence; there are no
entities to post-edit). Files with ``.tok.`` in their name (the IWSLT sets, Moses-escaped) are
unescaped first; sacreBLEU then tokenises both sides itself.
"""
from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EvaluationInputError

#: ``vien eval translation``'s beam (``vien annotate`` decodes greedily: ``Settings.beam_size``):
#: scores are reported at the beam the published systems use
EVAL_BEAM_SIZE = 4


@dataclass
class TranslationScores:
    sentences: int
    bleu: float
    chrf: float
    seconds: float
    signature: str
    model: dict[str, Any]


def read_lines(path: Path) -> list[str]:
    """One sentence per line; Moses-escaped files (``*.tok.*``) unescaped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(path=path, reason=f"cannot read: {exc}") from None
    if ".tok." in Path(path).name:
        lines = [html.unescape(line) for line in lines]
    return [line.strip() for line in lines]


def evaluate_translation(src: Path, ref: Path, translator, *, limit: int | None = None) -> TranslationScores:
    """Translate ``src`` with ``translator`` and score it against ``ref`` (first ``limit`` lines)."""
    import sacrebleu

    sources, references = read_lines(src), read_lines(ref)
    if len(sources) != len(references):
        raise EvaluationInputError(path=ref, reason=f"{len(references)} lines, but {src} has {len(sources)}")
    if not sources:
        raise EvaluationInputError(path=src, reason="no lines to translate")
    if limit:
        sources, references = sources[:limit], references[:limit]
    t0 = time.perf_counter()
    hypotheses = translator.translate_texts(sources)
    seconds = time.perf_counter() - t0
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    b = bleu.corpus_score(hypotheses, [references])
    c = chrf.corpus_score(hypotheses, [references])
    return TranslationScores(len(sources), b.score, c.score, seconds,
                             f"{bleu.get_signature()} | {chrf.get_signature()}", translator.describe())
