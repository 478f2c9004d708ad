"""Translation throughput: vien's batched path against argostranslate's own ``translate()``.

Same package, same beam size, same compute type and thread count, same sentences, one run.
argostranslate's ``translate`` module needs Stanza and torch, which the project never installs,
so its side runs in a separate environment (``.venv-bench`` by default), made with::

    python3.11 -m venv .venv-bench
    .venv-bench/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
    .venv-bench/bin/pip install argostranslate==1.11.0

Without it, the argostranslate side is skipped with the reason printed. argostranslate splits
text into sentences with MiniSBD, which downloads a model on first use; offline, and to time
translation alone, its sentence splitter is replaced by the sentences we give it (that only
removes work from argostranslate's side). It is timed two ways: one ``translate()`` call per
sentence, and one call per article-sized chunk (its own batching within a call).

Usage: ``python bench/translate.py [--model NAME | --package FILE.argosmodel] [--sentences 200]``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import models  # noqa: E402
from pipeline.translate import NeuralTranslator as Translator  # noqa: E402

DEFAULT_SRC = ROOT.parent / "shared" / "data" / "mt-eval" / "flores200-devtest.vi"
PACKAGES = [ROOT / "models" / "embedded" / "translate-vi_en-vien_embedded.argosmodel",
            ROOT / "models" / "fixture" / "translate-vi_en-vien_fixture.argosmodel"]

ARGOS_SIDE = r"""
import json, sys, time
from argostranslate import translate
args = json.load(sys.stdin)
translation = translate.get_translation_from_codes("vi", "en")
translation = getattr(translation, "underlying", translation)  # CachedTranslation wraps the package one
known = {}
class Given:  # the sentences we were given, instead of MiniSBD (which would download a model)
    def split_sentences(self, text):
        return known.get(text, [text])
translation.sentencizer = Given()
sentences, chunk = args["sentences"], args["chunk"]
for s in sentences[:3]:
    translate.translate(s, "vi", "en")  # warm-up: model load
t0, c0 = time.perf_counter(), time.process_time()
per_sentence = [translate.translate(s, "vi", "en") for s in sentences]
t1, c1 = time.perf_counter(), time.process_time()
chunks = [sentences[i:i + chunk] for i in range(0, len(sentences), chunk)]
for c in chunks:
    known[" ".join(c)] = c
per_chunk = [translate.translate(" ".join(c), "vi", "en") for c in chunks]
t2, c2 = time.perf_counter(), time.process_time()
json.dump({"per_sentence": per_sentence, "per_sentence_s": t1 - t0, "per_sentence_cpu": c1 - c0,
           "per_chunk": per_chunk, "per_chunk_s": t2 - t1, "per_chunk_cpu": c2 - c1}, sys.stdout)
"""


def pick_model(args, packages_dir: Path) -> models.InstalledModel:
    """The model to benchmark: named, else the first package file found, installed into a temp dir."""
    if args.model:
        return models.resolve_model(args.model)
    files = [Path(args.package)] if args.package else [p for p in PACKAGES if p.is_file()]
    if not files:
        sys.exit("no package to benchmark: pass --model NAME or --package FILE.argosmodel")
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages_dir)
    return models.install_archive(files[0])


def target_tokens(model: models.InstalledModel, texts: list[str]) -> int:
    """English output size in target SentencePiece pieces (the same count for both sides)."""
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=str(model.sp_target))
    return sum(len(p) for p in sp.encode(texts, out_type=str))


def run_argos(args, model: models.InstalledModel, sentences: list[str]) -> dict | str:
    """argostranslate's timings, or the reason they could not be taken."""
    python = Path(args.argos_python)
    if not python.is_file():
        return f"{python} not found (see this script's docstring to create it)"
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(model.path.parent), "ARGOS_BEAM_SIZE": str(args.beam_size),
           "ARGOS_INTRA_THREADS": str(args.threads), "ARGOS_INTER_THREADS": "1",
           "ARGOS_COMPUTE_TYPE": "int8", "ARGOS_DEVICE_TYPE": "cpu"}
    proc = subprocess.run([str(python), "-c", ARGOS_SIDE], input=json.dumps({"sentences": sentences, "chunk": args.chunk}),
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        return f"argostranslate failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="an installed model name")
    parser.add_argument("--package", help="an .argosmodel file (installed into a temporary folder)")
    parser.add_argument("--src", default=str(DEFAULT_SRC), help="Vietnamese sentences, one per line")
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--beam-size", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64, help="our sentences per CTranslate2 batch")
    parser.add_argument("--exact-batches", action="store_true",
                        help="equal-length batches only, as `vien annotate` runs by default (batch-independent output)")
    parser.add_argument("--threads", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--chunk", type=int, default=20, help="sentences per argostranslate call, chunked mode")
    parser.add_argument("--argos-python", default=str(ROOT / ".venv-bench" / "bin" / "python"))
    args = parser.parse_args()

    sentences = [s.strip() for s in Path(args.src).read_text(encoding="utf-8").splitlines() if s.strip()]
    sentences = sentences[:args.sentences]
    with tempfile.TemporaryDirectory() as tmp:
        model = pick_model(args, Path(tmp) / "packages")
        return compare(args, model, sentences)


def compare(args, model: models.InstalledModel, sentences: list[str]) -> int:
    print(f"model: {model.name} (kind {model.kind}, version {model.version}, sha256 {model.sha256[:12]})")
    print(f"sentences: {len(sentences)} from {args.src}; beam {args.beam_size}; int8; {args.threads} threads; "
          f"cpu count {os.cpu_count()}")
    translator = Translator(model, beam_size=args.beam_size, max_batch_sentences=args.batch_size, threads=args.threads,
                            exact_batches=args.exact_batches)
    translator.translate_texts(sentences[:3])  # warm-up: model load
    t0, c0 = time.perf_counter(), time.process_time()
    ours = translator.translate_texts(sentences)
    ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    ours_tokens = target_tokens(model, ours)
    print(f"vien batched ({args.batch_size} sentences per batch{', exact' if args.exact_batches else ''}): {len(sentences) / ours_s:8.1f} sentences/s "
          f"{ours_tokens / ours_s:9.1f} target tokens/s ({ours_s:.1f} s, {ours_cpu:.1f} CPU s)")
    argos = run_argos(args, model, sentences)
    if isinstance(argos, str):
        print(f"argostranslate: skipped: {argos}")
        return 0
    for mode, label in (("per_sentence", "one call per sentence"), ("per_chunk", f"one call per {args.chunk} sentences")):
        seconds = argos[f"{mode}_s"]
        tokens = target_tokens(model, argos[mode])
        print(f"argostranslate, {label}: {len(sentences) / seconds:8.1f} sentences/s "
              f"{tokens / seconds:9.1f} target tokens/s ({seconds:.1f} s, {argos[f'{mode}_cpu']:.1f} CPU s)")
    # the machine's load drifts: time our side again after argostranslate's and use the slower run
    t0, c0 = time.perf_counter(), time.process_time()
    translator.translate_texts(sentences)
    again_s, again_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"vien batched, again after argostranslate: {len(sentences) / again_s:8.1f} sentences/s "
          f"({again_s:.1f} s, {again_cpu:.1f} CPU s)")
    ours_s, ours_cpu = max(ours_s, again_s), max(ours_cpu, again_cpu)
    same = sum(a == b for a, b in zip(ours, argos["per_sentence"]))
    print(f"identical outputs (vien vs argostranslate per sentence): {same}/{len(sentences)}")
    print(f"ratio vs argostranslate one call per sentence: {argos['per_sentence_s'] / ours_s:.2f}x")
    print(f"ratio vs argostranslate one call per {args.chunk} sentences: {argos['per_chunk_s'] / ours_s:.2f}x")
    best_cpu = min(argos["per_sentence_cpu"], argos["per_chunk_cpu"])
    print(f"CPU-time ratio (less sensitive to other load on the machine): {best_cpu / ours_cpu:.2f}x")
    best = min(argos["per_sentence_s"], argos["per_chunk_s"])
    print(f"ratio={best / ours_s:.2f}x (vien batched, slower of its two runs, vs argostranslate's faster mode)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
