"""spaCy Docs from the outputs (issue 16 item 3): a DocBin written by `vien export spacy` loads in spaCy
with Doc.ents equal to the JSON's mentions; the CoNLL BIO export reads back to the same mentions."""
import json

import pytest
import spacy
from spacy.tokens import DocBin

from pipeline import load
from pipeline.cli import main
from pipeline.spacy_docs import iter_docs, record_docs

from .handmade import belenko_doc, vi_only_doc, write_outputs


def _records(outdir):
    return [json.loads(p.read_text("utf-8")) for p in sorted(outdir.glob("*.json")) if p.name != "manifest.json"]


def _expected_ents(record, side):
    names = {e["id"]: e["name_en"] for e in record["entities"]}
    return sorted((m["start"], m["end"], m["label"], names.get(m["entity"] or "", ""), m["id"])
                  for m in record[side]["entities"])


def _ents(doc):
    return sorted((e.start_char, e.end_char, e.label_, e.kb_id_, e.id_) for e in doc.ents)


@pytest.mark.parametrize("side", ["vi", "en"])
def test_docbin_from_the_cli_loads_with_the_json_entities(outdir, tmp_path, side):
    assert main(["export", "spacy", str(outdir), "-o", str(tmp_path / "corpus.spacy"), "--side", side]) == 0
    docs = list(DocBin().from_disk(tmp_path / "corpus.spacy").get_docs(spacy.blank("xx").vocab))
    records = [r for r in _records(outdir) if r[side]]
    assert len(docs) == len(records) > 0
    for record, doc in zip(sorted(records, key=lambda r: r["doc_id"]), docs):
        assert doc.user_data["vien"]["doc_id"] == record["doc_id"]
        assert doc.text == record[side]["text"]
        expected = _expected_ents(record, side)
        assert sorted((e.start_char, e.end_char, e.label_, e.kb_id_, e.id_) for e in doc.spans["vien"]) == expected
        # doc.ents cannot overlap: a mention nested in another (en "Belenko" in "Viktor Belenko") is in spans only
        outer = [m for m in expected if not any(o[0] <= m[0] and m[1] <= o[1] and o != m for o in expected)]
        assert _ents(doc) == outer
        if side == "vi":
            assert outer == expected  # Vietnamese mentions never overlap
        starts = {s["start"] for s in record[side]["sentences"]}
        assert {s.start_char for s in doc.sents} - {0} == starts - {0}
        tags = {t["id"]: t["pos"] for t in record[side]["tokens"]}
        for token, token_id in zip(doc, doc.user_data["vien"]["tokens"]):
            if token_id >= 0:
                assert token.tag_ == (tags[token_id] or "")


def test_both_sides_and_the_alignment_in_user_data():
    vi, en = record_docs(belenko_doc())
    assert [(e.text, e.kb_id_) for e in vi.ents][:2] == [("Viktor Belenko", "Viktor Belenko"), ("Mig-25", "MiG-25")]
    assert [t.text for t in vi][11:13] == ["phi công", "Mig-25"]  # one JSON word cut at the mention
    assert vi[11].whitespace_ == " " and vi[11].pos_ == "" and vi[7].pos_ == "PUNCT"
    data = vi.user_data["vien"]
    assert data["sentence_pairs"] == [[0, 0], [1, 1]]
    shared = ("doc_id", "sentence_pairs", "word_links", "mention_links")
    assert {k: data[k] for k in shared} == {k: en.user_data["vien"][k] for k in shared}
    links = {(vi[i].text, en[j].text) for i, j in data["word_links"]}
    assert ("Viktor Belenko", "Viktor") in links and ("Mig-25", "MiG-25") in links and ("hạ cánh", "landed") in links
    assert ["vi-m1", "en-m1"] in data["mention_links"]
    vi_only, none = record_docs(vi_only_doc())
    assert none is None and vi_only.user_data["vien"]["tokens"] == [0, 1, 2, 3]


def test_docs_from_pipeline_load_equal_docs_from_files(outdir):
    from_files = list(iter_docs(outdir))
    from_corpus = list(iter_docs(load(outdir)))
    assert len(from_files) == len(from_corpus)
    for (vi_a, en_a), (vi_b, en_b) in zip(from_files, from_corpus):
        assert vi_a.to_json() == vi_b.to_json()
        assert (en_a is None and en_b is None) or en_a.to_json() == en_b.to_json()


@pytest.mark.parametrize("side", ["vi", "en"])
def test_conll_bio_reads_back_to_the_json_mentions(outdir, tmp_path, side):
    path = tmp_path / "corpus.conll"
    assert main(["export", "conll", str(outdir), "-o", str(path), "--side", side]) == 0
    blocks = path.read_text("utf-8").split("-DOCSTART-\t-X-\tO\n\n")[1:]
    records = sorted((r for r in _records(outdir) if r[side]), key=lambda r: r["doc_id"])
    assert len(blocks) == len(records)
    for record, block in zip(records, blocks):
        rows = [line.split("\t") for line in block.splitlines() if line]
        assert all(len(row) == 3 and " " not in row[0] for row in rows)
        found, current = [], None
        for word, _, tag in rows:
            if tag.startswith("B-") or tag == "O" or current is None:
                if current:
                    found.append(tuple(current))
                current = [tag[2:], [word]] if tag != "O" else None
            else:
                current[1].append(word)
        if current:
            found.append(tuple(current))
        found = [(label, "".join(words).replace("_", "")) for label, words in found]
        mentions = record[side]["entities"]
        outer = [m for m in mentions  # BIO cannot nest: the outer of nested mentions is kept
                 if not any(o["start"] <= m["start"] and m["end"] <= o["end"] and o is not m for o in mentions)]
        text = record[side]["text"]
        expected = [(m["label"], "".join(text[m["start"]:m["end"]].split()))
                    for m in sorted(outer, key=lambda m: m["start"])]
        assert found == expected


def test_spacy_train_reads_the_docbin(tmp_path):
    """What the export is for: `spacy train` trains an NER pipeline on it (a few steps here)."""
    import subprocess
    import sys

    outdir = write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())
    assert main(["export", "spacy", str(outdir), "-o", str(tmp_path / "train.spacy")]) == 0
    spacy_cli = [sys.executable, "-m", "spacy"]
    subprocess.run([*spacy_cli, "init", "config", "-l", "xx", "-p", "ner", "-F", str(tmp_path / "ner.cfg")],
                   check=True, capture_output=True)
    done = subprocess.run([*spacy_cli, "train", str(tmp_path / "ner.cfg"), "--paths.train", str(tmp_path / "train.spacy"),
                           "--paths.dev", str(tmp_path / "train.spacy"), "--training.max_steps", "4",
                           "--output", str(tmp_path / "trained")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    nlp = spacy.load(tmp_path / "trained" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == {"PER", "AIRCRAFT", "LOC", "DATE", "QUANTITY", "ORG"}
