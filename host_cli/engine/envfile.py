"""Reading one ``.env`` file with the rules of Node's ``dotenv`` parser, which get-dotenv uses.

Node's parser is one regular expression run over the whole text; lines it cannot match
are skipped without a word. We run the same expression (translated to Python, with
JavaScript's exact whitespace and word classes) but only at line starts, and any line
that is neither matched, blank nor a comment is an error naming the file and line.
"""

import functools
import re
from pathlib import Path
from typing import NamedTuple

from host_cli.support import files, jsspace
from host_cli.support.errors import EnvFileError

# JavaScript's \s (also what String.prototype.trim removes) differs from Python's: Python
# adds \x1c-\x1f and \x85 and lacks \ufeff (so a BOM would not be skipped). Text without
# those characters parses the same with Python's \s; only other text pays for compiling the
# exact, much larger expression.
_SPACES_DIFFER = "\x1c\x1d\x1e\x1f\x85\ufeff"
_EOL = r"(?=[\n\u2028\u2029]|\Z)"  # JavaScript's multiline $ once CRLF is normalised


class _Grammar(NamedTuple):
    line: re.Pattern[str]
    ignorable: re.Pattern[str]
    strip: str | None


@functools.cache
def _grammar(exact: bool) -> _Grammar:
    s = f"[{jsspace.CLASS}]" if exact else r"\s"
    # dotenv 17's LINE expression, group for group.
    line = re.compile(
        rf"{s}*(?:export{s}+)?([A-Za-z0-9_.-]+)(?:{s}*={s}*?|:{s}+?)"
        rf"({s}*'(?:\\'|[^'])*'|{s}*\"(?:\\\"|[^\"])*\"|{s}*`(?:\\`|[^`])*`|[^#\r\n]+)?"
        rf"{s}*(?:#[^\n\r\u2028\u2029]*)?{_EOL}",
    )
    return _Grammar(line, re.compile(rf"{s}*(?:#.*)?"), jsspace.CHARS if exact else None)


# dotenv's /^(['"`])([\s\S]*)\1$/mg: JavaScript's multiline ^ and $ also see U+2028/9.
@functools.cache
def _unquote() -> re.Pattern[str]:
    # Compiled on first use: every start pays for what it compiles at import.
    return re.compile(r"(?:^|(?<=[\n\u2028\u2029]))(['\"`])([\s\S]*)\1(?=\Z|[\n\u2028\u2029])")


class Entry(NamedTuple):
    """One assignment: the key, its raw (unexpanded) value and the 1-based line of the key."""

    key: str
    value: str
    line: int


def _clean(raw: str | None, strip: str | None) -> str:
    value = (raw or "").strip(strip)
    if not value:
        return value
    quote = value[0]
    if quote not in "'\"`" and "\u2028" not in value and "\u2029" not in value:
        return value  # the quote-removing expression cannot match: skip it
    value = _unquote().sub(r"\2", value)
    if quote == '"':
        value = value.replace("\\n", "\n").replace("\\r", "\r")
    return value


_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NOT_SIMPLE = "\x0b\x0c\x1c\x1d\x1e\x1f"
_SKIP = ("", "")


def _simple(line: str, checked: bool = False) -> tuple[str, str] | None:
    """A plain ``KEY=value`` line (or a blank or comment line: ``_SKIP``) read without the
    expression, which most lines are; ``None`` for anything the expression must decide.

    Plain: ASCII whose only whitespace is spaces and tabs, ``KEY=`` right after the
    indentation, a value that is not empty and has no ``#`` and no opening quote. Node's
    expression gives such a line the key and the value with its surrounding spaces and tabs
    removed, exactly.
    ``checked``: the caller has found the whole text ASCII and free of ``_NOT_SIMPLE``.
    """
    if not checked and (not line.isascii() or any(c in line for c in _NOT_SIMPLE)):
        return None
    s = line.lstrip(" \t")
    if not s or s[0] == "#":
        return _SKIP
    # the key runs up to the first "=" ("=" is no key character), all of it key characters
    i = s.find("=")
    if i <= 0 or not _KEY_CHARS.issuperset(s[:i]) or s.startswith("export"):
        return None
    value = s[i + 1 :].strip(" \t")
    # an empty value is Node's to read: its quoted forms may start on a later line
    # (``C=`` then ``'x'`` reads C=x)
    if not value or "#" in value or value[0] in ("'", '"', "`"):
        return None
    return s[:i], value


def parse(text: str, *, source: str = "<string>") -> list[Entry]:
    """Parse dotenv text into entries in file order (duplicates kept; the last wins later).

    Raises ``EnvFileError`` naming ``source`` and the line of anything that is not an
    assignment, a blank line or a comment.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    exact = any(c in text for c in _SPACES_DIFFER)
    # JavaScript's ^ and $ also break lines at U+2028/U+2029: the expression alone reads
    # such a text right (a comment ends there), the shortcut's lines would not
    shortcut = "\u2028" not in text and "\u2029" not in text
    # checked once for the whole text instead of once per line (``_simple``'s first test)
    checked = text.isascii() and not any(c in text for c in _NOT_SIMPLE)
    entries: list[Entry] = []
    pos, line, size = 0, 1, len(text)
    while pos < size:
        end = text.find("\n", pos)
        end = size if end == -1 else end
        simple = _simple(text[pos:end], checked) if shortcut else None
        if simple is not None:
            if simple is not _SKIP:
                entries.append(Entry(simple[0], simple[1], line))
            pos, line = end + 1, line + 1
            continue
        grammar = _grammar(exact)  # compiled once, only for a file that needs it
        m = grammar.line.match(text, pos)
        if m is not None:
            line += text.count("\n", pos, m.start(1))
            entries.append(Entry(m.group(1), _clean(m.group(2), grammar.strip), line))
            line += text.count("\n", m.start(1), m.end())
            pos = m.end()
            if pos < size and text[pos] == "\n":
                pos += 1
                line += 1
            continue
        if not grammar.ignorable.fullmatch(text, pos, end):
            raise EnvFileError(
                f"{source}:{line}: cannot parse {unparsable(text[pos:end])}: expected "
                "KEY=value, 'KEY: value', a comment or a blank line"
            )
        pos, line = end + 1, line + 1
    return entries


_LEADING_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z0-9_.-]+)[ \t]*[=:]")


def unparsable(text: str) -> str:
    """What an error says of a line it cannot parse: its key, where it starts with one, never
    its text (a line that does not parse is often a secret: a pasted or wrapped value)."""
    m = _LEADING_KEY.match(text)
    if m is not None:
        return f"the line of {m.group(1)}"
    return "a line without KEY= (a value wrapped onto a line of its own?)"


def read(path: Path, *, shown_as: str | None = None) -> list[Entry] | None:
    """Read and parse ``path``; ``None`` when it does not exist.

    A file that exists but cannot be read or decoded, or is no regular file, is an error, never a
    silent skip (``host_cli.support.files``).
    """
    name = shown_as or str(path)
    text = files.read_text(path, name, error=EnvFileError, what="a dotenv file")
    return None if text is None else parse(text, source=name)
