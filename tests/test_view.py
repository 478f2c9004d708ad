"""vien view: the side-by-side HTML page, checked in headless Chromium (the test starts it itself)."""
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from pipeline.cli import main
from pipeline.view import render_view, write_view

from .handmade import belenko_doc, seed_outputs, vi_only_doc, write_outputs

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(f"no headless browser installed (looked for {', '.join(BROWSERS)}; `apt-get install chromium`)")


def _chromium(page, tmp_path, *args, url_hash=""):
    cmd = [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", *args, page.resolve().as_uri() + url_hash]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _dom_text(dom: str, side: str) -> str:
    """The text of every ``div.side.<side>`` of the dumped DOM, without the label badges."""
    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.parts, self.badge = 0, [], False

        def handle_starttag(self, tag, attrs):
            cls = dict(attrs).get("class") or ""
            self.badge = tag == "span" and "lab" in cls.split()
            if self.depth:
                self.depth += tag == "div"
            elif tag == "div" and cls.split()[:2] == ["side", side]:
                self.depth = 1

        def handle_endtag(self, tag):
            self.badge = False
            if self.depth and tag == "div":
                self.depth -= 1
                if not self.depth:
                    self.parts.append("\n")

        def handle_data(self, data):
            if self.depth and not self.badge:
                self.parts.append(data)

    c = Collect()
    c.feed(dom)
    return "".join(c.parts)


def _selfcheck(dom: str) -> dict:
    found = re.search(r'<pre id="vien-selfcheck" data-ok="(true|false)">(.*?)</pre>', dom, re.S)
    assert found, "the page's self-check wrote no result (script error?)"
    return json.loads(html.unescape(found.group(2)))


@pytest.fixture()
def page(tmp_path):
    out = write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())
    return write_view(out / "belenko.json", tmp_path / "view.html")


def test_page_is_self_contained(page):
    text = page.read_text("utf-8")
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|https?://", text), "the page must load nothing"
    assert text.count('class="side vi"') == 3 and text.count('class="side en"') == 2


def test_a_word_crossing_an_entity_is_cut_into_pieces(page):
    text = page.read_text("utf-8")
    # the word "phi công Mig-25" (vi token 11) holds the mention Mig-25 (vi-m4): two pieces, one word
    pieces = re.findall(r'<span class="p[^"]*" data-t="vi:11"[^>]*>([^<]*)</span>', text)
    assert pieces == ["phi công ", "Mig-25"]
    assert re.search(r'<span class="p ent ent-AIRCRAFT" data-t="vi:11" data-m="vi-m4"[^>]*>Mig-25</span>', text)


def test_chromium_shows_both_sides_and_hover_highlights_the_counterpart(page, tmp_path):
    dom = _chromium(page, tmp_path, "--dump-dom", url_hash="#selfcheck")
    vi, en = _dom_text(dom, "vi"), _dom_text(dom, "en")
    doc = belenko_doc()
    for s in doc["vi"]["sentences"]:
        assert doc["vi"]["text"][s["start"]:s["end"]] in vi
    for s in doc["en"]["sentences"]:
        assert doc["en"]["text"][s["start"]:s["end"]] in en
    assert "(no translation)" in en
    report = _selfcheck(dom)
    assert report["ok"], report["failures"]
    lit = {m["hover"]: m["highlighted"] for m in report["mentions"]}
    assert lit["vi-m1"] == "MiG-25" and lit["vi-m3"] == "6 September 1976" and lit["en-m5"] == "800 km"
    assert lit["en-m0"] == "Viktor Belenko" and lit["vi-m6"] == "" and len(lit) == 13
    assert report["words"] > 10

    shot = tmp_path / "view.png"
    _chromium(page, tmp_path, "--window-size=1200,420", f"--screenshot={shot}", url_hash="#hover=vi-m1")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_wrong_links_or_a_broken_hover_are_caught(tmp_path):
    doc = belenko_doc()
    doc["en"]["entities"][1]["aligns_to"] = "vi-m2"  # MiG-25 now claims to project Hakodate
    page = tmp_path / "wrong.html"
    page.write_text(render_view(doc), "utf-8")
    lit = {m["hover"]: m["highlighted"]
           for m in _selfcheck(_chromium(page, tmp_path, "--dump-dom", url_hash="#selfcheck"))["mentions"]}
    assert lit["vi-m1"] == "" and lit["vi-m2"] == "MiG-25Hakodate"

    page = tmp_path / "broken.html"  # the same page whose hover no longer lights the counterpart
    text = render_view(belenko_doc())
    hover = 'mark(byAttr("data-m", peer), "hl-peer")'
    assert text.count(hover) == 1
    page.write_text(text.replace(hover, 'mark(byAttr("data-m", peer), "hl-nothing")'), "utf-8")
    report = _selfcheck(_chromium(page, tmp_path, "--dump-dom", url_hash="#selfcheck"))
    assert not report["ok"] and any(f.startswith("vi-m1 (label): expected MiG-25") for f in report["failures"])


def test_view_of_seed_outputs(tmp_path_factory, tmp_path):
    outputs = seed_outputs(tmp_path_factory)
    doc = next(p for p in outputs.glob("*.json") if p.name != "manifest.json")
    record = json.loads(doc.read_text("utf-8"))
    page = write_view(doc, tmp_path / "seed.html")
    dom = _chromium(page, tmp_path, "--dump-dom", url_hash="#selfcheck")
    vi = _dom_text(dom, "vi")
    for s in record["vi"]["sentences"][:5]:
        assert " ".join(record["vi"]["text"][s["start"]:s["end"]].split()) in " ".join(vi.split())
    report = _selfcheck(dom)
    assert report["ok"], report["failures"][:5]
    if record["en"]:
        assert record["en"]["text"].split()[0] in _dom_text(dom, "en")
    else:
        assert "(this document has no English side)" in _dom_text(dom, "en")
    _chromium(page, tmp_path, "--window-size=1280,900", f"--screenshot={tmp_path / 'seed.png'}")
    print(f"screenshot: {tmp_path / 'seed.png'}")


def test_cli_view(tmp_path, capsys):
    out = write_outputs(tmp_path / "outputs", vi_only_doc())
    assert main(["view", str(out / "tin-ngan.json"), "-o", str(tmp_path / "v.html")]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'v.html'}"
    assert "(this document has no English side)" in (tmp_path / "v.html").read_text("utf-8")
    assert main(["view", str(out / "manifest.json"), "-o", str(tmp_path / "m.html")]) == 2
    assert "[E411]" in capsys.readouterr().err and not (tmp_path / "m.html").exists()
