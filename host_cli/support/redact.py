"""Which values are secret, and how they are shown: ``[redacted]``.

Keys are matched case-insensitively. The defaults treat ``_``, ``.`` and ``-`` as word
boundaries, so ``DB_PASSWORD``, ``MY_SECRET``, ``API_TOKEN`` and ``*_KEY`` are masked (get-dotenv's
``\\bsecret\\b`` patterns miss them, since ``_`` is a word character there). ``--redact-pattern``
replaces the defaults. Redaction changes what is shown, never what a command receives.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
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


class Redactor:
    """Masks the values of secret-looking keys when on."""

    def __init__(self, on: bool, patterns: Sequence[re.Pattern[str]] | None = None) -> None:
        self.on = on
        self.patterns = tuple(patterns) if patterns is not None else _DEFAULTS

    def secret(self, key: str) -> bool:
        return any(p.search(key) for p in self.patterns)

    def show(self, key: str, value: str) -> str:
        return MASK if self.on and value and self.secret(key) else value


def wanted(setting: bool | None, stream: TextIO | None = None) -> bool:
    """``--redact``/``--redact-off`` as given; unset, redact when the stream is no terminal."""
    if setting is not None:
        return setting
    stream = stream if stream is not None else sys.stdout
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return True
