"""What happens once the environment is composed, before any command: ``requiredKeys``
(``--strict``), ``--trace``, ``--log`` and ``--output-path``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from host_cli.engine.context import HostContext
from host_cli.support.errors import GetDotenvError, shorten
from host_cli.support.redact import Redactor, wanted

INHERITED = "the inherited environment"


def required(context: HostContext, warn: Callable[[str], None]) -> None:
    """Warn about (or, with ``--strict``, fail on) missing ``requiredKeys``."""
    source = next((s for s in reversed(context.sources) if s.required_keys is not None), None)
    if source is None or source.required_keys is None:
        return
    seen = {**context.process_env, **context.env}
    missing = [key for key in source.required_keys if not seen.get(key)]
    if not missing:
        return
    message = f"required keys missing: {', '.join(missing)} (requiredKeys in {source.shown})"
    if context.options.strict:
        raise GetDotenvError(message)
    warn(f"{message}; --strict makes this an error")


def trace_lines(context: HostContext, redactor: Redactor) -> list[str]:
    """One line per traced key: its value, where it came from, and what it overrode."""
    keys = list(context.options.trace_keys) or list(context.env)
    lines = []
    for key in keys:
        layers = [str(o) for o in context.origins.get(key, ())]
        if key in context.env:
            value = json.dumps(redactor.show(key, context.env[key]))
            where = layers[-1] if layers else "unknown"
            overrode = layers[:-1]
            if key in context.process_env:
                overrode.insert(0, INHERITED)
            extra = f" (overrides {', '.join(overrode)})" if overrode else ""
            lines.append(f"[trace] {key} = {value} from {where}{extra}")
        elif key in context.process_env:
            value = json.dumps(redactor.show(key, context.process_env[key]))
            lines.append(f"[trace] {key} = {value} from {INHERITED}")
        else:
            last = context.origins.get(key, ())[-1:]
            after = f" (deleted by {last[0].source})" if last and last[0].layer == "deleted" else ""
            lines.append(f"[trace] {key} is not set{after}")
    return lines


def log_text(context: HostContext, redactor: Redactor, warn: Callable[[str], None]) -> str:
    """The composed environment in ``--format`` form, secret-looking values masked when
    ``redactor`` is on (``--log`` keeps the rule: masked off a terminal)."""
    fmt = context.options.format
    if fmt == "dotenv":
        from host_cli.support.serialize import line

        lines = []
        for key, value in context.env.items():
            shown = redactor.show(key, value)
            lines.append(line(key, value, "--log").text if shown == value else f"{key}={shown}\n")
        return "".join(lines)
    from host_cli.support import formats

    shown_env = {key: redactor.show(key, value) for key, value in context.env.items()}
    rendered = formats.render(shown_env, fmt)
    for warning in formats.warnings(rendered, f"--log --format {fmt}"):
        warn(warning)
    return rendered.text


def output(context: HostContext, warn: Callable[[str], None]) -> None:
    from host_cli.support.serialize import render, write_atomically

    given = context.options.output_path
    assert given is not None
    if given.endswith(("/", os.sep)) or os.path.basename(given) in ("", ".", ".."):
        raise GetDotenvError(
            f"--output-path: {shorten(given)} names a folder; give a file name, e.g. "
            f"{os.path.join(given, '.env.composed')}"
        )
    path = Path(given) if Path.cwd() == context.cwd else context.cwd / given
    fmt = context.options.format
    differ: list[str] = []
    # --output-path hands the values over: never masked, whatever --redact says.
    if fmt == "dotenv":
        text, differ = render(dict(context.env))
    else:
        from host_cli.support import formats

        rendered = formats.render(dict(context.env), fmt)
        text = rendered.text
        for warning in formats.warnings(rendered, f"--output-path --format {fmt}"):
            warn(warning)
    write_atomically(Path(path), text, shown="--output-path")
    if differ:
        from host_cli.support.serialize import split_for_python_dotenv

        split = split_for_python_dotenv({k: context.env[k] for k in differ})
        differ = [k for k in differ if k not in split]
        if split:
            warn(
                f"--output-path: python-dotenv would read the values of {', '.join(split)} as "
                "further assignments, of other keys (each holds ', \" and a line break, which "
                "only get-dotenv's backticks carry); get-dotenv and getdotenv read them as "
                "composed"
            )
    if differ:
        warn(
            f"--output-path: python-dotenv reads {', '.join(differ)} with a backslash before "
            "each $ (get-dotenv and getdotenv read them as composed)"
        )


def unknown_env(context: HostContext, warn: Callable[[str], None]) -> None:
    """Warn (or, with ``--strict``, fail) when ``--env`` selects nothing at all: a typo."""
    if context.unknown_env is None:
        return
    token = context.options.dotenv_token
    known = ", ".join(context.unknown_env) or "none"
    message = (
        f"--env {context.env_name!r} selects no {token}.{context.env_name}* file in any --paths "
        f"folder and no config envVars entry (environments that exist: {known})"
    )
    if context.options.strict:
        raise GetDotenvError(message)
    warn(f"{message}; --strict makes this an error")


def unclaimed(context: HostContext, warn: Callable[[str], None]) -> None:
    """Warn (or, with ``--strict``, fail) about ``plugins.<name>`` slices no plugin claims."""
    if not context.unclaimed:
        return
    if context.options.strict:
        raise GetDotenvError(context.unclaimed[0])
    for message in context.unclaimed:
        warn(f"{message}; it is ignored; --strict makes this an error")


def apply(context: HostContext, warn: Callable[[str], None]) -> None:
    """Run every requested effect, in a fixed order: check, trace, log, write."""
    opts = context.options
    unclaimed(context, warn)
    unknown_env(context, warn)
    required(context, warn)
    patterns = opts.redact_patterns
    if opts.trace:
        redactor = Redactor(wanted(opts.redact, sys.stderr), patterns)
        for line in trace_lines(context, redactor):
            print(line, file=sys.stderr)
    if opts.log:
        redactor = Redactor(wanted(opts.redact, sys.stdout), patterns)
        sys.stdout.write(log_text(context, redactor, warn))
        sys.stdout.flush()
    if opts.output_path:
        output(context, warn)
