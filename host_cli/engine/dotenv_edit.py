"""The one dotenv file editor: set and unset keys of a ``.env`` file in place.

Every other line stays as it was: comments, blank lines, the order of keys, an ``export``
prefix, the spacing round ``=`` and an inline comment after the value. A key set that is not
in the file is appended at its end; a key set that is in it is rewritten wherever it appears
(every duplicate, so the last one, which wins, holds the new value); a key unset loses every
line that assigns it.

A value is spelled so that get-dotenv and this host read it back exactly (after expansion:
``$`` is written ``\\$``, get-dotenv's escape for a literal dollar), with the quoting of
``host_cli.support.serialize.encode``. Before anything is written the new text is parsed
again with this host's parser: the edited keys must read back as given and every other key
as before, or the edit is refused (never a file that reads back wrong). It is then read with
python-dotenv's own parser too, and each edited key python-dotenv would read differently gets
a *note* (returned, never printed here: the caller shows it). A value python-dotenv would read
as more than one assignment (one holding ', " and a line break, which only backticks carry for
get-dotenv) is refused: it would set other keys for every python-dotenv reader. Notes and
errors name files and keys, never values.

Files: an existing file keeps its mode (and owner, where we may set it); a new file is created
0600 unless the caller asks otherwise, a missing folder 0700; the file is never written
through a symlink (a symlink at the path is an error) and is replaced atomically (a temporary
file in the same folder, synced, then renamed over it). A text that cannot be parsed is an
error naming the file and line, and nothing is written.

python-dotenv is imported only when an edit is checked against it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from host_cli.engine import envfile
from host_cli.engine.expand import expand_all
from host_cli.support import files, serialize
from host_cli.support.errors import EnvFileError, GetDotenvError

#: A key mapped to its new value, or to ``None`` to unset it.
Updates = Mapping[str, "str | None"]

_KEY = re.compile(r"[A-Za-z0-9_.-]+")
_PLAIN_SEPARATOR = re.compile(r"[ \t]*=[ \t]*")


class TextEdit(NamedTuple):
    """An edit of dotenv text (nothing written)."""

    text: str
    changed: bool
    added: tuple[str, ...]  # keys set that were not in the text (appended)
    updated: tuple[str, ...]  # keys set that were in it (rewritten in place)
    removed: tuple[str, ...]  # keys unset that were in it (their lines removed)
    notes: tuple[str, ...]  # where python-dotenv would read an edited key differently
    unchanged: tuple[str, ...] = ()  # keys of ``updated`` that already held the value


class FileEdit(NamedTuple):
    """An edit of a dotenv file: what ``edit_file`` did."""

    path: Path
    shown: str
    changed: bool  # the file was written
    created: bool  # the file did not exist before
    template: Path | None  # the template the new file was bootstrapped from
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    notes: tuple[str, ...]
    unchanged: tuple[str, ...] = ()  # keys of ``updated`` that already held the value


class _Assignment(NamedTuple):
    """Where one assignment lies in the (LF-normalised) text.

    ``start``..``end`` is the assignment's own text: from the start of its line to the end of
    its value's line (an inline comment included). ``head`` is the indentation, any
    ``export`` and the key; ``separator`` what joins key and value (spacing kept);
    ``tail`` what follows the value on its last line (spacing and an inline comment).
    """

    key: str
    start: int
    end: int
    head: str
    separator: str
    tail: str


def filename(
    *,
    env: str | None = None,
    private: bool = True,
    token: str = ".env",
    private_token: str = "local",
) -> str:
    """The cascade file for a scope and privacy: ``.env``, ``.env.<env>``, ``.env.local`` or
    ``.env.<env>.local`` (get-dotenv's names; ``env=None`` is the global scope)."""
    parts = [token]
    if env is not None:
        parts.append(env)
    if private:
        parts.append(private_token)
    return ".".join(parts)


def _assignments(text: str, source: str) -> list[_Assignment]:
    """Every assignment of ``text`` (already LF-normalised), walked exactly as
    ``envfile.parse`` walks it; an unparsable line is ``EnvFileError``."""
    exact = any(c in text for c in envfile._SPACES_DIFFER)
    found: list[_Assignment] = []
    pos, size = 0, len(text)
    while pos < size:
        end = text.find("\n", pos)
        end = size if end == -1 else end
        line = text[pos:end]
        simple = envfile._simple(line)
        if simple is not None:
            if simple is not envfile._SKIP:
                indent = len(line) - len(line.lstrip(" \t"))
                key_end = pos + indent + len(simple[0])
                value = text[key_end + 1 : end]
                padding = value[: len(value) - len(value.lstrip(" \t"))]
                found.append(_Assignment(simple[0], pos, end, text[pos:key_end], "=" + padding, ""))
            pos = end + 1
            continue
        grammar = envfile._grammar(exact)
        m = grammar.line.match(text, pos)
        if m is None:
            if not grammar.ignorable.fullmatch(text, pos, end):
                envfile.parse(text, source=source)  # raises, naming the line
                raise EnvFileError(f"{source}: cannot parse the text")  # pragma: no cover
            pos = end + 1
            continue
        key_end = m.end(1)
        if m.group(2) is not None:
            raw = m.group(2)
            value_start = m.start(2) + len(raw) - len(raw.lstrip(grammar.strip))
            value_end = m.end(2) - (len(raw) - len(raw.rstrip(grammar.strip)))
        else:
            value_start = value_end = m.end()
            rest = text[key_end : m.end()]
            for i, c in enumerate(rest):
                if c in "=:":
                    value_start = value_end = key_end + i + 1
                    break
        separator = text[key_end:value_start]
        if not _PLAIN_SEPARATOR.fullmatch(separator):
            separator = "="  # 'KEY: value' (get-dotenv only) or a line break: written KEY=
        after = text[value_end : m.end()]
        cut = after.find("\n")
        tail = after if cut == -1 else after[:cut]
        own_end = value_end + len(tail)
        found.append(_Assignment(m.group(1), pos, own_end, text[pos:key_end], separator, tail))
        pos = own_end + 1 if own_end < size and text[own_end] == "\n" else own_end
    return found


def _check_key(key: str, shown: str) -> None:
    if not _KEY.fullmatch(key):
        raise GetDotenvError(
            f"{shown}: {key!r} is not a dotenv key (letters, digits, '_', '.' and '-')"
        )


def _spelling(key: str, value: str, shown: str) -> str:
    if "\0" in value:
        raise GetDotenvError(f"{shown}: {key}: the value holds a NUL byte; no dotenv file can")
    try:
        encoded = serialize.encode(value)
    except GetDotenvError as exc:
        raise GetDotenvError(f"{shown}: {key}: {exc}") from None
    if not encoded.portable and ("\n" in value or "\r" in value):
        # The backtick form of a value holding ', " and a line break: python-dotenv reads
        # its first line as the value and each further line as an assignment of its own, so
        # the value would choose (and override) other keys for every python-dotenv reader.
        # No quoting reads the same in get-dotenv and python-dotenv (each quote style has
        # no escape for its own quote in get-dotenv), so the edit is refused.
        extra = _python_dotenv_extra_keys(f"{key}={encoded.text}\n")
        if extra:
            raise GetDotenvError(
                f"{shown}: {key}: python-dotenv would read other keys or values from this "
                "value (it holds ', \" and a line break, which no dotenv quoting carries for "
                "both get-dotenv and python-dotenv); nothing written"
            )
    return encoded.text


def _python_dotenv_extra_keys(text: str) -> list[str]:
    """The keys python-dotenv reads from the one assignment ``text`` after its first."""
    import io

    from dotenv.parser import parse_stream

    found = [b.key for b in parse_stream(io.StringIO(text)) if b.key is not None]
    return found[1:]


def _line(a: _Assignment, spelled: str) -> str:
    head = a.head
    tail = a.tail
    if tail and not tail[0].isspace():
        tail = " " + tail  # python-dotenv needs a space before an inline comment
    return f"{head}{a.separator}{spelled}{tail}"


def _read_back(text: str, shown: str) -> dict[str, str]:
    """The values this host reads from ``text`` (raw, last duplicate winning)."""
    return {e.key: e.value for e in envfile.parse(text, source=shown)}


def _python_dotenv_reads(text: str) -> tuple[dict[str, str | None], set[int]]:
    """What ``dotenv_values`` reads from ``text`` (expanded with an empty process environment),
    and the lines it cannot parse (it warns and skips them)."""
    import io

    from dotenv.parser import parse_stream
    from dotenv.variables import parse_variables

    read: dict[str, str | None] = {}
    bad: set[int] = set()
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            bad.add(binding.original.line)
        elif binding.key is not None:
            value = binding.value
            if value is not None:
                scope = dict(read)
                value = "".join(atom.resolve(scope) for atom in parse_variables(value))
            read[binding.key] = value
    return read, bad


def _notes(text: str, wanted: Mapping[str, str], shown: str) -> tuple[str, ...]:
    """Notes for the keys of ``wanted`` that python-dotenv would not read as given: each
    ``"<shown>: <KEY>: python-dotenv would read this value differently (<why>); ..."``."""
    if not wanted:
        return ()
    theirs, bad = _python_dotenv_reads(text)
    lines = {e.key: e.line for e in envfile.parse(text, source=shown)}
    notes = []
    for key, value in wanted.items():
        if theirs.get(key) == value:
            continue
        if "$" in value:
            why = (
                "each '$' is written '\\$', get-dotenv's escape for a literal '$', which "
                "python-dotenv keeps"
            )
        elif bad:
            why = f"it cannot parse line {min(bad)} and skips it"
        elif "\r" in value:
            why = "it reads the escaped carriage return differently"
        else:
            why = "no quoting reads the same in both"
        notes.append(
            f"{shown}: {key}: python-dotenv would read this value differently ({why}); "
            f"get-dotenv and getdotenv read it as given (line {lines.get(key, '?')})"
        )
    return tuple(notes)


def edit_text(text: str, updates: Updates, *, shown: str = "<string>") -> TextEdit:
    """``text`` with ``updates`` applied (a ``None`` value unsets its key).

    Raises ``EnvFileError`` when ``text`` cannot be parsed and ``GetDotenvError`` (naming
    ``shown`` and the key) for a key or value no dotenv file can carry.
    """
    for key, value in updates.items():
        _check_key(key, shown)
        if value is not None:
            _spelling(key, value, shown)  # fail before any work on a value no file carries
    original = text
    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    before = _read_back(text, shown)
    spans = _assignments(text, shown)

    out: list[str] = []
    pos = 0
    for a in spans:
        out.append(text[pos : a.start])
        pos = a.end
        if a.key not in updates:
            out.append(text[a.start : a.end])
            continue
        value = updates[a.key]
        if value is None:
            # The line goes, with its line break; line breaks taken into the head stay.
            out.append(a.head[: a.head.rfind("\n") + 1])
            if pos < len(text) and text[pos] == "\n":
                pos += 1
            continue
        out.append(_line(a, _spelling(a.key, value, shown)))
    out.append(text[pos:])
    new = "".join(out)

    present = {a.key for a in spans}
    added = tuple(k for k, v in updates.items() if v is not None and k not in present)
    if added:
        if new and not new.endswith("\n"):
            new += "\n"
        new += "".join(f"{k}={_spelling(k, updates[k] or '', shown)}\n" for k in added)
    if crlf:
        new = new.replace("\n", "\r\n")

    # Read the result back: edited keys as given, all others as before.
    after = _read_back(new.replace("\r\n", "\n") if crlf else new, shown)
    wanted = {k: v for k, v in updates.items() if v is not None}
    got = expand_all({k: after.get(k, "") for k in wanted}, {})
    for key in updates:
        if updates[key] is None and key in after:
            raise GetDotenvError(f"{shown}: {key}: could not be unset (a bug; nothing written)")
        if updates[key] is not None and (key not in after or got[key] != updates[key]):
            raise GetDotenvError(
                f"{shown}: {key}: the value would not read back as given; nothing written"
            )
    for key, value in before.items():
        if key not in updates and after.get(key) != value:
            raise GetDotenvError(
                f"{shown}: {key}: editing other keys would change how it reads (a bug; "
                "nothing written)"
            )
    return TextEdit(
        text=new,
        changed=new != original,
        added=added,
        updated=tuple(k for k, v in updates.items() if v is not None and k in present),
        removed=tuple(k for k, v in updates.items() if v is None and k in present),
        notes=_notes(new, wanted, shown),
        unchanged=tuple(
            k
            for k, v in updates.items()
            if v is not None and k in present and before[k] == after[k]
        ),
    )


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    return exc.strerror or str(exc)


def _make_folders(folder: Path, shown: str) -> None:
    """Create ``folder`` and any missing parents, each 0700 (they will hold values)."""
    missing = []
    probe = folder
    while not probe.exists():
        if probe.is_symlink():
            raise GetDotenvError(f"{shown}: {probe} is a dangling symlink; not followed")
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
            os.chmod(path, 0o700, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            raise GetDotenvError(
                f"{shown}: cannot create the folder {path}: {_reason(exc)}"
            ) from None


def _lstat(path: Path, shown: str) -> os.stat_result | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise GetDotenvError(f"{shown}: a parent of {path} is not a folder") from None
    except OSError as exc:
        raise GetDotenvError(f"{shown}: cannot read {path}: {_reason(exc)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise GetDotenvError(
            f"{shown}: is a symlink; not written through it (edit its target instead)"
        )
    if not stat.S_ISREG(st.st_mode):
        raise GetDotenvError(f"{shown}: is not a regular file; expected a dotenv file")
    return st


def write_file(
    path: Path,
    text: str,
    *,
    shown: str,
    mode: int = 0o600,
    owner: tuple[int, int] | None = None,
) -> None:
    """Replace ``path`` with ``text`` atomically: a new temporary file in the same folder
    (created exclusively, never through a symlink), given exactly ``mode`` (no umask) and, if
    we may, ``owner``, synced, renamed over ``path``; then the folder is synced."""
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise GetDotenvError(f"{shown}: cannot write {path}: {_reason(exc)}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as f:
            os.fchmod(f.fileno(), mode)
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):
                    os.fchown(f.fileno(), *owner)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if os.path.islink(path):  # appeared since we looked: never replace it blindly
            raise GetDotenvError(f"{shown}: is a symlink; not written through it")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise GetDotenvError(f"{shown}: cannot write {path}: {_reason(exc)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    from host_cli.support.serialize import sync_folder

    sync_folder(folder)


def edit_file(
    path: Path,
    updates: Updates,
    *,
    shown: str | None = None,
    template: Path | None = None,
    new_mode: int = 0o600,
    create: bool = True,
) -> FileEdit:
    """Apply ``updates`` to the dotenv file at ``path`` in place (see the module docstring).

    A missing file starts from ``template`` when that file exists (get-dotenv's bootstrap:
    ``.env.local.template`` for ``.env.local``), else empty; it is created with ``new_mode``
    (0600), its folder 0700 if missing. ``create=False`` makes a missing file an error. An edit
    that changes nothing writes nothing (unless the file is new). Errors are one line naming
    ``shown`` (default: ``path``).
    """
    shown = shown or str(path)
    st = _lstat(path, shown)
    used_template: Path | None = None
    if st is not None:
        text = files.read_text(path, shown, error=EnvFileError, what="a dotenv file") or ""
        mode, owner = stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)
    else:
        if not create:
            raise GetDotenvError(f"{shown}: does not exist")
        text = ""
        if template is not None:
            template_text = files.read_text(
                template, str(template), error=EnvFileError, what="a dotenv template"
            )
            if template_text is not None:
                text, used_template = template_text, template
        mode, owner = new_mode, None
    edit = edit_text(text, updates, shown=shown)
    if st is None or edit.changed:
        if st is None:
            _make_folders(path.parent, shown)
        write_file(path, edit.text, shown=shown, mode=mode, owner=owner)
    return FileEdit(
        path=path,
        shown=shown,
        changed=st is None or edit.changed,
        created=st is None,
        template=used_template,
        added=edit.added,
        updated=edit.updated,
        removed=edit.removed,
        notes=edit.notes,
        unchanged=edit.unchanged,
    )
