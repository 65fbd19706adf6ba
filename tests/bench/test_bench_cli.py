"""``archon-code bench`` argument handling (no model, no sandbox needed)."""


from tests.support.cli import run_main
from tests.conftest import ROOT


def _run(monkeypatch, capsys, *args):
    return run_main(monkeypatch, capsys, "bench", *args)


def test_help_lists_every_option(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "--help")
    assert code == 0
    for option in ("--arch", "--model", "--workers", "--out", "--json", "--limit", "--ids", "--samples", "--tests",
                   "--no-cache", "--resume / --fresh", "--budget-calls", "--budget-tokens", "--lang"):
        assert option in out


def test_unknown_architecture_is_a_one_line_error(monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, str(ROOT / "problems"), "--arch", "nope")
    assert code == 2
    assert err.startswith("error: unknown architecture 'nope'; presets: ")
    assert len(err.strip().splitlines()) == 1


def test_missing_architecture_file(monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, str(ROOT / "problems"), "--arch", "no/such.yaml")
    assert (code, err) == (2, "error: architecture file no/such.yaml does not exist\n")


def test_arch_is_required(monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, str(ROOT / "problems"))
    assert code == 2
    assert "Missing option '--arch'" in err


def test_samples_must_be_positive(monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, str(ROOT / "problems"), "--arch", "single", "--samples", "0")
    assert code == 2
    assert "Invalid value for '--samples': 0 is not in the range x>=1." in err


def test_repeated_label_is_refused(monkeypatch, capsys, tmp_path):
    (tmp_path / "single.yaml").write_text("name: s\nlayers:\n  - - type: generator\n")
    code, _, err = _run(monkeypatch, capsys, str(ROOT / "problems"), "--arch", "single", "--arch",
                        str(tmp_path / "single.yaml"))
    assert (code, err) == (2, f"error: option '--arch': {str(tmp_path / 'single.yaml')!r} repeats the "
                              "architecture label 'single'\n")
