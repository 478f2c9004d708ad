"""One catalogue of the errors the pipeline raises.

Library code raises these; only ``pipeline.cli`` turns them into messages and exit codes.
Each error has a stable code (``E1xx`` input, ``E2xx`` models, ``E3xx`` pipeline and stages,
``E4xx`` output and evaluation), a message built from named fields, and the next step for the user.
"""
from __future__ import annotations


class VienError(Exception):
    """Base class: ``code``, a ``template`` filled from keyword fields, and a ``hint``."""

    code = "E000"
    template = "{message}"
    hint = ""
    exit_code = 1

    def __init__(self, **fields: object) -> None:
        self.fields = {k: printable(v) if isinstance(v, str) else v for k, v in fields.items()}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.fields)

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        hint = self.hint.format(**self.fields) if self.hint else ""
        return f"{text}\n  hint: {hint}" if hint else text

    def to_record(self) -> dict[str, object]:
        """The form an error takes in ``manifest.json``."""
        return {"code": self.code, "reason": self.message,
                "hint": self.hint.format(**self.fields) if self.hint else ""}

    def __reduce__(self):  # pickled by keyword fields: errors cross process boundaries (pool, Dask)
        return _rebuild_error, (type(self), self.fields)


def _rebuild_error(cls: type[VienError], fields: dict) -> VienError:
    return cls(**fields)


def printable(text: str) -> str:
    """``text`` with the bytes of a file name that is not valid UTF-8 (which Python keeps as lone
    surrogates) written as ``\\xNN``, so that it can go into messages, JSON and the journal."""
    if text.isascii():
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file name gave
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_record(exc: BaseException, source: str) -> dict[str, str]:
    """The manifest record of an article's failure (code, reason, hint); the reason names
    ``source`` (the input). An exception outside this catalogue is a bug: E999."""
    if isinstance(exc, VienError):
        record = exc.to_record()
    else:
        record = {"code": "E999", "reason": printable(f"{type(exc).__name__}: {exc}"),
                  "hint": "this is a bug; please report it with the input file"}
    if not record["reason"].startswith(source):
        record["reason"] = f"{source}: {record['reason']}"
    return record


# ---- input ------------------------------------------------------------------------------------
class InputNotFound(VienError):
    code = "E101"
    template = "{path}: no such file or directory"
    hint = "check the path; inputs are files or folders of articles"
    exit_code = 2


class NoInputFiles(VienError):
    code = "E102"
    template = "{path}: no article files found (looked for {extensions})"
    hint = "put articles (.txt, .md, .html, .htm, .jsonl, .csv) in the folder, or name the files directly"
    exit_code = 2


class UnreadableFile(VienError):
    code = "E103"
    template = "{path}: cannot be read: {reason}"
    hint = "check the file's permissions and that it still exists"


class NotText(VienError):
    code = "E104"
    template = "{path}: not a text file: {reason}"
    hint = "only text articles are annotated (.txt, .md, .html, .htm, .jsonl, .csv); convert the file to UTF-8 text"


class UndecodableText(VienError):
    code = "E105"
    template = "{path}: cannot decode the text: {reason}"
    hint = ("save the file as UTF-8 (or UTF-16 with a byte-order mark); Vietnamese text in "
            "Windows-1258, TCVN3 (ABC) or VNI is recognised and converted")


class EmptyDocument(VienError):
    code = "E106"
    template = "{path}: the document has no text"
    hint = "remove the empty file or give it content"


class UnsupportedFormat(VienError):
    code = "E107"
    template = "{path}: unsupported file type {suffix!r}"
    hint = "supported: {supported}"


class BadRecord(VienError):
    code = "E108"
    template = "{path}: {record}: {reason}"
    hint = "fix or remove that record; the file's other records are annotated"


class NoArticleText(VienError):
    code = "E109"
    template = "{path}: no article text found in the page"
    hint = "the page may be an index, a form, or built by JavaScript; save the article's text as .txt"


class DocumentTooLong(VienError):
    code = "E110"
    template = "{path}: {chars} characters is above the limit of {limit} for one article"
    hint = "split it into articles: one per file, or one per JSONL/CSV row"


class NoRecords(VienError):
    code = "E111"
    template = "{path}: no records: {reason}"
    hint = "add articles to it (one per JSONL line or CSV row), or remove the file"


# ---- models -----------------------------------------------------------------------------------
class ModelNotInstalled(VienError):
    code = "E201"
    template = "no {what} model is installed ({detail})"
    hint = "{install}"
    exit_code = 3


class ModelInvalid(VienError):
    code = "E202"
    template = "{path}: not a valid model package: {reason}"
    hint = "use an Argos Translate .argosmodel for vi->en, or a CTranslate2 model folder"
    exit_code = 3


class ModelDownloadFailed(VienError):
    code = "E203"
    template = "cannot download {url}: {reason}"
    hint = "check the network, or download the file elsewhere and use `vien models install --file`"
    exit_code = 3


class UnsafeArchive(VienError):
    code = "E204"
    template = "{path}: refused: {member}: {reason}"
    hint = "the archive is damaged or hostile; get the package again from a source you trust"
    exit_code = 3


class ModelChecksumMismatch(VienError):
    code = "E205"
    template = "{path}: sha256 {actual} does not match the expected {expected}"
    hint = "the file is damaged or not the one expected; download it again"
    exit_code = 3


class ModelAlreadyInstalled(VienError):
    code = "E206"
    template = "model {name!r} is already installed at {path}"
    hint = "remove it first (`vien models remove {name}`) or install with --force"
    exit_code = 3


class ModelInstallFailed(VienError):
    code = "E207"
    template = "{path}: cannot install the model here: {reason}"
    hint = ("nothing was installed; free some space or make the folder writable, or choose other folders "
            "with ARGOS_PACKAGES_DIR and VIEN_MODELS_DIR")
    exit_code = 3


# ---- pipeline and stages ----------------------------------------------------------------------
class StageRequirementMissing(VienError):
    code = "E301"
    template = "stage {stage!r} needs {missing}, which no earlier stage provides"
    hint = "add the stages that provide it before {stage!r}"
    exit_code = 4


class AlignmentFailed(VienError):
    code = "E302"
    template = "{what}: cannot align {surface!r} to the text near offset {offset}"
    hint = "this is a bug in the adapter; please report it with the input file"


class ConfigError(VienError):
    code = "E303"
    template = "{path}: {reason}"
    hint = "see the README's configuration section"
    exit_code = 2


class InvalidSetting(VienError):
    code = "E305"
    template = "setting {name} = {value!r}: {reason}"
    hint = "fix it on the command line (--batch-size for batch_size) or in the --config file's [annotate] table"
    exit_code = 2


class WorkerDied(VienError):
    code = "E306"
    template = "{path}: the worker process annotating it died, and again when it was retried in a new one"
    hint = ("a process killed by a signal: most often the out-of-memory killer on a very long article; "
            "split the article, or run with fewer --workers")


class WorkerMismatch(VienError):
    code = "E304"
    template = "a worker's pipeline differs from this one's: fingerprint {worker} != {driver}"
    hint = ("install the same vien version, dependencies and translation model on every worker "
            "(pip install 'vien[dask]', vien models install ...)")
    exit_code = 4


# ---- output and evaluation --------------------------------------------------------------------
class SchemaViolation(VienError):
    code = "E401"
    template = "{doc_id}: output does not match schema {schema}: {reason}"
    hint = "this is a bug; please report it with the input file"


class EvaluationInputError(VienError):
    code = "E402"
    template = "{path}: {reason}"
    hint = "check the gold file and the articles folder"
    exit_code = 2


class OutputNotWritable(VienError):
    code = "E403"
    template = "{path}: cannot write the outputs here: {reason}"
    hint = "give -o a folder you can write to (it is created when missing)"
    exit_code = 2


class DiskFull(VienError):
    code = "E404"
    template = "{path}: stopped: {reason}"
    hint = "free some space (or give -o another disk) and run the same command again: finished articles are kept"
    exit_code = 5


class OutputInUse(VienError):
    code = "E405"
    template = "{path}: another `vien annotate` is writing to this folder (it holds {lock})"
    hint = "wait for it to end, or give this run another -o folder"
    exit_code = 5


# ---- reading and exporting outputs (E41x) -----------------------------------------------------
class OutputsNotFound(VienError):
    code = "E410"
    template = "{path}: {reason}"
    hint = "give the folder `vien annotate ... -o OUTDIR` wrote, or one of its <doc>.json files"
    exit_code = 2


class NotAnnotationOutput(VienError):
    code = "E411"
    template = "{path}: not a vien annotation file: {reason}"
    hint = "keep only vien's <doc>.json outputs (and manifest.json) in the outputs folder"
    exit_code = 2


class OptionalDependencyMissing(VienError):
    code = "E412"
    template = "{feature} needs the Python package {package!r}, which is not installed"
    hint = "pip install 'vien[{extra}]'"
    exit_code = 2
