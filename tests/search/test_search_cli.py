"""``archon-code search`` argument handling (no model, no sandbox needed)."""


from tests.support.cli import run_main
from tests.conftest import ROOT


def _run(monkeypatch, capsys, *args):
    return run_main(monkeypatch, capsys, "search", *args)


def test_help_lists_every_option(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "--help")
    assert code == 0
    for option in ("--space", "--strategy", "--trials", "--dev-frac", "--dev-ids", "--test-ids", "--budget-calls",
                   "--budget-tokens", "--model", "--out", "--seed", "--json", "--cost", "--limit", "--workers"):
        assert option in out


def test_bad_space_file_names_the_field(monkeypatch, capsys, tmp_path):
    space = tmp_path / "space.yaml"
    space.write_text("samples: [3, 1]\n")
    code, _, err = _run(monkeypatch, capsys, str(ROOT / "problems"), "--space", str(space))
    assert (code, err) == (2, f"error: {space}: field 'samples': low 3 is above high 1\n")


def test_dev_ids_need_test_ids(monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, str(ROOT / "problems"), "--dev-ids", "sum-two")
    assert (code, err) == (2, "error: search options: --dev-ids and --test-ids go together\n")


def test_unknown_strategy(monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, str(ROOT / "problems"), "--strategy", "grid")
    assert code == 2
    assert "Invalid value for '--strategy': 'grid' is not one of 'random', 'tpe'." in err
