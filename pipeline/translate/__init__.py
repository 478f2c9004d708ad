"""Translation engines behind one interface (``base.Translator``), one module each.

- ``neural``: CTranslate2 + SentencePiece (Argos packages, converted OPUS-MT models);
- ``lexical``: the word-by-word gloss of ``embedded-lexical`` packages;
- ``phrase``: the phrase-based statistical engine of ``embedded-phrase`` packages.

``make_translator`` picks the engine from the package's kind.
"""
from __future__ import annotations

from typing import Any

from ..models import InstalledModel, resolve_model
from .base import SentenceTranslation, Translator
from .lexical import LexicalTranslator
from .neural import NeuralTranslator
from .phrase import KINDS as PHRASE_KINDS, PhraseTranslator

__all__ = ["LexicalTranslator", "NeuralTranslator", "PhraseTranslator", "SentenceTranslation", "Translator",
           "make_translator"]


def make_translator(model: InstalledModel | str | None = None, **settings: Any) -> Translator:
    """The translation stage for ``model`` (a name, an installed model, or None for the preferred
    one): the engine its package kind names, CTranslate2 for every neural kind."""
    model = model if isinstance(model, InstalledModel) else resolve_model(model)
    if model.kind == "embedded-lexical":
        return LexicalTranslator(model, **settings)
    if model.kind in PHRASE_KINDS:
        return PhraseTranslator(model, **settings)
    return NeuralTranslator(model, **settings)
