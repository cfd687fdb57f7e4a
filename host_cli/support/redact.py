"""Which values are secret, and how they are shown: ``[redacted]``.

Keys are matched case-insensitively. The defaults treat ``_``, ``.`` and ``-`` as word
boundaries, so ``DB_PASSWORD``, ``MY_SECRET``, ``API_TOKEN`` and ``*_KEY`` are masked (get-dotenv's
``\\bsecret\\b`` patterns miss them, since ``_`` is a word character there). ``--redact-pattern``
replaces the defaults. Redaction changes what is shown, never what a command receives.

Values are recognised by their shape too, whatever their key: a password inside a URL
(``postgres://app:pw@host`` shows as ``postgres://app:[redacted]@host``), AWS access key ids
(``AKIA…``/``ASIA…``), GitHub tokens (``ghp_…``, ``github_pat_…``), Stripe keys (``sk_live_…``),
Slack tokens (``xoxb-…``) and PEM private-key blocks. User patterns replace these defaults too.

Masking is for *showing* values (``--log``, ``--trace``, error messages, the pytest fixture's
repr). A caller that hands values over (``get``, ``export``, ``--output-path``) uses no
``Redactor`` at all, or one made with ``on=False``: the choice is the caller's, by purpose.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TextIO

MASK = "[redacted]"
# snake_case, kebab-case and dotted keys: a secret word between separators.
_WORDS = (
    r"(?i)(^|[_.-])(pass(word|wd|phrase)?|pwd|secrets?|tokens?|credentials?|auth|private|"
    r"api[_-]?keys?|keys?|signature|salt|cookie|session)([_.-]|$)"
)
# camelCase keys: dbPassword, apiKey, githubToken.
_CAMEL = r"[a-z0-9](Pass(word|wd|phrase)?|Secrets?|Tokens?|Credentials?|ApiKey|Keys?)([A-Z_.-]|$)"
DEFAULT_PATTERNS = (_WORDS, _CAMEL)
_DEFAULTS = tuple(re.compile(p) for p in DEFAULT_PATTERNS)

# Secret-looking values, whatever their key; a match's group "secret" (else all of it) is masked.
DEFAULT_VALUE_SHAPES = (
    # user:password@ in a URL: only the password goes
    r"(?i)\b[a-z][a-z0-9+.-]*://[^\s/?#@:]*:(?P<secret>[^\s/?#@]+)@",
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?"
    r"(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)",
    r"\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
    r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})\b",
    r"\b[sr]k_(live|test)_[A-Za-z0-9]{10,}\b",
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b",
)
_SHAPES = tuple(re.compile(p, re.DOTALL) for p in DEFAULT_VALUE_SHAPES)
_MIN_SCRUBBED = 4  # shorter secret values are not searched for in messages: "1" is everywhere


def mask_shapes(text: str, shapes: Sequence[re.Pattern[str]] = _SHAPES) -> str:
    """``text`` with every secret-shaped part (``shapes``) replaced by ``[redacted]``."""
    for shape in shapes:
        if "secret" in shape.groupindex:

            def one(m: re.Match[str]) -> str:
                start, end = m.span("secret")
                whole = m.group(0)
                return whole[: start - m.start()] + MASK + whole[end - m.start() :]

            text = shape.sub(one, text)
        else:
            text = shape.sub(MASK, text)
    return text


class Redactor:
    """Masks the values of secret-looking keys when on."""

    def __init__(self, on: bool, patterns: Sequence[re.Pattern[str]] | None = None) -> None:
        self.on = on
        self.patterns = tuple(patterns) if patterns is not None else _DEFAULTS
        # A user's own patterns replace every default, the value shapes too.
        self.shapes = _SHAPES if patterns is None else ()

    def secret(self, key: str) -> bool:
        """Whether ``key``'s name says its value is secret."""
        return any(p.search(key) for p in self.patterns)

    def show(self, key: str, value: str) -> str:
        """``value`` as shown: masked when on and its key or its shape says secret."""
        if not self.on or not value:
            return value
        if self.secret(key):
            return MASK
        return mask_shapes(value, self.shapes) if self.shapes else value

    def scrub(self, text: str, env: Mapping[str, str] | None = None) -> str:
        """Free text (an error message) with secrets masked: the values of ``env``'s secret keys
        wherever they appear, and secret-shaped parts. Applies when on."""
        if not self.on:
            return text
        values = {
            value
            for key, value in (env or {}).items()
            if len(value) >= _MIN_SCRUBBED and self.secret(key)
        }
        for value in sorted(values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return mask_shapes(text, self.shapes) if self.shapes else text


def wanted(setting: bool | None, stream: TextIO | None = None) -> bool:
    """``--redact``/``--redact-off`` as given; unset, redact when the stream is no terminal."""
    if setting is not None:
        return setting
    stream = stream if stream is not None else sys.stdout
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return True


class ShownStr(str):
    """A secret value: the real string everywhere, except its ``repr``, which is masked (so
    pytest's assertion diffs and ``-l`` locals show ``'[redacted]'``)."""

    shown: str

    def __new__(cls, value: str, shown: str) -> ShownStr:
        self = super().__new__(cls, value)
        self.shown = shown
        return self

    def __repr__(self) -> str:
        return repr(self.shown)

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))  # pickled (or copied) as the plain value


class MaskedView(Mapping[str, str]):
    """A read-only view of an environment whose ``repr`` (what pytest prints for a failing
    test's arguments and assertions) masks secrets. Reading a key gives the real value; a
    secret one comes as a ``ShownStr``, a ``str`` whose own ``repr`` is masked too."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str], redactor: Redactor | None = None) -> None:
        redactor = redactor if redactor is not None else Redactor(True)
        shown = ((k, v, redactor.show(k, v)) for k, v in data.items())
        self._data = {k: (v if s == v else ShownStr(v, s)) for k, v, s in shown}

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"
