"""``python -m archon_code`` runs the CLI."""

from archon_code.cli import main

main()
