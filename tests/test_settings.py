"""Every setting is checked when the run is built: a usage error (exit 2) that names it (issue 15,
defect 2: ``--batch-size -3`` annotated nothing and exited 0; 0 or a string gave a traceback)."""
import pytest

from pipeline.cli import main

from .test_robustness import GOOD


@pytest.mark.parametrize("args, config, named", [
    (["--batch-size", "-3"], None, "batch_size = -3: must be at least 1"),
    (["--batch-size", "0"], None, "batch_size = 0: must be at least 1"),
    (["--beam-size", "0"], None, "beam_size = 0: must be at least 1"),
    ([], 'batch_size = "16"', "batch_size = '16': must be a whole number"),
    ([], "max_batch_sentences = 2.5", "max_batch_sentences = 2.5: must be a whole number"),
    ([], 'force = "yes"', "force = 'yes': must be true or false"),
    ([], "text_column = 3", "text_column = 3: must be a non-empty string"),
])
def test_a_bad_setting_is_a_usage_error_naming_it(tmp_path, capsys, args, config, named):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, "utf-8")
    if config is not None:
        (tmp_path / "vien.toml").write_text(f"[annotate]\n{config}\n", "utf-8")
        args = [*args, "--config", str(tmp_path / "vien.toml")]
    out = tmp_path / "out"
    code = main(["annotate", str(good), "-o", str(out), "--no-translate", "--no-progress", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert f"[E305] setting {named}" in err
    assert not out.exists()  # refused before any work
