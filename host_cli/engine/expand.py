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

from collections.abc import Callable, Mapping
from typing import NamedTuple

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
# field, ``-c``) gets the same values as get-dotenv gives it, but never as code: each
# substituted value is quoted for the place it lands in, so its text can never become shell
# syntax. Text the user single-quoted is left alone (``awk '{print $2}'``), and ``\$NAME``
# leaves the reference to the shell, which reads it from the environment (out of ``ps``).


def _shell_quoted(value: str, context: str | None) -> str:
    """``value`` as literal text where it lands: bare, or inside double quotes."""
    if context == '"':
        return "".join("\\" + c if c in '"\\$`' else c for c in value)
    if not value:
        return ""  # as the shell's own unquoted empty expansion: no word at all
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


def expand_shell(command: str, lookup: Lookup, *, key: str = "") -> str:
    """Expand the references in a shell ``command``, each value quoted for the shell.

    Inside single quotes nothing is expanded; inside double quotes a value is escaped for
    them; elsewhere it becomes one single-quoted word (an empty value, no word). The
    default of ``${NAME:default}`` (nested references included) is a value too, expanded by
    get-dotenv's rule. ``\\$`` becomes ``$`` for the shell to expand.
    """
    if "$" not in command:
        return command
    out: list[str] = []
    quote: str | None = None
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
        if c == "'" and quote is None:
            quote = "'"
        elif c == '"':
            quote = None if quote == '"' else '"'
        elif c == "$":
            ref = _reference_at(command, i)
            if ref is not None:
                end, default = ref.end, ref.default
                if command.startswith("${", i) and default is not None and "${" in default:
                    end = _braced_end(command, i)  # ${A:${B}}: the default holds a reference
                    if end != -1:
                        default = command[command.index(":", i) + 1 : end - 1]
                    else:
                        end = ref.end
                if default:
                    default = expand(default, lookup, key=key)
                out.append(_shell_quoted(lookup(ref.name, default), quote))
                i = end
                continue
        out.append(c)
        i += 1
    return "".join(out)
