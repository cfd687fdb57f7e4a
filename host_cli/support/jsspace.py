"""JavaScript's whitespace (``\\s`` and what ``String.prototype.trim`` removes), which get-dotenv's
parser and expansion use. Python's ``\\s`` differs: it adds ``\\x1c``-``\\x1f`` and ``\\x85`` and
lacks ``\\ufeff``."""

from __future__ import annotations

CHARS = "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
"""Every JavaScript whitespace character, for ``str.strip``."""
CLASS = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
"""The same set as the inside of a regular-expression character class."""
