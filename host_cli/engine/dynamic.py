"""Dynamic values: a Python module whose ``DYNAMIC`` mapping computes variables.

``DYNAMIC = {"NAME": "value", "OTHER": lambda env: env["NAME"] + "!", "GONE": None}``: a
string sets the variable, a callable gets the environment composed so far (read-only) and
returns a string or ``None``, and ``None`` deletes the variable. Entries apply in order, after
everything else, each seeing the ones before it. This is get-dotenv's ``dynamic`` for Python.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

from host_cli.support import files
from host_cli.support.errors import ConfigError


def load_file(path: Path, shown: str, prefix: str) -> ModuleType:
    """Run a Python file read by the host's file rule (``host_cli.support.files``) as a module.

    Raises ``SyntaxError`` and whatever the module raises; a file that is missing or not a
    regular file is a ``ConfigError`` naming ``shown``.
    """
    source = files.read_text(path, shown, error=ConfigError, what="a Python file")
    if source is None:
        raise ConfigError(f"{shown}: no such file")
    name = f"{prefix}_{path.stem}"
    module = ModuleType(name)
    module.__file__ = str(path)
    code = compile(source, str(path), "exec", dont_inherit=True)
    exec(code, module.__dict__)  # noqa: S102 - the user's own module, as importing would
    return module


def load(reference: str, base: Path, shown: str) -> tuple[Mapping[str, Any], str]:
    """The ``DYNAMIC`` mapping of a module given as a file path (relative to ``base``) or a
    dotted module name; ``shown`` names where the reference came from."""
    is_path = reference.endswith(".py") or "/" in reference or "\\" in reference
    try:
        if is_path:
            module: Any = load_file(base / reference, f"{shown}: {reference}", "getdotenv_dynamic")
        else:
            module = importlib.import_module(reference)
    except ConfigError:
        raise
    except SyntaxError as exc:
        raise ConfigError(f"{reference}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:
        raise ConfigError(
            f"{reference}: failed while loading: {type(exc).__name__}: {exc}"
        ) from None
    table = getattr(module, "DYNAMIC", None)
    if not isinstance(table, Mapping):
        raise ConfigError(
            f"{reference}: expected a DYNAMIC mapping of names to values or functions"
        )
    return table, reference


def apply(
    env: dict[str, str], table: Mapping[str, Any], where: str
) -> tuple[dict[str, str], list[str], list[str]]:
    """Apply ``table`` to ``env``; returns the new env, the keys set and the keys deleted."""
    result = dict(env)
    set_keys, deleted = [], []
    for key, entry in table.items():
        value = entry
        if callable(entry):
            try:
                value = entry(MappingProxyType(dict(result)))
            except Exception as exc:
                raise ConfigError(
                    f"{where}: DYNAMIC[{key!r}] raised {type(exc).__name__}: {exc}"
                ) from None
        if value is None:  # deleted, inherited value included
            result.pop(key, None)
            deleted.append(str(key))
            continue
        if not isinstance(value, str):
            raise ConfigError(
                f"{where}: DYNAMIC[{key!r}]: expected a string or None, got {type(value).__name__}"
            )
        result[str(key)] = value
        set_keys.append(str(key))
    return result, set_keys, deleted
