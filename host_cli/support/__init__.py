"""Shared I/O and primitives that every other part of the host uses: the error classes
(``errors``), the one rule for reading files (``files``), running child processes (``proc``),
writing dotenv files and atomic writes (``serialize``), the start-up cache (``cache``), masking
secrets (``redact``), JavaScript's whitespace (``jsspace``) and the version (``version``).

The bottom layer: it imports nothing from the rest of ``host_cli``.
"""
