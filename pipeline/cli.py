"""The ``vien`` command line: a thin layer over the library.

Only this module turns exceptions into messages and exit codes:
0 everything worked; 1 some documents failed (see the manifest); 2 bad input or usage;
3 a model is missing or invalid; 4 the pipeline cannot be built; 5 the outputs could not be written
(disk full: the same command resumes).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import __version__
from .errors import VienError
from .evaluate_translation import EVAL_BEAM_SIZE


def _annotate(args: argparse.Namespace) -> int:
    from .run import annotate, load_settings

    settings = load_settings(args.config, translate=False if args.no_translate else None, model=args.model,
                             force=True if args.force else None, batch_size=args.batch_size,
                             beam_size=args.beam_size, indent=args.indent, text_column=args.text_column,
                             id_column=args.id_column)
    progress = None if not args.no_progress else False
    if args.scheduler and args.executor != "dask":
        print("error: --scheduler needs --executor dask", file=sys.stderr)
        return 2
    from .executors import make_executor

    executor = make_executor(args.executor, workers=args.workers, scheduler=args.scheduler)
    report = annotate(args.inputs, args.output, settings, progress=progress, executor=executor)
    failed, ok = len(report.failed), len(report.ok)
    skipped = [r for r in report.records if r["status"] == "skipped"]
    cached = sum(bool(r.get("cached")) for r in report.ok)
    print(f"{ok} annotated{f' ({cached} from the cache: unchanged)' if cached else ''}, {failed} failed, "
          f"{len(skipped)} skipped -> {report.outdir}/manifest.json")
    model = json.loads((report.outdir / "manifest.json").read_text("utf-8"))["producer"].get("model")
    if model:
        note = {"embedded-phrase": "phrase-based statistical translation trained by this project",
                "embedded-lexical": "word-by-word gloss, not fluent English",
                "embedded-neural": "small model trained by this project", "fixture": "TEST FIXTURE, not a translator",
                "fixture-phrase": "TEST FIXTURE, not a translator"}.get(model["kind"], "")
        print(f"English by {model['name']} {model['version']} ({model['kind']}{': ' + note if note else ''})")
    else:
        print("no English side (--no-translate)")
    for record in report.failed:
        print(f"error: {record['reason']}", file=sys.stderr)
    for record in skipped:
        print(f"skipped: {record['reason']}", file=sys.stderr)
    if report.stale:
        print(f"warning: {len(report.stale)} outputs in {report.outdir} have no input in this run (kept, listed "
              f"as stale in manifest.json): {', '.join(report.stale[:5])}{' ...' if len(report.stale) > 5 else ''}",
              file=sys.stderr)
    if failed:
        print(f"{failed} of {failed + ok} documents failed", file=sys.stderr)
        return 1
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _segment_stage():
    from .segment import Segmenter

    return Segmenter()


def _eval_entities(args: argparse.Namespace) -> int:
    from .entities import EntityRecognizer
    from .evaluate import evaluate_entities

    segment, entities = _segment_stage(), EntityRecognizer()
    report = evaluate_entities(Path(args.gold), Path(args.articles), lambda d: entities(segment(d)),
                               predictions=Path(args.predictions) if args.predictions else None)
    print(report.table())
    print(f"micro_f1={report.micro.f1:.3f}")
    return 0


def _eval_segmentation(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_segmentation

    baseline = None
    if args.baseline:
        from underthesea import word_tokenize as baseline
    ours, base, n = evaluate_segmentation(Path(args.conllu), _segment_stage(), baseline)
    print(f"sentences={n}")
    if base is not None:
        print(f"underthesea word_tokenize alone: P={base.precision:.4f} R={base.recall:.4f} f1={base.f1:.4f}")
    print(f"vien segment: P={ours.precision:.4f} R={ours.recall:.4f}")
    print(f"f1={ours.f1:.4f}")
    return 0


def _eval_translation(args: argparse.Namespace) -> int:
    from .evaluate_translation import evaluate_translation
    from .translate import make_translator

    translator = make_translator(args.model, beam_size=args.beam_size)
    scores = evaluate_translation(Path(args.src), Path(args.ref), translator, limit=args.limit)
    model = scores.model
    print(f"model={model['name']} version={model['version']} kind={model['kind']} sha256={model['sha256'][:12]}")
    print(f"sentences={scores.sentences} seconds={scores.seconds:.1f} "
          f"sentences_per_s={scores.sentences / max(scores.seconds, 1e-9):.1f}")
    print(f"sacrebleu: {scores.signature}")
    print(f"bleu={scores.bleu:.1f}")
    print(f"chrf={scores.chrf:.1f}")
    return 0


def _models_install(args: argparse.Namespace) -> int:
    from . import downloads, models

    sources = [x for x in (args.name, args.url, args.file, args.dir) if x]
    if len(sources) != 1:
        print("error: give exactly one of NAME, --url, --file, --dir", file=sys.stderr)
        return 2
    if args.dir:
        model = models.install_ct2_dir(Path(args.dir), name=args.as_name, force=args.force)
    elif args.file:
        model = models.install_archive(Path(args.file), sha256=args.sha256, force=args.force)
    elif args.url:
        model = downloads.install_url(args.url, sha256=args.sha256, force=args.force, progress=not args.no_progress)
    else:
        model = downloads.install_named(args.name, force=args.force, progress=not args.no_progress,
                                        notes=lambda n: print(n, file=sys.stderr))
    print(f"installed {model.name} ({model.kind}, version {model.version or '-'}) at {model.path}")
    print(f"sha256={model.sha256}")
    return 0


def _models_list(args: argparse.Namespace) -> int:
    from .models import default_rank, installed_models, packages_dir, project_models_dir, tools_for

    argos, own = packages_dir(), project_models_dir()
    print(f"Argos Translate packages: {argos} (argostranslate and LibreTranslate read it)")
    print(f"vien models:              {own} (only vien runs these)")
    found = installed_models()
    if not found:
        print("no vi->en models installed")
        return 0
    default = min((m for m in found if default_rank(m) is not None), key=default_rank, default=None)
    rows = [("name", "version", "kind", "folder", "tools", "default", "sha256", "declared scores")]
    for m in found:
        flat = {f"{k}.{k2}" if isinstance(v, dict) else k: v2
                for k, v in m.scores.items() for k2, v2 in (v.items() if isinstance(v, dict) else [(k, v)])}
        scores = " ".join(f"{k}={v}" for k, v in sorted(flat.items())
                          if k.rsplit(".", 1)[-1] in ("bleu", "chrf")) or "-"
        folder = "argos" if m.path.parent == argos else "vien"
        rows.append((m.name, m.version or "-", m.kind, folder, tools_for(m), "yes" if m is default else "-",
                     m.sha256[:12] or "-", scores))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    return 0


def _models_remove(args: argparse.Namespace) -> int:
    from .models import remove_model

    model = remove_model(args.name)
    print(f"removed {model.name} from {model.path}")
    return 0


def _export_parallel(args: argparse.Namespace) -> int:
    from .export import export_parallel

    report = export_parallel(args.outdir, args.output, args.format, alignments=args.alignments,
                             tokens=args.tokens, skip_missing=args.skip_missing, skip_flagged=args.skip_flagged,
                             keep_headings=args.keep_headings)
    if report.untranslated_documents:
        print(f"warning: {report.untranslated_documents} of {report.documents} documents have no English side "
              "(annotated with --no-translate) and were skipped", file=sys.stderr)
    print(f"{report.written} sentence pairs from {report.documents - report.untranslated_documents} documents "
          f"({report.skipped_missing} skipped without translation, {report.skipped_flagged} flagged, "
          f"{report.skipped_headings} headings left out) -> " + ", ".join(str(f) for f in report.files))
    return 0


def _export_entities(args: argparse.Namespace) -> int:
    from .export import export_entities

    documents, rows = export_entities(args.outdir, args.output, args.format)
    print(f"{rows} mentions from {documents} documents -> {args.output}")
    return 0


def _export_spacy(args: argparse.Namespace) -> int:
    from .spacy_docs import export_docbin

    documents, docs = export_docbin(args.outdir, args.output, side=args.side)
    print(f"{docs} spaCy Docs from {documents} documents -> {args.output}")
    return 0


def _export_conll(args: argparse.Namespace) -> int:
    from .spacy_docs import export_conll

    documents, sentences = export_conll(args.outdir, args.output, side=args.side)
    print(f"{sentences} sentences from {documents} documents -> {args.output}")
    return 0


def _view(args: argparse.Namespace) -> int:
    from .view import write_view

    out = write_view(args.document, args.output)
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vien", description="Offline Vietnamese->English annotation of news articles.")
    parser.add_argument("--version", action="version", version=f"vien {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("annotate", help="annotate articles into one JSON file per article")
    p.add_argument("inputs", nargs="+",
                   help="article files or folders (.txt, .md, .html, .htm; .jsonl and .csv: one article per row)")
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.add_argument("--no-translate", action="store_true", help="Vietnamese-only run: no English side")
    p.add_argument("--model", help="translation model name (default: the preferred installed vi->en model)")
    p.add_argument("--force", action="store_true", help="re-annotate unchanged inputs")
    p.add_argument("--batch-size", type=int, help="documents per translation batch")
    p.add_argument("--beam-size", type=int, help="beam size for translation")
    p.add_argument("--indent", type=int, help="indent the article JSON by N spaces (default: compact)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--text-column", help="JSONL field / CSV column with the article text (default: text)")
    p.add_argument("--id-column", help="JSONL field / CSV column with the article id (default: id; else the row number)")
    p.add_argument("--config", help="TOML file whose [annotate] table overrides the defaults")
    p.add_argument("--executor", choices=("auto", "local", "pool", "dask"), default="auto",
                   help="where the stages run: this process (local), a process pool for the other stages "
                        "beside batched translation (pool), or Dask workers; auto (the default) is pool "
                        "with two cores or more and more than one batch of articles, else local")
    p.add_argument("--scheduler", help="Dask scheduler address (default: start a local cluster)")
    p.add_argument("--workers", type=_positive_int,
                   help="pool processes (default: the cores translation leaves free) or local Dask "
                        "workers (default: one per core)")
    p.set_defaults(func=_annotate)

    ev = sub.add_parser("eval", help="measure quality on gold data").add_subparsers(dest="what", required=True)
    p = ev.add_parser("entities", help="entity precision/recall/F1 against gold JSONL")
    p.add_argument("--gold", required=True, help="gold entities (JSONL: doc, entities)")
    p.add_argument("--articles", required=True, help="folder with <doc>.txt for each gold doc")
    p.add_argument("--predictions", help="write the pipeline's entities in the gold format here")
    p.set_defaults(func=_eval_entities)
    p = ev.add_parser("segmentation", help="word segmentation P/R/F1 against a CoNLL-U file")
    p.add_argument("--conllu", required=True)
    p.add_argument("--baseline", action="store_true", help="also score underthesea's word_tokenize alone")
    p.set_defaults(func=_eval_segmentation)
    p = ev.add_parser("translation", help="sacreBLEU BLEU and chrF of the translation path")
    p.add_argument("--src", required=True, help="Vietnamese source, one sentence per line")
    p.add_argument("--ref", required=True, help="English reference, one sentence per line")
    p.add_argument("--model", help="translation model name (default: the preferred installed vi->en model)")
    p.add_argument("--beam-size", type=int, default=EVAL_BEAM_SIZE,
                   help=f"beam size (default {EVAL_BEAM_SIZE}; annotate decodes greedily)")
    p.add_argument("--limit", type=int, help="score only the first N lines")
    p.set_defaults(func=_eval_translation)

    models = sub.add_parser("models", help="install, list and remove translation models").add_subparsers(
        dest="action", required=True)
    p = models.add_parser("install", help="install a vi->en model (the only command that downloads)")
    p.add_argument("name", nargs="?", help="Argos package name, e.g. translate-vi_en")
    p.add_argument("--url", help="download an .argosmodel from this URL")
    p.add_argument("--file", help="install a local .argosmodel file")
    p.add_argument("--dir", help="install a CTranslate2 model folder with SentencePiece model(s)")
    p.add_argument("--name", dest="as_name", help="name for a --dir model (default: the folder name)")
    p.add_argument("--sha256", help="expected sha256 of the archive")
    p.add_argument("--force", action="store_true", help="replace an installed model of the same name")
    p.add_argument("--no-progress", action="store_true", help="no download progress bar")
    p.set_defaults(func=_models_install)
    p = models.add_parser("list", help="installed vi->en models: name, version, kind, sha256, scores")
    p.set_defaults(func=_models_list)
    p = models.add_parser("remove", help="remove an installed model")
    p.add_argument("name")
    p.set_defaults(func=_models_remove)
    export = sub.add_parser(
        "export", help="export the outputs: a parallel corpus, an entity table, spaCy Docs, CoNLL").add_subparsers(
        dest="what", required=True)
    p = export.add_parser("parallel", help="sentence-aligned Vietnamese-English corpus")
    p.add_argument("outdir", help="outputs folder written by `vien annotate` (or one <doc>.json)")
    p.add_argument("--format", choices=("moses", "tsv", "tmx", "jsonl"), default="moses",
                   help="moses: PATH.vi, PATH.en (+ PATH.ids, PATH.align); tsv; tmx (TMX 1.4); jsonl")
    p.add_argument("-o", "--output", required=True, help="output file (moses: the prefix PATH)")
    p.add_argument("--alignments", action="store_true",
                   help="add Pharaoh i-j word links over the exported tokens (implies --tokens)")
    p.add_argument("--tokens", action="store_true",
                   help="write the JSON's tokens separated by spaces (spaces inside a word become _)")
    p.add_argument("--skip-missing", action="store_true", help="leave out sentences without a translation")
    p.add_argument("--skip-flagged", action="store_true",
                   help="leave out flagged pairs (attention post-edit, unprojected mention, no word alignment)")
    p.add_argument("--keep-headings", action="store_true",
                   help="keep headings and titles (== X == lines, the title), flagged 'heading'; left out by default")
    p.set_defaults(func=_export_parallel)
    p = export.add_parser("entities", help="one row per entity mention with both sides")
    p.add_argument("outdir", help="outputs folder written by `vien annotate` (or one <doc>.json)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv", help="parquet needs vien[parquet]")
    p.add_argument("-o", "--output", required=True, help="output file")
    p.set_defaults(func=_export_entities)
    p = export.add_parser("spacy", help="spaCy DocBin: tokens, POS, sentences, entities (kb_id = English name), "
                                        "alignment in user_data; `spacy train` reads it")
    p.add_argument("outdir", help="outputs folder written by `vien annotate` (or one <doc>.json)")
    p.add_argument("-o", "--output", required=True, help="the .spacy file to write")
    p.add_argument("--side", choices=("vi", "en", "both"), default="vi", help="which side's Docs (default: vi)")
    p.set_defaults(func=_export_spacy)
    p = export.add_parser("conll", help="CoNLL-style BIO columns (word, POS tag, entity) for NER tools")
    p.add_argument("outdir", help="outputs folder written by `vien annotate` (or one <doc>.json)")
    p.add_argument("-o", "--output", required=True, help="the file to write")
    p.add_argument("--side", choices=("vi", "en"), default="vi", help="which side (default: vi)")
    p.set_defaults(func=_export_conll)

    p = sub.add_parser("view", help="a self-contained HTML page: both sides, entities, hover to see alignments")
    p.add_argument("document", help="an output <doc>.json")
    p.add_argument("-o", "--output", required=True, help="the HTML file to write")
    p.set_defaults(func=_view)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except VienError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted; re-run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
