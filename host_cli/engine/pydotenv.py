"""The python-dotenv dialect: each file of the cascade read as python-dotenv's ``dotenv_values``
reads it, with python-dotenv's own parser and expansion (``${VAR}``, ``${VAR:-default}``).

Per file, exactly ``dotenv_values(path)``: a value sees the file's earlier keys and the process
environment (the file's win), never other files; the cascade then merges the files. Two
differences, both on purpose: a line python-dotenv cannot parse is an error naming the file and
line (python-dotenv warns and skips it), and a key with no ``=`` (which python-dotenv gives as
``None``) sets nothing (in its file it still unsets an earlier line's value, as there).
Imported only when the dialect is used: python-dotenv is imported here.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from dotenv.parser import parse_stream  # noqa: TID253 - this module is the dialect
from dotenv.variables import parse_variables  # noqa: TID253

from host_cli.engine.envfile import Entry, unparsable
from host_cli.support.errors import EnvFileError


def parse(
    text: str,
    process_env: Mapping[str, str],
    *,
    source: str,
    skipped: list[tuple[int, str]] | None = None,
) -> list[Entry]:
    """The entries of one file, values resolved as ``dotenv_values`` resolves them. A line
    python-dotenv cannot parse is an error, or, given ``skipped``, skipped as python-dotenv
    skips it and recorded there as (line, message)."""
    resolved: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            message = (
                f"{source}:{binding.original.line}: python-dotenv cannot parse "
                f"{unparsable(binding.original.string)} (it would skip the line with a warning)"
            )
            if skipped is None:
                raise EnvFileError(message)
            skipped.append((binding.original.line, message))
            continue
        if binding.key is None:
            continue  # a blank line or a comment
        value = binding.value
        if value is not None:
            # python-dotenv's resolve_variables(override=True), over our process environment
            scope: dict[str, str | None] = {**process_env, **resolved}
            value = "".join(atom.resolve(scope) for atom in parse_variables(value))
        resolved[binding.key] = value
        lines[binding.key] = binding.original.line
    # As dotenv_values: the last assignment of a key wins, in the order keys first appeared.
    return [Entry(k, v, lines[k]) for k, v in resolved.items() if v is not None]
