"""Test-only helpers (never part of the installed package)."""
