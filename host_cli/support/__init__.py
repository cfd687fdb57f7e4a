"""Shared I/O and primitives that every other part of the host uses: the error classes
(``errors``), the one rule for reading files (``files``), running child processes (``proc``),
writing dotenv files and atomic writes (``serialize``), the start-up cache (``cache``), masking
secrets (``redact``) and JavaScript's whitespace (``jsspace``); and the version, here (the
build backend reads it from this file).

The bottom layer: it imports nothing from the rest of ``host_cli``.
"""

__version__ = "0.1.0"
