"""PartiQL statements as DynamoDB reads them, before moto's parser (py-partiql-parser) does.

py-partiql-parser reads a value after ``=`` only as a quoted string or a ``?`` parameter: a
numeric literal (``WHERE pk = 'a' AND sk = 5``, ``SET n = 7``) compared as the string ``"5"``
in a SELECT (no rows found) and failed an assertion in an UPDATE or DELETE (moto's
``AssertionError``). DynamoDB accepts numeric literals. So ``numbers`` rewrites each numeric
literal after ``=`` into a ``?`` and puts ``{"N": literal}`` among the statement's parameters at
its place, which is the parameter form DynamoDB treats alike (and which py-partiql-parser
reads): ``sk = 5`` with no parameters is ``sk = ?`` with ``[{"N": "5"}]``. Numbers after ``<``,
``<=``, ``>``, ``>=`` are left as they are (py-partiql-parser compares those numerically), as
are numbers in ``INSERT ... VALUE {...}`` (read as numbers) and list indexes (``a[0]``).

A DELETE takes no parameters in py-partiql-parser, so a DELETE that needs one (a numeric
literal or a ``?``) cannot be answered by moto. ``where`` reads the form DynamoDB documents,
``DELETE FROM table WHERE a = value AND b = value ...`` (values: strings, numbers, ``?``), for
``strict`` to answer as a DeleteItem of the key those equalities name (the others its
condition); any other DELETE that needs one is refused in DynamoDB's shape
(``ValidationException``) with a message that says so, instead of moto's ``AssertionError``. A
statement that is not a SELECT, INSERT, UPDATE, DELETE (or EXISTS) at all is DynamoDB's syntax
error, ``Statement wasn't well formed, can't be processed: Expected data manipulation``.

In an ``ExecuteStatement``, an UPDATE's or a DELETE's WHERE of equalities must name the whole
key (``strict``: moto updated or deleted every item that matched), and in every statement the
``?``s must match the ``Parameters`` (DynamoDB's ``Number of parameters in request and statement
don't match.``; moto found nothing or took others).

Only ``ExecuteStatement``, ``BatchExecuteStatement`` and ``ExecuteTransaction`` requests are
read here; a statement without ``=`` followed by a digit is returned untouched after one regular
expression search.
"""

from __future__ import annotations

import re
from typing import Any

# a number right after "=" (not "<=", ">=", "!="), the only place one is rewritten
_CANDIDATE = re.compile(r"(?<![<>!])=\s*[-+]?\.?[0-9]")
_TOKEN = re.compile(
    r"(?P<string>'(?:[^']|'')*')"
    r"|(?P<quoted>\"(?:[^\"]|\"\")*\")"
    r"|(?P<param>\?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)"
    r"|(?P<number>[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<cmp><=|>=|<>|!=|=|<|>)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)
_MISMATCH = "Number of parameters in request and statement don't match."
_DML = ("SELECT", "INSERT", "UPDATE", "DELETE", "EXISTS")
_FIRST_WORD = re.compile(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*([A-Za-z]*)", re.S)


class Unanswerable(Exception):
    """A statement refused before moto: the message, and the error type's prefix."""

    def __init__(self, message: str, validate: bool = False) -> None:
        super().__init__(message)
        self.validate = validate  # com.amazon.coral.validate# rather than DynamoDB's own


def numbers(statement: str, parameters: list[Any] | None) -> tuple[str, list[Any] | None]:
    """``statement`` and ``parameters`` with each numeric literal after ``=`` as a parameter;
    ``Unanswerable`` for what moto's parser cannot take."""
    first = _FIRST_WORD.match(statement)
    word = first.group(1).upper() if first else ""
    if word not in _DML:
        raise Unanswerable(
            "Statement wasn't well formed, can't be processed: Expected data manipulation", True
        )
    if first is not None and first.start(1):  # blanks or comments first: moto's parser
        statement = statement[first.start(1) :]  # reads the first word from the start
    if word == "DELETE":
        if "?" in statement or _CANDIDATE.search(statement):
            needs = [m for m in _TOKEN.finditer(statement) if _is_value(m, statement)]
            if needs:
                raise Unanswerable(
                    "The local DynamoDB (moto's PartiQL) takes a number or a parameter in a "
                    "DELETE only as DELETE FROM table WHERE name = value AND ..., in "
                    "ExecuteStatement"
                )
        return statement, parameters
    if "?" in statement or parameters:
        count = sum(1 for m in _TOKEN.finditer(statement) if m.lastgroup == "param")
        if count != len(parameters or ()):  # moto's parser found nothing, or used others
            raise Unanswerable(_MISMATCH)
    if word == "INSERT" or not _CANDIDATE.search(statement):
        return statement, parameters
    given = list(parameters or ())
    out: list[str] = []
    merged: list[Any] = []
    used = 0  # parameters of the statement placed so far
    previous = ""  # the last token that is not a blank
    for match in _TOKEN.finditer(statement):
        kind, text = match.lastgroup, match.group()
        if kind == "param":
            if used < len(given):
                merged.append(given[used])
            used += 1
        elif kind == "number" and previous == "=":
            out.append("?")
            merged.append({"N": text.lstrip("+")})
            previous = text
            continue
        out.append(text)
        if kind != "space":
            previous = text
    if len(merged) == len(given):  # an "=" and a digit in a string, a name: nothing to do
        return statement, parameters
    return "".join(out), merged


def _is_value(match: re.Match[str], statement: str) -> bool:
    """A ``?``, or a number right after ``=``."""
    if match.lastgroup == "param":
        return True
    if match.lastgroup != "number":
        return False
    before = statement[: match.start()].rstrip()
    return before.endswith("=") and not before.endswith(("<=", ">=", "!="))


def rewrite(operation: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """The request with its statements rewritten by ``numbers``, or ``None`` when nothing
    changed; ``Unanswerable`` for a statement moto cannot answer (the request refused as a whole,
    as moto failed it; but in a BatchExecuteStatement, parameters that do not match are left to
    moto, which answers them in the statement's own ``Error``, as DynamoDB does)."""
    if operation == "ExecuteStatement":
        parts: list[Any] = [data]
    elif operation == "BatchExecuteStatement":
        parts = list(data.get("Statements") or ())
    else:
        parts = list(data.get("TransactStatements") or ())
    changed: list[tuple[int, dict[str, Any]]] = []
    for i, part in enumerate(parts):
        if not isinstance(part, dict) or not isinstance(part.get("Statement"), str):
            continue
        parameters = part.get("Parameters")
        try:
            statement, new = numbers(part["Statement"], parameters)
        except Unanswerable as exc:
            if operation == "BatchExecuteStatement" and str(exc) == _MISMATCH:
                continue  # moto answers it in the statement's own Error, as DynamoDB does
            raise
        if new is not parameters or statement is not part["Statement"]:
            changed.append((i, {**part, "Statement": statement, "Parameters": new}))
    if not changed:
        return None
    if operation == "ExecuteStatement":
        return changed[0][1]
    key = "Statements" if operation == "BatchExecuteStatement" else "TransactStatements"
    rewritten = list(parts)
    for i, part in changed:
        rewritten[i] = part
    return {**data, key: rewritten}


_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Where:
    """The ``name = value`` equalities of an UPDATE's or a DELETE's WHERE clause, joined by AND
    (the form DynamoDB documents): ``verb``, ``table``, ``equalities`` (name, attribute value),
    whether it ``needs`` a number or a parameter, whether a ``RETURNING`` follows."""

    def __init__(
        self,
        verb: str,
        table: str,
        equalities: list[tuple[str, dict[str, Any]]],
        needs: bool,
        returning: bool,
    ) -> None:
        self.verb, self.table, self.equalities = verb, table, equalities
        self.needs, self.returning = needs, returning


def where(statement: str, parameters: list[Any] | None) -> Where | None:
    """An UPDATE's or a DELETE's WHERE clause when it is equalities joined by AND; ``None`` for
    any other statement or clause."""
    first = _FIRST_WORD.match(statement)
    verb = first.group(1).upper() if first is not None else ""
    if first is None or verb not in ("UPDATE", "DELETE"):
        return None
    tokens = [
        (m.lastgroup, m.group())
        for m in _TOKEN.finditer(statement, first.end(1))
        if m.lastgroup != "space"
    ]
    if verb == "DELETE":
        if len(tokens) < 6 or tokens[0][1].upper() != "FROM" or tokens[2][1].upper() != "WHERE":
            return None
        table, at = _name(tokens[1]), 3
    else:
        if len(tokens) < 2:
            return None
        table = _name(tokens[0])
        at = next(
            (
                i + 1
                for i, (kind, text) in enumerate(tokens)
                if kind == "word" and text.upper() == "WHERE"
            ),
            0,
        )
        if not at:
            return None
    if table is None:
        return None
    given = list(parameters or ())
    used = sum(1 for kind, _ in tokens[:at] if kind == "param")  # those of an UPDATE's SET
    needs = used > 0
    found: list[tuple[str, dict[str, Any]]] = []
    rest = tokens[at:]
    returning = False
    while True:
        if len(rest) < 3 or rest[1] != ("cmp", "="):
            return None
        name = _name(rest[0])
        kind, text = rest[2]
        if name is None:
            return None
        if kind == "string":
            value: dict[str, Any] = {"S": text[1:-1].replace("''", "'")}
        elif kind == "number":
            value = {"N": text.lstrip("+")}
            needs = True
        elif kind == "param":
            value = given[used] if used < len(given) else {}
            used += 1
            needs = True
        else:
            return None
        found.append((name, value))
        rest = rest[3:]
        if not rest or rest == [("other", ";")]:
            break
        if rest[0][1].upper() == "RETURNING":
            returning = True
            break
        if rest[0][1].upper() != "AND":
            return None
        rest = rest[1:]
    if len({name for name, _ in found}) != len(found):
        return None
    if used != len(given) and not returning:
        raise Unanswerable(_MISMATCH)
    return Where(verb, table, found, needs, returning)


def _name(token: tuple[str | None, str]) -> str | None:
    kind, text = token
    if kind == "quoted":
        return text[1:-1].replace('""', '"')
    if kind == "word" and _SIMPLE_NAME.match(text):
        return text
    return None
