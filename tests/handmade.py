"""Bilingual documents built by hand, written as the pipeline writes them (``frames_to_json``), for the
tests of what users do with the outputs (reading, export, view). They hold what real outputs hold:
multi-syllable Vietnamese words, a token that crosses an entity boundary (``phi công Mig-25``),
values, a flagged post-edit, an untranslated sentence and an unprojected mention.

``seed_outputs`` runs the real pipeline (``vien annotate``) on the seed article once per test session,
with the project's fixture translation model installed into a temporary Argos folder where the
repository has it, else with ``--no-translate``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.document import Document, Entity, Mention, Sentence, Side, Source, Token
from pipeline.frames import document_frames, frames_to_json
from pipeline.schema import validate

PRODUCER = {"pipeline": "vien test", "versions": {}, "stages": ["segment", "entities", "translate", "align"],
            "settings": {}}


def _side(sentences: list[tuple[str, list[str]]], source_of: list[int | None] | None = None) -> Side:
    text = " ".join(s for s, _ in sentences)
    side = Side(text)
    pos = 0
    for k, (s, words) in enumerate(sentences):
        start = text.index(s, pos)
        side.sentences.append(Sentence(k, start, start + len(s), source_of[k] if source_of else None))
        at = start
        for w in words:
            at = text.index(w, at)
            side.tokens.append(Token(len(side.tokens), k, at, at + len(w), "PUNCT" if w in ".," else None))
            at += len(w)
        pos = start + len(s)
    return side


def _mention(side: Side, prefix: str, surface: str, label: str, entity: str, sentence: int, **extra) -> Mention:
    s = side.sentences[sentence]
    start = side.text.index(surface, s.start)
    n = len(side.entities)
    m = Mention(f"{prefix}-m{n}", label, start, start + len(surface), surface, entity=entity, **extra)
    side.entities.append(m)
    return m


def belenko_doc(doc_id: str = "belenko") -> dict:
    """Three Vietnamese sentences, two translated and word-aligned; seven entities."""
    vi = _side([
        ("Phi công Viktor Belenko hạ cánh chiếc Mig-25 ở Hakodate.",
         ["Phi công", "Viktor Belenko", "hạ cánh", "chiếc", "Mig-25", "ở", "Hakodate", "."]),
        ("Ngày 6/9/1976, phi công Mig-25 bay 800 km.",
         ["Ngày", "6/9/1976", ",", "phi công Mig-25", "bay", "800 km", "."]),
        ("Lầu Năm Góc rất vui.", ["Lầu Năm Góc", "rất", "vui", "."]),
    ])
    en = _side([
        ("Pilot Viktor Belenko landed the MiG-25 in Hakodate.",
         ["Pilot", "Viktor", "Belenko", "landed", "the", "MiG-25", "in", "Hakodate", "."]),
        ("On 6 September 1976, the MiG-25 pilot flew 800 km.",
         ["On", "6", "September", "1976", ",", "the", "MiG-25", "pilot", "flew", "800", "km", "."]),
    ], source_of=[0, 1])
    date = {"iso": "1976-09-06", "en": "6 September 1976"}
    dist = {"value": 800, "unit": "km", "en": "800 km"}
    v = [_mention(vi, "vi", "Viktor Belenko", "PER", "E0", 0, source="gazetteer", score=0.9),
         _mention(vi, "vi", "Mig-25", "AIRCRAFT", "E1", 0, source="aircraft", score=1.0),
         _mention(vi, "vi", "Hakodate", "LOC", "E2", 0, source="gazetteer", score=0.8),
         _mention(vi, "vi", "6/9/1976", "DATE", "E3", 1, source="dates", score=1.0, value=date),
         _mention(vi, "vi", "Mig-25", "AIRCRAFT", "E1", 1, source="aircraft", score=1.0),
         _mention(vi, "vi", "800 km", "QUANTITY", "E4", 1, source="quantities", score=1.0, value=dist),
         _mention(vi, "vi", "Lầu Năm Góc", "ORG", "E5", 2, source="gazetteer", score=0.9)]
    e = [_mention(en, "en", "Viktor Belenko", "PER", "E0", 0, source="projection", score=1.0,
                  aligns_to=v[0].id, method="name-match"),
         _mention(en, "en", "MiG-25", "AIRCRAFT", "E1", 0, source="projection", score=1.0,
                  aligns_to=v[1].id, method="name-match"),
         _mention(en, "en", "Hakodate", "LOC", "E2", 0, source="projection", score=0.7,
                  aligns_to=v[2].id, method="attention"),
         _mention(en, "en", "6 September 1976", "DATE", "E3", 1, source="projection", score=1.0,
                  aligns_to=v[3].id, method="name-match", value=date),
         _mention(en, "en", "MiG-25", "AIRCRAFT", "E1", 1, source="projection", score=1.0,
                  aligns_to=v[4].id, method="name-match"),
         _mention(en, "en", "800 km", "QUANTITY", "E4", 1, source="projection", score=0.6,
                  aligns_to=v[5].id, method="attention", value=dist)]
    entities = [Entity("E0", "PER", "Viktor Belenko", "Viktor Belenko", [v[0].id], [e[0].id]),
                Entity("E1", "AIRCRAFT", "Mig-25", "MiG-25", [v[1].id, v[4].id], [e[1].id, e[4].id]),
                Entity("E2", "LOC", "Hakodate", "Hakodate", [v[2].id], [e[2].id]),
                Entity("E3", "DATE", "6/9/1976", "6 September 1976", [v[3].id], [e[3].id]),
                Entity("E4", "QUANTITY", "800 km", "800 km", [v[5].id], [e[5].id]),
                Entity("E5", "ORG", "Lầu Năm Góc", "Pentagon", [v[6].id], [])]
    doc = Document(doc_id, Source(f"corpus/{doc_id}.txt", "0" * 64, "utf-8", len(vi.text.encode())),
                   vi, title=(0, vi.sentences[0].end), en=en, entities=entities, producer=PRODUCER)
    doc.alignment = {"sentences": [[0, 0], [1, 1]],
                     "tokens": ["0-0 1-1 1-2 2-3 3-4 4-5 5-6 6-7 7-8",
                                "0-0 1-1 1-2 1-3 2-4 3-5 3-6 3-7 4-8 5-9 5-10 6-11"]}
    doc.translation = {"model": {"name": "handmade", "version": "0", "sha256": "", "kind": "test"},
                       "settings": {},
                       "post_edits": [{"sentence": 0, "mention": v[1].id, "kind": "name", "method": "literal",
                                       "before": "Mig-25", "after": "MiG-25"},
                                      {"sentence": 1, "mention": v[5].id, "kind": "value", "method": "attention",
                                       "before": "800 trees", "after": "800 km"}],
                       "unprojected": [{"mention": v[6].id, "reason": "its sentence has no translation"}]}
    return _json(doc)


def vi_only_doc(doc_id: str = "tin-ngan") -> dict:
    """A Vietnamese-only document (annotated with ``--no-translate``) that mentions the MiG-25 too."""
    vi = _side([("Mig-25 bay nhanh.", ["Mig-25", "bay", "nhanh", "."])])
    m = _mention(vi, "vi", "Mig-25", "AIRCRAFT", "E0", 0, source="aircraft", score=1.0)
    doc = Document(doc_id, Source(f"corpus/{doc_id}.txt", "1" * 64, "utf-8", len(vi.text.encode())), vi,
                   entities=[Entity("E0", "AIRCRAFT", "Mig-25", "MiG-25", [m.id], [])], producer=PRODUCER)
    return _json(doc)


def _json(doc: Document) -> dict:
    assert not doc.check_offsets(), doc.check_offsets()
    data = frames_to_json(document_frames(doc))
    validate(data)
    return json.loads(json.dumps(data, ensure_ascii=False))


def write_outputs(folder: Path, *docs: dict) -> Path:
    """Write documents as ``vien annotate`` does (one ``<doc_id>.json`` each), plus a manifest and a
    journal that readers must skip."""
    folder.mkdir(parents=True, exist_ok=True)
    for d in docs or (belenko_doc(), vi_only_doc()):
        (folder / f"{d['doc_id']}.json").write_text(json.dumps(d, ensure_ascii=False, indent=1), "utf-8")
    (folder / "manifest.json").write_text(json.dumps({"producer": PRODUCER, "documents": []}), "utf-8")
    (folder / ".vien-journal.jsonl").write_text("{}\n", "utf-8")
    return folder


ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "00_seed_vnexpress_belenko_mig25.txt"
FIXTURE_MODEL = ROOT / "models" / "fixture" / "translate-vi_en-vien_fixture.argosmodel"
_SEED_RUN: dict[str, Path] = {}


def _vien(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=900)
    assert done.returncode == 0, f"vien {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}"


def seed_outputs(tmp_path_factory) -> Path:
    """The outputs folder of ``vien annotate`` on the seed article (made once per session)."""
    if "outputs" not in _SEED_RUN:
        base = tmp_path_factory.mktemp("seed-run")
        env = {**os.environ, "ARGOS_PACKAGES_DIR": str(base / "argos-packages")}
        extra = ["--no-translate"]
        if FIXTURE_MODEL.exists():
            _vien(["models", "install", "--file", str(FIXTURE_MODEL)], env)
            extra = ["--model", "vien_fixture"]  # a fixture is never picked by default
        _vien(["annotate", str(SEED), "-o", str(base / "outputs"), "--no-progress", *extra], env)
        _SEED_RUN["outputs"] = base / "outputs"
    return _SEED_RUN["outputs"]


def annotate_one_sentence(folder: Path) -> Path:
    """Annotate one short article in ``folder`` with ``vien annotate`` (installed models); its JSON path.
    The exit code must be 0; what the CLI printed is left for the caller's ``capsys``."""
    from pipeline.cli import main

    article = folder / "in" / "a.txt"
    article.parent.mkdir()
    article.write_text("Phi công Belenko hạ cánh ở Nhật Bản ngày 6/9/1976.", "utf-8")
    assert main(["annotate", str(article.parent), "-o", str(folder / "out"), "--no-progress"]) == 0
    return folder / "out" / "a.json"
