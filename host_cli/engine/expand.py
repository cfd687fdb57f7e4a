"""Variable expansion with get-dotenv's grammar, plus cycle detection.

Grammar (get-dotenv's ``dotenvExpand``): ``$NAME``, ``$NAME:default`` (the default runs
to the next whitespace), ``${NAME}``, ``${NAME:default}`` (to the first ``}``). The string
is scanned right to left: the last unescaped ``$`` that starts a reference is replaced,
then the whole string is scanned again, so references nest (``${A:${B}}``) and a
replacement that itself holds references is expanded too. ``\\$`` is never a reference and
becomes ``$`` at the end.

Where we deliberately differ from get-dotenv (its bugs): a ``$`` that starts no reference
is kept and scanning goes on to its left (get-dotenv gives up on the whole value); the
replacement goes where the reference was found (get-dotenv replaces the first textual
occurrence); and a replacement that would expand forever is an error, not a hang.

Pure functions over plain mappings; nothing here reads ``os.environ``.
"""

from collections.abc import Callable, Container, Mapping
from typing import Any, NamedTuple

from host_cli.support import jsspace
from host_cli.support.errors import ExpansionError

_NAME = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_SPACE = frozenset(jsspace.CHARS)


class Reference(NamedTuple):
    start: int
    end: int
    name: str
    default: str | None  # None: no ':' (an empty default is "")


def _reference_at(s: str, i: int) -> Reference | None:
    """The reference starting at ``s[i] == "$"``, scanned by hand (it is on every start's path,
    and compiling the equivalent expressions would cost more than scanning):

    ``$NAME`` with an optional ``:default`` that runs to the next JavaScript whitespace, as in
    get-dotenv; else ``${NAME}`` with an optional ``:default`` up to the first ``}``.
    """
    n = len(s)
    j = i + 1
    if j < n and s[j] in _NAME:
        k = j + 1
        while k < n and s[k] in _NAME:
            k += 1
        if k < n and s[k] == ":":
            m = k + 1
            while m < n and s[m] not in _SPACE:
                m += 1
            return Reference(i, m, s[j:k], s[k + 1 : m])
        return Reference(i, k, s[j:k], None)
    if j < n and s[j] == "{":
        k = j + 1
        while k < n and s[k] in _NAME:
            k += 1
        if k == j + 1 or k == n:
            return None
        if s[k] == "}":
            return Reference(i, k + 1, s[j + 1 : k], None)
        if s[k] == ":":
            close = s.find("}", k + 1)
            if close != -1:
                return Reference(i, close + 1, s[j + 1 : k], s[k + 1 : close])
    return None


Lookup = Callable[[str, "str | None"], str]
"""``lookup(name, default)`` returns the text that replaces a reference."""


MAX_VALUE = 1024 * 1024
"""Characters an expanded value may have: far beyond what a process can receive (128 KiB)."""
MAX_WORK = 1 << 30
"""Characters one value's replacements may copy (each copies the value): about 50 ms."""


def _find_reference(s: str, end: int) -> Reference | None:
    """The rightmost unescaped reference starting before ``end``."""
    i = s.rfind("$", 0, end)
    while i != -1:
        if i == 0 or s[i - 1] != "\\":
            found = _reference_at(s, i)
            if found is not None:
                return found
        i = s.rfind("$", 0, i)
    return None


def expand(value: str, lookup: Lookup, *, key: str = "", where: str = "") -> str:
    """Expand every reference in ``value`` through ``lookup``.

    ``key`` (and ``where`` it is defined) only name the variable in the errors: a replacement
    that keeps producing the references that produced it, or a value growing past
    ``MAX_VALUE`` characters.
    """
    if "$" not in value:
        return value
    s = value
    # Spans of text that came from a replacement, each with the chain of names that
    # produced it: a name substituted inside text it produced itself would never stop.
    # Only spans left of the scan position matter (text to its right holds no reference).
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    work = steps = 0
    named = f"{key}{f' ({where})' if where else ''}: " if key else ""
    m = _find_reference(s, len(s))
    while m is not None:
        steps += 1
        work += len(s)
        if work > MAX_WORK:
            raise ExpansionError(
                f"{named}too many references to expand ({steps} replacements in a value of "
                f"{len(s)} characters, and more to go); use fewer"
            )
        start, end, name, default = m
        chain: tuple[str, ...] = ()
        for a, b, c in spans:
            if a <= start < b:
                chain = c
                break
        if name in chain:
            loop = " -> ".join((*chain, name))
            at = f" while expanding {key}" if key else ""
            raise ExpansionError(f"reference cycle{at}: {loop} keeps expanding to itself")
        text = lookup(name, default)
        if len(s) - (end - start) + len(text) > MAX_VALUE:
            raise ExpansionError(
                f"{named}the expanded value grows past {MAX_VALUE} characters (references "
                "that repeat each other, doubling at every step?)"
            )
        kept = [(a, min(b, start), c) for a, b, c in spans if a < start]
        if text:
            kept.append((start, start + len(text), (*chain, name)))
        spans = kept
        s = s[:start] + text + s[end:]
        # A reference now starts at or before the end of the replacement: text right of it
        # was scanned already and is unchanged (but for the character before it).
        m = _find_reference(s, start + len(text) + 1)
    return s.replace("\\$", "$")


def lookup_in(primary: Mapping[str, str], fallback: Mapping[str, str]) -> Lookup:
    """A lookup that reads ``primary``, where an empty value counts as unset, then ``fallback``,
    where it counts as set, then the reference's default."""

    def lookup(name: str, default: str | None) -> str:
        value = primary.get(name)
        if value:
            return value
        return fallback.get(name, default or "")

    return lookup


def references(value: str) -> list[str]:
    """Names referenced anywhere in ``value`` (defaults included), escapes excluded."""
    found = []
    i = value.find("$")
    while i != -1:
        if i == 0 or value[i - 1] != "\\":
            j = i + 1
            if j < len(value) and value[j] == "{":
                j += 1
            k = j
            while k < len(value) and value[k] in _NAME:
                k += 1
            if k > j:
                found.append(value[j:k])
        i = value.find("$", i + 1)
    return found


def check_cycles(values: Mapping[str, str], describe: Callable[[str], str]) -> None:
    """Raise when keys of ``values`` reference each other in a loop (``A=${B}``, ``B=${A}``).

    A key that references only itself (``PATH=$PATH:/x``) is fine: that reference reads
    the inherited value. ``describe(key)`` says where a key was defined.
    """
    graph: dict[str, list[str]] = {}
    for key, value in values.items():
        refs = [r for r in references(value) if r != key and r in values]
        if refs:
            graph[key] = refs
    if not graph:
        return
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in graph:
        if root in state:
            continue
        path = [root]
        todo = [list(reversed(graph[root]))]
        state[root] = 1
        while todo:
            if not todo[-1]:
                state[path.pop()] = 2
                todo.pop()
                continue
            nxt = todo[-1].pop()
            seen = state.get(nxt)
            if seen == 1:
                loop = [*path[path.index(nxt) :], nxt]
                where = ", ".join(f"{k} ({describe(k)})" for k in dict.fromkeys(loop))
                raise ExpansionError(f"reference cycle: {' -> '.join(loop)}; defined at {where}")
            if seen == 2:
                continue
            if nxt not in graph:
                state[nxt] = 2
                continue
            state[nxt] = 1
            path.append(nxt)
            todo.append(list(reversed(graph[nxt])))


def expand_all(
    values: Mapping[str, str],
    base: Mapping[str, str],
    *,
    base_empty_is_unset: bool = False,
    describe: Callable[[str], str] = lambda key: key,
) -> dict[str, str]:
    """Expand ``values`` progressively, in order, as get-dotenv's ``dotenvExpandAll`` does.

    Each value sees ``base`` plus the keys already expanded (which win). A key whose
    expanded value is empty counts as unset, so a default applies (get-dotenv turns an
    empty result into undefined). An empty variable in ``base`` counts as set unless
    ``base_empty_is_unset`` (used when ``base`` is itself a composed dotenv map). A
    reference to a key that comes later reads ``base``, or is empty.
    """
    check_cycles(values, describe)
    done: dict[str, str] = {}

    def lookup(name: str, default: str | None) -> str:
        if name in done:
            found = done[name]
            if found:
                return found
            return default or ""
        if name in base:
            found = base[name]
            if found or not base_empty_is_unset:
                return found
        return default or ""

    for key, value in values.items():
        done[key] = expand(value, lookup, key=key, where=describe(key) if "$" in value else "")
    return done


# -- shell strings -----------------------------------------------------------------------
#
# A command string the host expands before a shell runs it (a plugin's shell-string config
# field, ``-c``) gets the same values as get-dotenv gives it, but never as code. Robust by
# construction, not by parsing the shell's grammar: a value made only of characters that mean
# nothing to any shell is written as is; any other value is handed to the child in a *carrier*
# environment variable (``__GETDOTENV_1``, ...), and the command gets a reference to the
# carrier in the target shell's syntax. A small tracker of quotes only decides where the user
# single-quoted (left alone) and whether a reference lands inside double quotes; when it is
# wrong (a here-document, an unusual construct) the reference shows as literal text or
# expands to the value as data, never as code. Without a shell (``--shell-off``) the command
# is split into words, nothing can run, and a value is quoted to stay one word.

CARRIER_PREFIX = "__GETDOTENV_"
"""Carrier variables are ``__GETDOTENV_1``, ``__GETDOTENV_2``, ...: numbered in the order the
host meets the values, one per distinct value, skipping names the composed env uses."""

_INERT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-")
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_POSIX = frozenset(
    ["sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "lksh", "oksh", "pdksh", "ash", "yash"]
    + ["posh", "busybox", "rbash"]
)
_POWERSHELL = frozenset(["pwsh", "powershell"])


class ShellExpansion(NamedTuple):
    """An expanded shell command and the carriers its child needs in its environment (those
    passed in as ``carriers`` too)."""

    command: str
    carriers: Mapping[str, str]


def shell_kind(shell: str | None) -> str | None:
    """Which syntax a carrier reference takes in ``shell`` (a path or a name): ``"posix"``,
    ``"fish"``, ``"powershell"``, ``None`` for no shell (the command is split into words), or
    ``"unknown"`` (cmd.exe, csh, ...: no carrier can be written for it)."""
    if not shell:
        return None
    name = shell.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    if name in _POSIX:
        return "posix"
    if name == "fish":
        return "fish"
    if name in _POWERSHELL:
        return "powershell"
    return "unknown"


def _inert(value: str, kind: str) -> bool:
    """Whether ``value`` means nothing but itself wherever it lands in a command of ``kind``."""
    if kind == "posix" or kind == "fish":
        # no leading `=` (zsh's =cmd) or `%` (old fish's %job)
        return _INERT.issuperset(value) and value[0] not in "=%"
    if kind == "powershell":  # `@` splats, `,` makes arrays, `-x` is a parameter...
        return _WORD.issuperset(value)
    return _WORD.issuperset(value) or (
        _INERT.issuperset(value) and not any(c in value for c in "%=,@")
    )


def _carrier_ref(name: str, kind: str, quote: str | None) -> str:
    """A reference to the carrier ``name`` for a ``kind`` shell, bare or inside ``"``."""
    if kind == "posix":
        return f"${{{name}}}" if quote == '"' else f'"${{{name}}}"'
    if kind == "fish":  # no ${}: a quoted $NAME of its own, closing and reopening the user's "
        return f'""${name}""' if quote == '"' else f'"${name}"'
    return f"${{env:{name}}}"  # PowerShell, bare or inside "


def _split_quoted(value: str, quote: str | None) -> str:
    """``value`` as one word for ``shlex.split`` (no shell): bare, or inside double quotes."""
    if quote == '"':
        return "".join("\\" + c if c in '"\\' else c for c in value)
    if not value:
        return ""  # as a shell's unquoted empty expansion: no word at all
    import shlex

    return shlex.quote(value)


def _braced_end(s: str, i: int) -> int:
    """The index after the ``}`` closing ``${`` at ``i``, counting nested ``${…}``; -1 if none."""
    depth = 0
    j = i
    n = len(s)
    while j < n:
        if s.startswith("${", j) and (j == 0 or s[j - 1] != "\\"):
            depth += 1
            j += 2
            continue
        if s[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return -1


_WORD_START = frozenset(" \t\n;&|()<>")


def expand_shell(
    command: str,
    lookup: Lookup,
    *,
    shell: str | None,
    key: str = "",
    carriers: Mapping[str, str] | None = None,
    taken: Container[str] = (),
) -> ShellExpansion:
    """Expand the references in a shell ``command`` that ``shell`` runs (``None``: none, the
    command is split into words), each value reaching the shell as data.

    Inside single quotes (and in a ``#`` comment) nothing is expanded. A value of inert
    characters only is written as is; any other goes into a carrier variable (the ones in
    ``carriers`` are reused for the same value, new names skip ``taken``), referenced bare as
    one word, inside double quotes as part of them; an empty value outside quotes is no word,
    as the shell's own empty expansion. Inside ``$(…)`` and backticks references count as
    bare again. Without a shell a value is quoted to stay one word. The default of
    ``${NAME:default}`` (nested references included) is a value too, expanded by get-dotenv's
    rule. ``\\$`` becomes ``$`` for the shell to expand. A value that needs a carrier in a
    shell whose syntax is unknown (cmd.exe, csh) is an ``ExpansionError`` naming ``key``.
    """
    found = dict(carriers or {})
    if "$" not in command:
        return ShellExpansion(command, found)
    kind = shell_kind(shell)
    by_value = {v: k for k, v in found.items()}
    numbers = iter(range(1, 1 << 30))

    def place(value: str, quote: str | None, ref: str) -> str:
        if kind is None:
            return _split_quoted(value, quote)
        if not value:
            return ""
        if _inert(value, kind):
            return value
        if kind == "unknown":
            named = f"{key}: " if key else ""
            raise ExpansionError(
                f"{named}the value of ${ref} has characters other than letters, digits and "
                f"_+./:-, and getdotenv cannot pass it safely to {shell!r} (it can to sh, bash, "
                f"dash, zsh, ksh, fish, pwsh): use one of them (--shell) or write \\${ref} to "
                "leave the reference to the shell"
            )
        name = by_value.get(value)
        if name is None:
            name = f"{CARRIER_PREFIX}{next(numbers)}"
            while name in found or name in taken:
                name = f"{CARRIER_PREFIX}{next(numbers)}"
            found[name] = value
            by_value[value] = name
        return _carrier_ref(name, kind, quote)

    def reference(i: int, quote: str | None) -> tuple[str, int] | None:
        """The text for the reference at ``command[i] == "$"``, and the index after it."""
        ref = _reference_at(command, i)
        if ref is None:
            return None
        end, default = ref.end, ref.default
        if command.startswith("${", i) and default is not None and "${" in default:
            end = _braced_end(command, i)  # ${A:${B}}: the default holds a reference
            if end != -1:
                default = command[command.index(":", i) + 1 : end - 1]
            else:
                end = ref.end
        if default:
            default = expand(default, lookup, key=key)
        return place(lookup(ref.name, default), quote, ref.name), end

    def here_bodies(i: int) -> int:
        """Copy the bodies of the pending here-documents that start at ``command[i]``, with
        references expanded as inside double quotes where the delimiter is unquoted; return
        the index after the last one."""
        while heredocs and i < n:
            delimiter, literal, tabs = heredocs.pop(0)
            while i < n:
                end = command.find("\n", i)
                end = n if end == -1 else end + 1
                line = command[i:end]
                if (line.lstrip("\t") if tabs else line).rstrip("\n") == delimiter:
                    out.append(line)
                    i = end
                    break
                if literal:
                    out.append(line)
                    i = end
                    continue
                while i < end:
                    c = command[i]
                    if c == "\\" and i + 1 < end:
                        out.append("$" if command[i + 1] == "$" else command[i : i + 2])
                        i += 2
                        continue
                    done = reference(i, '"') if c == "$" else None
                    if done is not None:
                        out.append(done[0])
                        i = done[1]
                        continue
                    out.append(c)
                    i += 1
        return i

    def here_word(i: int) -> int:
        """After ``<<`` at ``command[i]``: note the here-document, copy its operator and
        delimiter word, return the index after them."""
        j = i + 2
        tabs = command.startswith("-", j)
        j += tabs
        while j < n and command[j] in " \t":
            j += 1
        if j == n or not (command[j].isalpha() or command[j] in "_'\"\\"):
            out.append("<<")  # not a delimiter word: a shift in $((…)), say
            return i + 2
        word: list[str] = []
        literal = False
        in_quote: str | None = None
        while j < n:
            c = command[j]
            if in_quote:
                if c == in_quote:
                    in_quote = None
                else:
                    word.append(c)
            elif c in "'\"":
                in_quote, literal = c, True
            elif c == "\\" and j + 1 < n:
                literal = True
                word.append(command[j + 1])
                j += 1
            elif c in _WORD_START:
                break
            else:
                word.append(c)
            j += 1
        if word:
            heredocs.append(("".join(word), literal, tabs))
        out.append(command[i:j])
        return j

    out: list[str] = []
    quote: str | None = None
    heredocs: list[tuple[str, bool, bool]] = []  # (delimiter, quoted, <<-) not yet read
    # Quote state outside each open $( or ` (a command substitution starts bare); an entry's
    # second item counts the plain ( open inside it.
    nest: list[list[Any]] = []
    i, n = 0, len(command)
    while i < n:
        c = command[i]
        if quote == "'":
            out.append(c)
            if c == "'":
                quote = None
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            out.append("$" if command[i + 1] == "$" else command[i : i + 2])
            i += 2
            continue
        if c == "\n" and quote is None and heredocs and kind == "posix":
            out.append(c)
            i = here_bodies(i + 1)
            continue
        if c == "<" and quote is None and kind == "posix" and command.startswith("<<", i):
            if command.startswith("<<<", i):
                out.append("<<<")
                i += 3
            else:
                i = here_word(i)
            continue
        if c == "#" and quote is None and kind and (i == 0 or command[i - 1] in _WORD_START):
            end = command.find("\n", i)
            end = n if end == -1 else end
            out.append(command[i:end])  # a comment: nothing in it is expanded
            i = end
            continue
        if c == "'" and quote is None:
            quote = "'"
        elif c == '"':
            quote = None if quote == '"' else '"'
        elif c == "`":
            if nest and nest[-1][0] == "`":
                quote = nest.pop()[1]
            else:
                nest.append(["`", quote, 0])
                quote = None
        elif c == "(" and quote is None and nest:
            nest[-1][2] += 1
        elif c == ")" and quote is None and nest and nest[-1][0] == "$(":
            if nest[-1][2]:
                nest[-1][2] -= 1
            else:
                quote = nest.pop()[1]
        elif c == "$":
            if command.startswith("$(", i):
                nest.append(["$(", quote, 0])
                quote = None
                out.append("$(")
                i += 2
                continue
            done = reference(i, quote)
            if done is not None:
                out.append(done[0])
                i = done[1]
                continue
        out.append(c)
        i += 1
    return ShellExpansion("".join(out), found)
