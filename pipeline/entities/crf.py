"""underthesea's CRF NER model, fed with our own words and POS tags.

``underthesea.ner`` re-segments, POS-tags and chunks the raw sentence before the CRF runs, and builds
its features with a regex-driven template interpreter that copies every column for every feature (about
4,200 syllables/s here). The model's feature template (``underthesea/pipeline/ner/model_crf.py``) reads
only the word, its lower-case form, whether it is title-cased, and the POS tag, in a window of +-2, and
the NER column of earlier tokens, which underthesea's predictor fills with the constant ``X`` (the chunk
tag is not read at all). ``sentence_features`` builds exactly those feature strings from our tokens, so
the model sees what ``ner()`` would have given it, minus the re-segmentation.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path


def _istitle(word: str) -> str:
    return str(all(part[:1].istitle() for part in word.split(" ")) if word else False)


def sentence_features(words: list[str], tags: list[str]) -> list[list[str]]:
    """The features underthesea's CRF NER template yields for each word (identical strings)."""
    n = len(words)
    lower = [w.lower() for w in words]
    title = [_istitle(w) for w in words]

    def at(seq, i, name, bos="BOS", eos="EOS"):
        if i < 0:
            return f"{name}={bos}"
        if i >= n:
            return f"{name}={eos}"
        return f"{name}={seq[i]}"

    def pair(seq, i, j, name):
        if i < 0:
            return f"{name}=BOS"
        if j >= n:
            return f"{name}=EOS"
        return f"{name}={seq[i]} {seq[j]}"

    out = []
    for i in range(n):
        f = [at(lower, i + d, f"T[{d}].lower") for d in (-2, -1, 0, 1, 2)]
        f += [at(title, i + d, f"T[{d}].istitle") for d in (0, -1, 1, -2, 2)]
        f += [at(words, i + d, f"T[{d}]") for d in (-2, -1, 0, 1, 2)]
        f += [pair(words, i + a, i + b, f"T[{a},{b}]") for a, b in ((-2, -1), (-1, 0), (0, 1), (1, 2))]
        f += [at(tags, i + d, f"T[{d}][1]") for d in (-2, -1, 0, 1, 2)]
        f += [pair(tags, i + a, i + b, f"T[{a},{b}][1]") for a, b in ((-2, -1), (-1, 0), (0, 1), (1, 2))]
        f += [f"T[{d}][3]=BOS" if i + d < 0 else f"T[{d}][3]=X" for d in (-3, -2, -1)]
        out.append(f)
    return out


@lru_cache(maxsize=None)
def _tagger():
    import underthesea.pipeline.ner as ner_pkg
    from underthesea_core import CRFTagger

    tagger = CRFTagger()
    tagger.load(str(Path(ner_pkg.__file__).with_name("ner_crf_2017_10_12.bin")))
    return tagger


def tag_sentence(words: list[str], tags: list[str]) -> list[str]:
    """BIO tags (``B-PER``, ``I-LOC``, ``O``...) for one sentence of words with POS tags."""
    if not words:
        return []
    return list(_tagger().tag(sentence_features(words, tags)))
