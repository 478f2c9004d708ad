"""Executors: a process pool and a two-worker Dask ``LocalCluster`` write exactly what a local run
writes (byte for byte, timings aside), failing inputs included, and resume from each other's runs."""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.executors import DaskExecutor, WorkerFailure, make_executor
from pipeline.errors import NotText

from .conftest import ROOT, SEED

TIMING = ("seconds",)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    (folder / "a.txt").write_text("Phi công Belenko hạ cánh ở Hakodate ngày 6/9/1976.\n"
                                  "Chiếc Mig-25 bay cao 20.000 m.\n", "utf-8")
    (folder / "b.md").write_text("# Tin ngắn\n\nMáy bay Su-30 bay qua Hà Nội ngày 2/9/2025.\n", "utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02 not text")
    shutil.copy(SEED, folder / "seed.txt")
    return folder


def annotate_cli(folder, out, *extra) -> int:
    return main(["annotate", str(folder), "-o", str(out), "--no-translate", "--no-progress",
                 "--batch-size", "2", *extra])


@pytest.fixture(scope="module")
def local_out(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    assert annotate_cli(inputs, out, "--executor", "local") == 1  # broken.txt fails
    return out


def without_timings(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in TIMING}


def assert_same_run(expected, actual):
    """Every output file byte for byte; manifest and journal equal but for the timing fields."""
    names = sorted(p.name for p in expected.iterdir())
    assert sorted(p.name for p in actual.iterdir()) == names
    assert "a.json" in names and "seed.json" in names and "broken.json" not in names
    for name in names:
        if name.endswith(".json") and name != "manifest.json":
            assert (actual / name).read_bytes() == (expected / name).read_bytes(), name
    manifests = [json.loads((d / "manifest.json").read_text("utf-8")) for d in (expected, actual)]
    for m in manifests:
        m["documents"] = [without_timings(r) for r in m["documents"]]
    assert manifests[0] == manifests[1]
    broken = next(r for r in manifests[1]["documents"] if r["doc_id"] == "broken")
    assert broken["status"] == "error" and broken["code"] == "E104" and "NUL byte" in broken["reason"]
    journals = [sorted(json.dumps(without_timings(json.loads(line)), sort_keys=True)
                       for line in (d / ".vien-journal.jsonl").read_text("utf-8").splitlines())
                for d in (expected, actual)]
    assert journals[0] == journals[1]


def test_pool_writes_what_local_writes(inputs, local_out, tmp_path_factory):
    out = tmp_path_factory.mktemp("pool")  # beside local_out: outputs name their input relative to their folder
    assert annotate_cli(inputs, out, "--executor", "pool", "--workers", "2") == 1
    assert_same_run(local_out, out)


def test_dask_local_cluster_writes_what_local_writes(inputs, local_out, tmp_path_factory):
    out = tmp_path_factory.mktemp("dask")
    assert annotate_cli(inputs, out, "--executor", "dask", "--workers", "2") == 1
    assert_same_run(local_out, out)


@pytest.fixture()
def scheduler():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_run_on_a_running_scheduler_resumes_a_local_run(inputs, local_out, tmp_path_factory, capsys,
                                                             scheduler):
    out = tmp_path_factory.mktemp("resumed")  # beside local_out: the same relative input paths
    shutil.copytree(local_out, out, dirs_exist_ok=True)
    (out / "seed.json").unlink()  # as if the local run had been killed before it wrote seed
    capsys.readouterr()
    assert annotate_cli(inputs, out, "--executor", "dask", "--scheduler", scheduler) == 1
    assert "3 annotated (2 from the cache: unchanged), 1 failed" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    cached = {r["doc_id"]: r.get("cached", False) for r in manifest["documents"]}
    assert cached == {"a": True, "b": True, "seed": False, "broken": False}
    assert (out / "seed.json").read_bytes() == (local_out / "seed.json").read_bytes()


def test_worker_failure_keeps_the_local_record_through_pickling():
    import pickle

    record = NotText(path="x.txt", reason="NUL byte at offset 0").to_record()
    sent = pickle.loads(pickle.dumps(WorkerFailure(record)))
    assert sent.to_record() == record


def test_scheduler_needs_dask_executor(inputs, tmp_path, capsys):
    code = annotate_cli(inputs, tmp_path / "out", "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2
    assert "error: --scheduler needs --executor dask" in capsys.readouterr().err


def test_unknown_executor_is_refused():
    with pytest.raises(ValueError, match="unknown executor 'threads'"):
        make_executor("threads")


def test_dask_executor_defaults_to_one_worker_per_core():
    import os

    assert DaskExecutor().workers == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("cores, threads, workers", [(1, 1, 1), (2, 1, 1), (4, 2, 2), (16, 8, 8)])
def test_pool_splits_the_cores_between_translation_and_workers(monkeypatch, cores, threads, workers):
    from pipeline import executors

    monkeypatch.setattr(executors, "default_workers", lambda: cores)
    pool = executors.PoolExecutor()
    assert (pool.translate_threads, pool.worker_count(translating=True)) == (threads, workers)
    assert pool.worker_count(translating=False) == cores
    assert executors.PoolExecutor(3, translate_threads=2).worker_count(translating=True) == 3


def test_pool_reports_the_workers_stage_seconds(inputs, tmp_path):
    from pipeline.executors import PoolExecutor
    from pipeline.run import Runner, Settings, annotate

    settings = Settings(translate=False, batch_size=2)
    runner = Runner(settings)
    annotate([inputs], tmp_path / "out", settings, progress=False, runner=runner, executor=PoolExecutor(1))
    assert runner._vietnamese is None  # this process loaded no Vietnamese model: the worker did the work
    assert all(runner.timings[stage] > 0 for stage in ("ingest", "segment", "entities", "frames"))


def test_auto_runs_one_batch_here_and_several_in_a_pool(monkeypatch):
    from pipeline import executors

    auto = make_executor("auto")
    assert auto.choose(several_batches=False) is auto.local
    monkeypatch.setattr(executors, "default_workers", lambda: 2)
    assert auto.choose(several_batches=True) is auto.pool
    monkeypatch.setattr(executors, "default_workers", lambda: 1)
    assert auto.choose(several_batches=True) is auto.local


def test_auto_writes_what_local_writes(inputs, local_out, tmp_path_factory):
    out = tmp_path_factory.mktemp("auto")  # the default executor: several batches, so a pool on two cores
    assert annotate_cli(inputs, out) == 1  # 4 inputs, 2 batches
    assert_same_run(local_out, out)


def test_load_with_dask_engine_gives_the_pandas_tables(local_out):
    import dask
    import pandas as pd

    from pipeline import load
    from pipeline.frames import COLUMNS

    lazy = load(local_out, chunk_size=1, engine="dask")
    eager = load(local_out)
    assert lazy.tokens.npartitions == 3  # a.json, b.json, seed.json: one file per partition
    for table in COLUMNS:
        (computed,) = dask.compute(getattr(lazy, table))
        pd.testing.assert_frame_equal(computed.reset_index(drop=True), getattr(eager, table))
    counts = lazy.mentions.groupby("label").size().compute()
    assert counts.sum() == len(eager.mentions) > 0


def test_load_refuses_an_unknown_engine(local_out):
    from pipeline import load

    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        load(local_out, engine="spark")


def test_portable_fingerprint_ignores_where_the_model_is_installed():
    from pipeline.executors import portable_fingerprint

    producer = {"pipeline": "vien 0.1.0", "model": {"name": "m", "sha256": "ab", "path": "/home/a/m"}}
    moved = {**producer, "model": {**producer["model"], "path": "/srv/models/m"}}
    other = {**producer, "model": {**producer["model"], "sha256": "cd"}}
    assert portable_fingerprint(producer) == portable_fingerprint(moved) != portable_fingerprint(other)


def test_a_worker_with_another_pipeline_annotates_nothing(inputs):
    from pipeline.executors import dask_annotate_batch, portable_fingerprint
    from pipeline.discover import InputFile
    from pipeline.run import Runner, Settings

    settings = Settings(translate=False)
    driver = Runner(Settings(translate=False, beam_size=7))  # as if the driver ran other settings
    entry = InputFile(inputs / "a.txt", "a")
    fingerprint, results = dask_annotate_batch(settings, None, driver.producer, [entry])
    assert results == [] and fingerprint != portable_fingerprint(driver.producer)
    fingerprint, results = dask_annotate_batch(settings, None, Runner(settings).producer, [entry])
    assert [r.entry.doc_id for r in results] == ["a"] and results[0].rendered.text.startswith("{")


def test_catalogue_errors_cross_process_boundaries():
    import pickle

    from pipeline.errors import VienError

    for cls in VienError.__subclasses__():
        if cls.__init__ is not VienError.__init__:
            continue
        error = cls(**{name: "x" for name in _fields_of(cls)})
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is cls and str(copy) == str(error)


def _fields_of(cls) -> set[str]:
    import string

    names = set()
    for text in (cls.template, cls.hint):
        names |= {field for _, field, _, _ in string.Formatter().parse(text) if field}
    return names


FIXTURE_MODEL = SEED.parents[1] / "models" / "fixture" / "translate-vi_en-vien_fixture.argosmodel"


@pytest.fixture(scope="module")
def fixture_model(tmp_path_factory):
    """The project's fixture translation model, installed into a temporary Argos folder that the
    pool's and the cluster's worker processes inherit (they are started after this)."""
    if not FIXTURE_MODEL.exists():
        pytest.skip(f"fixture translation model not built yet: {FIXTURE_MODEL}")
    from pipeline.models import install_archive

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path_factory.mktemp("argos-packages")))
        yield install_archive(FIXTURE_MODEL).name


def test_translating_runs_write_the_same_on_every_executor(inputs, tmp_path, fixture_model):
    runs = {}
    for executor in ("local", "pool", "dask"):
        runs[executor] = tmp_path / executor
        code = main(["annotate", str(inputs), "-o", str(runs[executor]), "--model", fixture_model,
                     "--no-progress", "--batch-size", "2", "--executor", executor, "--workers", "2"])
        assert code == 1
    seed = json.loads((runs["local"] / "seed.json").read_text("utf-8"))
    assert seed["en"]["text"] and seed["producer"]["model"]["name"] == fixture_model
    assert_same_run(runs["local"], runs["pool"])
    assert_same_run(runs["local"], runs["dask"])


# ---- a worker that dies (issue 15, defect 8: the run aborted with a BrokenProcessPool traceback) ----
def pool_workers(pid: int) -> list[int]:
    """The pool's worker processes among ``pid``'s children (not multiprocessing's resource tracker)."""
    from .test_resume import children

    found = []
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            found.append(child)
    return found


def start_pool_run(folder, out):
    return subprocess.Popen([sys.executable, "-m", "pipeline", "annotate", str(folder), "-o", str(out),
                             "--no-translate", "--no-progress", "--executor", "pool", "--workers", "2",
                             "--batch-size", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def journal_count(out) -> int:
    path = out / ".vien-journal.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds worker processes in Linux's /proc")
def test_a_killed_worker_is_replaced_and_its_articles_retried(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        shutil.copy(SEED, folder / f"seed{i:02d}.txt")
    out = tmp_path / "out"
    run = start_pool_run(folder, out)
    deadline = time.monotonic() + 300
    while journal_count(out) < 1 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    victims = pool_workers(run.pid)
    assert victims and run.poll() is None, "the run ended before a worker could be killed"
    os.kill(victims[0], signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr
    assert "12 annotated, 0 failed" in stdout
    assert "a worker process died; retrying the article in a new one" in stderr
    assert "Traceback" not in stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["complete"] is True and manifest["counts"]["ok"] == 12


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds worker processes in Linux's /proc")
def test_articles_that_kill_their_retry_worker_too_are_recorded_as_errors(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(f"Bài {i}: phi công hạ cánh ở Nhật Bản.\n", "utf-8")
    out = tmp_path / "out"
    run = start_pool_run(folder, out)
    killed = set()
    while run.poll() is None:  # every worker dies as soon as it appears: a run of poison articles
        for pid in pool_workers(run.pid):
            if pid not in killed:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.01)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 1, stderr
    assert "0 annotated, 3 failed" in stdout and "Traceback" not in stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["complete"] is True
    assert [r["code"] for r in manifest["documents"]] == ["E306"] * 3
    assert "died, and again when it was retried" in manifest["documents"][0]["reason"]
