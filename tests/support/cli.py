"""Run ``archon-code`` in-process through the real entry point (``archon_code.cli.main``)."""

from __future__ import annotations

import sys

from archon_code.cli import main


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``archon-code ARGS``: the exit code (0 when main returns normally), stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["archon-code", *args])
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out, out.err
