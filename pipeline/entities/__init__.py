"""The entity stage: PER, LOC, ORG, AIRCRAFT, UNIT, QUANTITY and DATE mentions, linked to entities.

``EntityRecognizer`` is the stage; ``to_spacy`` shows a document's mentions as spaCy spans (displaCy).
"""
from .spacy_view import to_spacy
from .stage import EntityRecognizer

__all__ = ["EntityRecognizer", "to_spacy"]
