"""View: one article JSON as a static, self-contained HTML page (``vien view <doc>.json -o view.html``).

The Vietnamese and English texts stand side by side, one row per aligned sentence pair; entity
mentions are coloured by label; hovering an entity highlights its counterpart on the other side
(``aligns_to``) and hovering a word highlights the words it is aligned to (the Pharaoh links).

Python cuts each sentence into pieces at every token and mention boundary (a token may cross a
mention boundary: ``phi công Mig-25`` is one word holding the mention ``Mig-25``), so each piece
names one token and the mentions it belongs to. The template (``templates/view.html``) holds the CSS
and the script; the page loads nothing from the network. Opened as ``view.html#selfcheck`` the page
hovers every linked mention and word itself and writes what lit up into ``#vien-selfcheck``;
``#hover=<mention id>`` holds one hover (for screenshots).
"""
from __future__ import annotations

import bisect
import json
from html import escape
from importlib.resources import files
from pathlib import Path

from .corpus import read_record
from .schema import check_annotation

LABELS = ("PER", "LOC", "ORG", "AIRCRAFT", "UNIT", "QUANTITY", "DATE")


def _links(record: dict) -> dict[str, dict[str, list[str]]]:
    """Counterparts by element id: ``tokens`` ("vi:12" -> ["en:30", ...]) and ``mentions``."""
    vi, en = record["vi"], record.get("en")
    tokens: dict[str, list[str]] = {}
    mentions: dict[str, list[str]] = {}
    if en:
        for m in en["entities"]:
            if m.get("aligns_to"):
                mentions.setdefault(m["aligns_to"], []).append(m["id"])
                mentions.setdefault(m["id"], []).append(m["aligns_to"])
        by_sentence: dict[tuple[str, int], list[int]] = {}
        for side_name, side in (("vi", vi), ("en", en)):
            for t in sorted(side["tokens"], key=lambda t: t["id"]):
                by_sentence.setdefault((side_name, t["sentence"]), []).append(t["id"])
        alignment = record.get("alignment") or {"sentences": [], "tokens": []}
        for (vi_s, en_s), pharaoh in zip(alignment["sentences"], alignment["tokens"]):
            vi_ids, en_ids = by_sentence.get(("vi", vi_s), []), by_sentence.get(("en", en_s), [])
            for link in pharaoh.split():
                i, j = map(int, link.split("-"))
                if i < len(vi_ids) and j < len(en_ids):
                    a, b = f"vi:{vi_ids[i]}", f"en:{en_ids[j]}"
                    tokens.setdefault(a, []).append(b)
                    tokens.setdefault(b, []).append(a)
    return {"tokens": tokens, "mentions": mentions}


def _pieces(side_name: str, side: dict, start: int, end: int) -> str:
    """HTML of ``side["text"][start:end]``: one ``span.p`` per piece between token/mention boundaries."""
    text = side["text"]
    tokens = sorted(side["tokens"], key=lambda t: t["start"])
    token_starts = [t["start"] for t in tokens]
    mentions = [m for m in side["entities"] if m["start"] < end and m["end"] > start]
    cuts = {start, end}
    for t in tokens:
        cuts.update(x for x in (t["start"], t["end"]) if start < x < end)
    for m in mentions:
        cuts.update(x for x in (m["start"], m["end"]) if start < x < end)
    cuts = sorted(cuts)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        k = bisect.bisect_right(token_starts, a) - 1
        token = tokens[k] if k >= 0 and tokens[k]["end"] > a else None
        inside = [m for m in mentions if m["start"] <= a and b <= m["end"]]
        piece = escape(text[a:b])
        if token is None and not inside:
            out.append(piece)
            continue
        attrs = ' class="p{}"'.format("".join(f" ent ent-{m['label']}" for m in inside[:1]))
        if token is not None:
            attrs += f' data-t="{side_name}:{token["id"]}"'
        if inside:
            attrs += ' data-m="{}" title="{}"'.format(
                " ".join(m["id"] for m in inside), escape(", ".join(f"{m['label']} {m['text']}" for m in inside)))
        out.append(f"<span{attrs}>{piece}</span>")
        for m in inside:
            if m["end"] == b:
                out.append(f'<span class="lab lab-{m["label"]}" data-m="{m["id"]}">{m["label"]}</span>')
    return "".join(out)


def _rows(record: dict) -> str:
    vi, en = record["vi"], record.get("en")
    title = vi.get("title")
    pairs: dict[int, list[int]] = {}
    if en:
        alignment = record.get("alignment")
        items = (alignment["sentences"] if alignment
                 else [[s["source_sentence"], s["id"]] for s in en["sentences"] if s["source_sentence"] is not None])
        for vi_s, en_s in items:
            pairs.setdefault(vi_s, []).append(en_s)
    en_sentences = {s["id"]: s for s in en["sentences"]} if en else {}
    rows, previous_end = [], 0
    missing = '<div class="side en missing" lang="en">{}</div>'.format(
        "(no translation)" if en else "(this document has no English side)")

    def row(vi_html: str, en_html: str, attrs: str = "") -> str:
        return f'<div class="row"{attrs}><div class="side vi" lang="vi">{vi_html}</div>{en_html}</div>'

    for s in sorted(vi["sentences"], key=lambda s: s["start"]):
        gap = vi["text"][previous_end:s["start"]]
        if gap.strip():  # text outside every sentence is shown, never dropped
            rows.append(row(_pieces("vi", vi, previous_end, s["start"]), missing, ' data-gap="1"'))
        previous_end = s["end"]
        en_ids = pairs.get(s["id"], [])
        en_html = (missing if not en_ids else '<div class="side en" lang="en">{}</div>'.format(
            " ".join(_pieces("en", en, en_sentences[k]["start"], en_sentences[k]["end"]) for k in en_ids)))
        cls = ' data-title="1"' if title and s["start"] < title[1] and title[0] < s["end"] else ""
        rows.append(row(_pieces("vi", vi, s["start"], s["end"]), en_html,
                        f' data-vi="{s["id"]}" data-en="{" ".join(map(str, en_ids))}"{cls}'))
    tail = vi["text"][previous_end:]
    if tail.strip():
        rows.append(row(_pieces("vi", vi, previous_end, len(vi["text"])), missing, ' data-gap="1"'))
    linked = {k for ks in pairs.values() for k in ks}
    for k, s in sorted(en_sentences.items()):
        if k not in linked:
            rows.append(f'<div class="row" data-en="{k}"><div class="side vi missing" lang="vi"></div>'
                        f'<div class="side en" lang="en">{_pieces("en", en, s["start"], s["end"])}</div></div>')
    return "\n".join(rows)


def _script_json(value: object) -> str:
    """JSON safe inside ``<script>``: no ``</`` can close the element early."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def render_view(record: dict) -> str:
    """The HTML page of one article JSON (a dict of schema ``vien-annotation/1``)."""
    translation = record.get("translation") or {}
    model = (translation.get("model") or {}).get("name")
    counts = {label: 0 for label in LABELS}
    for m in record["vi"]["entities"]:
        counts[m["label"]] = counts.get(m["label"], 0) + 1
    legend = " ".join(f'<span class="ent ent-{label}">{label} {counts[label]}</span>' for label in LABELS)
    about = f'{escape(record["source"]["path"])} · {"model " + escape(model) if model else "not translated"}'
    page = files("pipeline").joinpath("templates/view.html").read_text("utf-8")
    for key, value in (("TITLE", escape(record["doc_id"])), ("ABOUT", about), ("LEGEND", legend),
                       ("ROWS", _rows(record)), ("LINKS", _script_json(_links(record)))):
        page = page.replace(f"<!--VIEN:{key}-->", value)
    return page


def write_view(document: str | Path, output: str | Path) -> Path:
    """Write the page of the article JSON ``document`` to ``output``; returns the output path.

    Raises ``NotAnnotationOutput`` (E411, naming the field) if ``document`` is not a valid article JSON.
    """
    from .journal import write_atomic

    output, document = Path(output), Path(document)
    record = read_record(document)
    check_annotation(record, document)
    write_atomic(output, render_view(record))
    return output
