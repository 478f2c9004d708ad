"""pipeline.load(): the outputs folder as pandas tables, and the views built on them."""
import json
import subprocess
import sys

import pandas as pd
import pytest

import pipeline
from pipeline.corpus import KWIC_COLUMNS, MENTION_PAIR_COLUMNS, Corpus, load
from pipeline.errors import NotAnnotationOutput, OutputsNotFound
from pipeline.frames import COLUMNS

from .handmade import belenko_doc, seed_outputs, vi_only_doc, write_outputs


@pytest.fixture()
def outdir(tmp_path):
    return write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())


@pytest.fixture()
def corpus(outdir):
    return load(outdir)


def test_import_pipeline_stays_light_and_load_is_reexported():
    code = ("import sys, pipeline; assert 'pandas' not in sys.modules, 'pandas imported eagerly'; "
            "from pipeline import load; assert 'pandas' in sys.modules; print(load.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "pipeline.corpus"
    assert pipeline.load is load and pipeline.Corpus is Corpus


def test_load_round_trips_every_field_of_the_json(outdir, corpus):
    for path in sorted(outdir.glob("*.json")):
        if path.name == "manifest.json":
            continue
        original = json.loads(path.read_text("utf-8"))
        assert corpus.record(original["doc_id"]) == original


def test_load_round_trips_the_pipeline_outputs_of_the_seed(tmp_path_factory):
    outputs = seed_outputs(tmp_path_factory)
    corpus = load(outputs)
    files = [p for p in outputs.glob("*.json") if p.name != "manifest.json"]
    assert len(corpus) == len(files) == 1
    original = json.loads(files[0].read_text("utf-8"))
    assert corpus.record(original["doc_id"]) == original
    assert len(corpus.mentions_vi) == len(original["vi"]["entities"]) > 0


def test_load_skips_manifest_and_journal_and_keeps_documented_dtypes(corpus):
    assert list(corpus.documents.doc_id) == ["belenko", "tin-ngan"]
    for table, spec in COLUMNS.items():
        df = getattr(corpus, table)
        assert list(df.columns) == [name for name, _, _ in spec]
        for name, dtype, _ in spec:
            assert str(df[name].dtype) == str(pd.Series([], dtype=dtype).dtype), (table, name)
    assert len(corpus.mentions_vi) == 8 and len(corpus.mentions_en) == 6
    assert set(corpus.mentions_en.aligns_to) <= set(corpus.mentions_vi.mention_id)
    for row in corpus.tokens.itertuples():
        text = corpus.documents.set_index("doc_id").at[row.doc_id, f"{row.side}_text"]
        assert text[row.start:row.end] == row.text


def test_sentence_and_word_links(corpus):
    links = corpus.sentence_links
    assert links.values.tolist() == [["belenko", 0, 0], ["belenko", 1, 1]]
    words = corpus.word_links
    assert len(words) == 9 + 12
    assert words.vi_word.notna().all() and words.en_word.notna().all()


def test_entity_frequency_counts_across_documents(corpus):
    freq = corpus.entity_frequency()
    top = freq.iloc[0]
    assert (top.label, top.name_en, top.name_vi, top.documents, top.mentions_vi, top.mentions_en) == (
        "AIRCRAFT", "MiG-25", "Mig-25", 2, 3, 2)
    assert set(freq.label) == {"PER", "LOC", "ORG", "AIRCRAFT", "DATE", "QUANTITY"}
    assert corpus.entity_frequency("PER").name_en.tolist() == ["Viktor Belenko"]
    assert corpus.entity_frequency("UNIT").empty


def test_select_by_document_and_label(corpus):
    one = corpus.select(doc_id="tin-ngan")
    assert len(one) == 1 and set(one.tokens.doc_id) == {"tin-ngan"}
    aircraft = corpus.select(label="AIRCRAFT")
    assert set(aircraft.mentions.label) == {"AIRCRAFT"} and len(aircraft.mentions) == 5
    assert len(aircraft.tokens) == len(corpus.tokens)
    assert len(corpus.select(doc_id=["belenko"], label=["PER", "LOC"]).entities) == 2


def test_mention_pairs_put_both_sides_on_one_row(corpus):
    pairs = corpus.mention_pairs()
    assert list(pairs.columns) == [name for name, _, _ in MENTION_PAIR_COLUMNS]
    assert len(pairs) == 8
    date = pairs[pairs.label == "DATE"].iloc[0]
    assert (date.vi_text, date.en_text, date.vi_sentence, date.en_sentence, date.method) == (
        "6/9/1976", "6 September 1976", 1, 1, "name-match")
    assert json.loads(date.value) == {"iso": "1976-09-06", "en": "6 September 1976"}
    pentagon = pairs[pairs.label == "ORG"].iloc[0]
    assert pentagon.name_en == "Pentagon" and pd.isna(pentagon.en_mention_id) and pentagon.vi_sentence == 2


def test_kwic_shows_both_sides_where_projected(corpus):
    kwic = corpus.kwic("mig-25", width=12)
    assert list(kwic.columns) == [name for name, _, _ in KWIC_COLUMNS]
    assert len(kwic) == 3
    first = kwic.iloc[0]
    assert (first.vi_left, first.vi_match, first.vi_right) == (" cánh chiếc ", "Mig-25", " ở Hakodate.")
    assert (first.en_left, first.en_match, first.en_right) == (" landed the ", "MiG-25", " in Hakodate")
    unprojected = kwic[kwic.doc_id == "tin-ngan"].iloc[0]
    assert unprojected.vi_match == "Mig-25" and pd.isna(unprojected.en_match)
    assert corpus.kwic("Lầu Năm Góc").en_match.isna().all()


def test_sentence_pairs_of_an_entity(corpus):
    pairs = corpus.sentence_pairs("MiG-25", "AIRCRAFT")
    assert pairs[["doc_id", "vi_sentence"]].values.tolist() == [["belenko", 0], ["belenko", 1], ["tin-ngan", 0]]
    assert pairs.iloc[1].en == "On 6 September 1976, the MiG-25 pilot flew 800 km."
    assert pd.isna(pairs.iloc[2].en)


def test_displacy_manual_format(corpus):
    from spacy import displacy

    vi, en = corpus.displacy("belenko", "vi"), corpus.displacy("belenko", "en")
    for side in (vi, en):
        for ent in side["ents"]:
            assert side["text"][ent["start"]:ent["end"]]
    assert [e["label"] for e in en["ents"]] == ["PER", "AIRCRAFT", "LOC", "DATE", "AIRCRAFT", "QUANTITY"]
    html = displacy.render([vi, en], style="ent", manual=True)
    assert "Viktor Belenko" in html and "6 September 1976" in html


def test_load_errors(tmp_path, outdir):
    with pytest.raises(OutputsNotFound, match="no such file"):
        load(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(OutputsNotFound, match="no article JSON"):
        load(tmp_path / "empty")
    (outdir / "other.json").write_text('{"schema": "something/2"}', "utf-8")
    with pytest.raises(NotAnnotationOutput, match="other.json.*something/2"):
        load(outdir)


def test_load_one_file_or_a_list(outdir):
    assert len(load(outdir / "belenko.json")) == 1
    assert len(load([outdir / "belenko.json", outdir / "tin-ngan.json"])) == 2


def test_chunked_reading_gives_the_same_tables(outdir):
    whole, chunked = load(outdir), load(outdir, chunk_size=1)
    for table in COLUMNS:
        pd.testing.assert_frame_equal(getattr(whole, table), getattr(chunked, table))
