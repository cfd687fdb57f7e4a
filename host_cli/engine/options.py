"""Root options: their spelling, their types, and how layers of them resolve to one value each.

Layers, lowest first: built-in defaults, the embedding tool's defaults, config
``rootOptionDefaults`` (pyproject < public < local), then the command line (flags and
their ``GETDOTENV_*`` variables). An explicit flag always beats config, ``-off`` twins
included. Pure: no I/O; the caller passes the process environment where it is needed.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from host_cli.support.errors import OptionError
from host_cli.support.proc import default_shell

Kind = Literal["str", "bool", "shell", "paths", "strs", "number", "trace"]


class Spec(NamedTuple):
    """One root option: camelCase config key, CLI flag, value kind, and parse-time expansion."""

    key: str
    flag: str
    kind: Kind
    expands: bool = False
    used: bool = True  # False: accepted for get-dotenv compatibility, has no effect here


SPECS: tuple[Spec, ...] = (
    Spec("env", "--env", "str", expands=True),
    Spec("defaultEnv", "--default-env", "str", expands=True),
    Spec("defaultEnvKey", "--default-env-key", "str", expands=True),
    Spec("paths", "--paths", "paths", expands=True),
    Spec("pathsDelimiter", "--paths-delimiter", "str"),
    Spec("pathsDelimiterPattern", "--paths-delimiter-pattern", "str"),
    Spec("dotenvToken", "--dotenv-token", "str", expands=True),
    Spec("privateToken", "--private-token", "str", expands=True),
    Spec("vars", "--vars", "str", expands=True),
    Spec("varsDelimiter", "--vars-delimiter", "str"),
    Spec("varsDelimiterPattern", "--vars-delimiter-pattern", "str"),
    Spec("varsAssignor", "--vars-assignor", "str"),
    Spec("varsAssignorPattern", "--vars-assignor-pattern", "str"),
    Spec("excludeAll", "--exclude-all", "bool"),
    Spec("excludeEnv", "--exclude-env", "bool"),
    Spec("excludeGlobal", "--exclude-global", "bool"),
    Spec("excludePrivate", "--exclude-private", "bool"),
    Spec("excludePublic", "--exclude-public", "bool"),
    Spec("excludeDynamic", "--exclude-dynamic", "bool"),
    Spec("shell", "--shell", "shell"),
    Spec("debug", "--debug", "bool"),
    Spec("log", "--log", "bool"),
    Spec("outputPath", "--output-path", "str", expands=True),
    Spec("format", "--format", "str"),
    Spec("trace", "--trace", "trace"),
    Spec("redact", "--redact", "bool"),
    Spec("redactPatterns", "--redact-pattern", "strs"),
    Spec("strict", "--strict", "bool"),
    Spec("dynamicPath", "--dynamic-path", "str", expands=True),
    Spec("dialect", "--dialect", "str"),
    # get-dotenv options with no meaning for this host: accepted in config so that a
    # shared getdotenv.config.* works unchanged under both hosts.
    Spec("loadProcess", "--load-process", "bool", used=False),
    Spec("capture", "--capture", "bool", used=False),
    Spec("warnEntropy", "--entropy-warn", "bool", used=False),
    Spec("entropyThreshold", "--entropy-threshold", "number", used=False),
    Spec("entropyMinLength", "--entropy-min-length", "number", used=False),
    Spec("entropyWhitelist", "--entropy-whitelist", "strs", used=False),
)
BY_KEY: dict[str, Spec] = {s.key: s for s in SPECS}
PARENT_VARIABLE = "getDotenvCliOptions"  # get-dotenv's name: nested runs of either host read it
# The keys a getdotenv composition derived through plugins (STAGE_NAME, ...), each with a
# checksum of its value: "KEY:crc32hex,KEY2:...". A nested run (a `cmd` child, a pytest
# session's compose()) derives them afresh instead of taking them for values the user set.
DERIVED_VARIABLE = "getdotenvDerived"

BUILTIN_DEFAULTS: dict[str, Any] = {
    "paths": "./",
    "pathsDelimiter": " ",
    "dotenvToken": ".env",
    "privateToken": "local",
    "defaultEnvKey": "DEFAULT_ENV",
    "varsDelimiter": " ",
    "varsAssignor": "=",
    "shell": True,
    "dialect": "get-dotenv",
}
DIALECTS = ("get-dotenv", "python-dotenv")
FORMATS = ("dotenv", "json", "shell", "export")  # host_cli.support.formats.ENV_FORMATS

_TYPE_NAMES = {
    "str": "a string",
    "bool": "true or false",
    "shell": "true, false or a shell path",
    "paths": "a string or a list of strings",
    "strs": "a list of strings",
    "number": "a number",
    "trace": "true, false or a list of keys",
}


def check_value(spec: Spec, value: Any) -> bool:
    """Whether ``value`` has a type ``spec`` accepts in a config file."""
    if spec.kind == "str":
        return isinstance(value, str)
    if spec.kind == "bool":
        return isinstance(value, bool)
    if spec.kind == "shell":
        return isinstance(value, bool | str)
    if spec.kind == "paths":
        return isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
    if spec.kind == "strs":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if spec.kind == "trace":
        return isinstance(value, bool) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
    return isinstance(value, int | float) and not isinstance(value, bool)


def expected(spec: Spec) -> str:
    """What a value of ``spec`` should look like, for error messages."""
    return _TYPE_NAMES[spec.kind]


class Layer(NamedTuple):
    """Option values from one source; ``where(key)`` names the source in errors."""

    name: str
    values: Mapping[str, Any]
    kind: Literal["default", "config", "parent", "cli"] = "default"

    def where(self, key: str) -> str:
        if self.kind == "cli":
            return BY_KEY[key].flag if key in BY_KEY else key
        if self.kind == "parent":
            return f"{PARENT_VARIABLE} (from the getdotenv that started this one): {key}"
        if self.kind == "config":
            return f"{self.name}: rootOptionDefaults.{key}"
        return f"{self.name} default {key}"


class Options(NamedTuple):
    """Resolved root options, one value each."""

    env: str | None
    default_env: str | None
    default_env_key: str
    paths: tuple[str, ...]
    dotenv_token: str
    private_token: str
    vars: tuple[tuple[str, str], ...]
    exclude_env: bool
    exclude_global: bool
    exclude_private: bool
    exclude_public: bool
    exclude_dynamic: bool
    shell: str | None
    debug: bool
    log: bool
    output_path: str | None
    trace: bool
    trace_keys: tuple[str, ...]
    redact: bool | None  # None: only where values go to something that is not a terminal
    redact_patterns: tuple[re.Pattern[str], ...] | None  # None: the default patterns
    strict: bool
    dynamic_path: str | None
    dialect: str = "get-dotenv"  # how files are read: "get-dotenv" or "python-dotenv"
    format: str = "dotenv"  # how --log and --output-path write: one of FORMATS


def _compile(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise OptionError(
            f"{where}: {pattern!r} is not a valid regular expression: {exc}"
        ) from None


def split(text: str, delimiter: str, pattern: re.Pattern[str] | None) -> list[str]:
    """Split ``text`` by a regex (when given) or a literal delimiter; empty pieces dropped."""
    if pattern is not None:
        pieces, start = [], 0
        for m in pattern.finditer(text):
            if m.end() == m.start():
                continue
            pieces.append(text[start : m.start()])
            start = m.end()
        pieces.append(text[start:])
    elif delimiter:
        pieces = text.split(delimiter)
    else:
        pieces = [text]
    return [p for p in pieces if p]


def parse_vars(
    text: str,
    *,
    delimiter: str,
    delimiter_pattern: re.Pattern[str] | None,
    assignor: str,
    assignor_pattern: re.Pattern[str] | None,
    where: str,
) -> tuple[tuple[str, str], ...]:
    """``--vars`` pairs. Each piece splits on its first assignor only (``URL=a=b``)."""
    pairs = []
    for piece in split(text, delimiter, delimiter_pattern):
        if assignor_pattern is not None:
            m = assignor_pattern.search(piece)
            cut = (m.start(), m.end()) if m is not None and m.end() > m.start() else None
        else:
            i = piece.find(assignor) if assignor else -1
            cut = (i, i + len(assignor)) if i != -1 else None
        if cut is None or cut[0] == 0:
            raise OptionError(f"{where}: {piece!r} is not a KEY{assignor or '='}VALUE pair")
        pairs.append((piece[: cut[0]], piece[cut[1] :]))
    return tuple(pairs)


def pick(layers: Sequence[Layer], key: str) -> tuple[Any, Layer | None]:
    """The value of ``key`` in the highest layer that sets it, and that layer."""
    for layer in reversed(layers):
        if key in layer.values and layer.values[key] is not None:
            return layer.values[key], layer
    return None, None


def _exclusion(layers: Sequence[Layer], key: str) -> bool:
    # Within one layer the specific flag beats --exclude-all (so `-a --exclude-global-off`
    # keeps the global files); across layers the higher layer wins, whatever it says.
    for layer in reversed(layers):
        value = layer.values.get(key)
        if value is not None:
            return bool(value)
        value = layer.values.get("excludeAll")
        if value is not None:
            return bool(value)
    return False


def resolve(layers: Sequence[Layer]) -> Options:
    """Resolve ``layers`` (lowest first) into ``Options``; bad values raise ``OptionError``."""

    def text(key: str) -> str | None:
        value, _ = pick(layers, key)
        return value if isinstance(value, str) else None

    def pattern(key: str) -> re.Pattern[str] | None:
        value, layer = pick(layers, key)
        if not value or layer is None:
            return None
        return _compile(value, layer.where(key))

    paths_value, _ = pick(layers, "paths")
    if isinstance(paths_value, list):
        paths = tuple(p for p in paths_value if p)
    else:
        paths = tuple(
            split(
                paths_value or "./",
                text("pathsDelimiter") or "",
                pattern("pathsDelimiterPattern"),
            )
        )

    vars_text, vars_layer = pick(layers, "vars")
    pairs: tuple[tuple[str, str], ...] = ()
    if vars_text and vars_layer is not None:
        pairs = parse_vars(
            vars_text,
            delimiter=text("varsDelimiter") or "",
            delimiter_pattern=pattern("varsDelimiterPattern"),
            assignor=text("varsAssignor") or "",
            assignor_pattern=pattern("varsAssignorPattern"),
            where=vars_layer.where("vars"),
        )

    shell_value, _ = pick(layers, "shell")
    shell: str | None
    if shell_value is False:
        shell = None
    elif shell_value is True or shell_value is None or shell_value == "":
        shell = default_shell()
    else:
        shell = str(shell_value)

    trace, _ = pick(layers, "trace")
    patterns = None
    given, given_layer = pick(layers, "redactPatterns")
    if given is not None and given_layer is not None:
        # Matched against keys, case-insensitively, as get-dotenv's patterns are.
        where = given_layer.where("redactPatterns")
        patterns = tuple(_compile(p, where, re.IGNORECASE) for p in given)

    dialect, dialect_layer = pick(layers, "dialect")
    if dialect not in DIALECTS:
        where = dialect_layer.where("dialect") if dialect_layer is not None else "--dialect"
        raise OptionError(f"{where}: expected get-dotenv or python-dotenv, got {dialect!r}")

    fmt, fmt_layer = pick(layers, "format")
    if fmt is not None and fmt not in FORMATS:
        where = fmt_layer.where("format") if fmt_layer is not None else "--format"
        raise OptionError(f"{where}: expected one of {', '.join(FORMATS)}, got {fmt!r}")

    for key in ("dotenvToken", "privateToken", "defaultEnvKey"):
        value, layer = pick(layers, key)
        if not value and layer is not None:
            raise OptionError(f"{layer.where(key)}: expected a non-empty string")

    return Options(
        env=text("env") or None,
        default_env=text("defaultEnv") or None,
        default_env_key=text("defaultEnvKey") or "DEFAULT_ENV",
        paths=paths or ("./",),
        dotenv_token=text("dotenvToken") or ".env",
        private_token=text("privateToken") or "local",
        vars=pairs,
        exclude_env=_exclusion(layers, "excludeEnv"),
        exclude_global=_exclusion(layers, "excludeGlobal"),
        exclude_private=_exclusion(layers, "excludePrivate"),
        exclude_public=_exclusion(layers, "excludePublic"),
        exclude_dynamic=_exclusion(layers, "excludeDynamic"),
        shell=shell,
        debug=bool(pick(layers, "debug")[0]),
        log=bool(pick(layers, "log")[0]),
        output_path=text("outputPath") or None,
        trace=bool(trace),
        trace_keys=tuple(trace) if isinstance(trace, list) else (),
        redact=pick(layers, "redact")[0],
        redact_patterns=patterns,
        strict=bool(pick(layers, "strict")[0]),
        dynamic_path=text("dynamicPath") or None,
        dialect=dialect,
        format=fmt or "dotenv",
    )


def parent_values(raw: str | None) -> dict[str, Any]:
    """The root options a parent getdotenv (ours or get-dotenv) handed down, as a layer.

    Keys this host does not know or values of the wrong type are ignored: get-dotenv puts
    more in this variable than we read.
    """
    if not raw:
        return {}
    import json

    try:
        data = json.loads(raw)
    except ValueError:
        raise OptionError(f"{PARENT_VARIABLE}: not JSON; unset it or fix it") from None
    if not isinstance(data, dict):
        return {}
    out = {}
    for key, value in data.items():
        spec = BY_KEY.get(key)
        if spec is not None and spec.used and value is not None and check_value(spec, value):
            out[key] = value
    return out


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def to_json(value: Any) -> str:
    """JSON text of plain option values (strings, booleans, numbers, None, lists, mappings).

    Written here rather than with the ``json`` module, which would cost every start its import.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in _JSON_ESCAPES:
                out.append(_JSON_ESCAPES[ch])
            elif ch < " " or ch in ("\u2028", "\u2029") or "\ud800" <= ch <= "\udfff":
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_json(str(k))}: {to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def to_parent(options: Options, env_name: str | None, cwd: str) -> dict[str, Any]:
    """What a nested getdotenv inherits: the options that shape its environment.

    Paths are made absolute so they mean the same from another folder. Output options
    (``--log``, ``--output-path``, ``--trace``) are not handed down.
    """
    import os

    paths = [os.path.normpath(os.path.join(cwd, p)) for p in options.paths]
    delimiter = "\n" if any(" " in p for p in paths) else " "
    out: dict[str, Any] = {
        "paths": delimiter.join(paths),
        "pathsDelimiter": delimiter,
        "dotenvToken": options.dotenv_token,
        "privateToken": options.private_token,
        "defaultEnvKey": options.default_env_key,
        "excludeEnv": options.exclude_env,
        "excludeGlobal": options.exclude_global,
        "excludePrivate": options.exclude_private,
        "excludePublic": options.exclude_public,
        "excludeDynamic": options.exclude_dynamic,
        "shell": options.shell if options.shell else False,
        "debug": options.debug,
        "strict": options.strict,
    }
    if options.dialect != "get-dotenv":
        out["dialect"] = options.dialect
    if env_name:
        out["env"] = env_name
    if options.default_env:
        out["defaultEnv"] = options.default_env
    if options.redact is not None:
        out["redact"] = options.redact
    if options.redact_patterns is not None:
        out["redactPatterns"] = [p.pattern for p in options.redact_patterns]
    if options.dynamic_path:
        out["dynamicPath"] = os.path.normpath(os.path.join(cwd, options.dynamic_path))
    return out


def _checksum(value: str) -> str:
    import zlib

    return format(zlib.crc32(value.encode("utf-8", "surrogatepass")), "08x")


def derived_marker(derived: Mapping[str, str], inherited: Mapping[str, str]) -> str:
    """The ``DERIVED_VARIABLE`` value handing down ``derived`` (this run's derived values) and
    the entries of an inherited marker whose keys still hold the value they were derived as."""
    entries = {
        key: crc
        for key, crc in handed_derived(inherited).items()
        if key not in derived and key in inherited and _checksum(inherited[key]) == crc
    }
    entries.update((key, _checksum(value)) for key, value in derived.items() if "," not in key)
    return ",".join(f"{key}:{crc}" for key, crc in entries.items())


def handed_derived(process_env: Mapping[str, str]) -> dict[str, str]:
    """The inherited marker as ``{key: checksum}`` (empty when absent or malformed)."""
    raw = process_env.get(DERIVED_VARIABLE)
    if not raw:
        return {}
    out = {}
    for item in raw.split(","):
        key, sep, crc = item.rpartition(":")
        if sep and key:
            out[key] = crc
    return out


def derived_upstream(process_env: Mapping[str, str]) -> set[str]:
    """Inherited keys a parent composition derived and nobody changed since: plugins derive
    them again rather than keep them as the user's own."""
    return {
        key
        for key, crc in handed_derived(process_env).items()
        if key in process_env and _checksum(process_env[key]) == crc
    }
