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


@lru_cache(maxsize=65536)
def _istitle(word: str) -> str:
    return str(all(part[:1].istitle() for part in word.split(" ")) if word else False)


def sentence_features(words: list[str], tags: list[str]) -> list[list[str]]:
    """The features underthesea's CRF NER template yields for each word (identical strings)."""
    n = len(words)
    pad = ["BOS", "BOS"]
    end = ["EOS", "EOS"]
    low = pad + [w.lower() for w in words] + end
    tit = pad + [_istitle(w) for w in words] + end
    wrd = pad + list(words) + end
    pos = pad + list(tags) + end
    wpair = [f"{a} {b}" for a, b in zip(words, words[1:])]  # wpair[i] = words[i] words[i+1]
    ppair = [f"{a} {b}" for a, b in zip(tags, tags[1:])]

    def pair(seq, i, a):  # the template's T[a,a+1] at position i, with its BOS/EOS rules
        j = i + a
        if j < 0:
            return "BOS"
        if j + 1 >= n:
            return "EOS"
        return seq[j]

    out = []
    for i in range(n):
        k = i + 2
        out.append([
            f"T[-2].lower={low[k - 2]}", f"T[-1].lower={low[k - 1]}", f"T[0].lower={low[k]}",
            f"T[1].lower={low[k + 1]}", f"T[2].lower={low[k + 2]}",
            f"T[0].istitle={tit[k]}", f"T[-1].istitle={tit[k - 1]}", f"T[1].istitle={tit[k + 1]}",
            f"T[-2].istitle={tit[k - 2]}", f"T[2].istitle={tit[k + 2]}",
            f"T[-2]={wrd[k - 2]}", f"T[-1]={wrd[k - 1]}", f"T[0]={wrd[k]}", f"T[1]={wrd[k + 1]}", f"T[2]={wrd[k + 2]}",
            f"T[-2,-1]={pair(wpair, i, -2)}", f"T[-1,0]={pair(wpair, i, -1)}", f"T[0,1]={pair(wpair, i, 0)}",
            f"T[1,2]={pair(wpair, i, 1)}",
            f"T[-2][1]={pos[k - 2]}", f"T[-1][1]={pos[k - 1]}", f"T[0][1]={pos[k]}", f"T[1][1]={pos[k + 1]}",
            f"T[2][1]={pos[k + 2]}",
            f"T[-2,-1][1]={pair(ppair, i, -2)}", f"T[-1,0][1]={pair(ppair, i, -1)}", f"T[0,1][1]={pair(ppair, i, 0)}",
            f"T[1,2][1]={pair(ppair, i, 1)}",
            "T[-3][3]=BOS" if i < 3 else "T[-3][3]=X", "T[-2][3]=BOS" if i < 2 else "T[-2][3]=X",
            "T[-1][3]=BOS" if i < 1 else "T[-1][3]=X",
        ])
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
