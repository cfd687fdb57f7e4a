"""``aws secrets pull|push|delete``: a dotenv file <-> an AWS Secrets Manager secret.

The flags, the config slice (``plugins["aws/secrets"]``) and the secret's format are those of
aws-secrets-manager-tools 0.2.3's secrets plugin, so one secret serves get-dotenv and this host:
the secret is a JSON object whose values are strings, or ``null`` for "unset this key".

- ``pull`` reads the secret and edits one file of the cascade in place (``--to``, default
  ``env:private``: ``.env.<env>.local``), through the host's one dotenv editor: comments and
  other keys kept, a missing file bootstrapped from ``<file>.<templateExtension>``.
- ``push`` sends the composed variables whose winning value came from ``--from`` (default
  ``file:env:private``), creating the secret or putting a new version of it.
- ``delete`` deletes it, recoverable (``--recovery-window-days N``) or not (``--force``).

The logic lives in functions that take a botocore/boto3 Secrets Manager client; the typer
commands wire them to the aws group's resolved context (region, credentials, endpoint). No
value is ever printed: messages name the secret, the file and keys.
"""

# No `from __future__ import annotations`: typer reads the commands' annotations.

import contextlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

import typer
from typer.core import TyperCommand

from host_cli.support.errors import GetDotenvError

if TYPE_CHECKING:
    from host_cli.cli.builtin.aws.context import AwsContext
    from host_cli.cli.builtin.aws.secrets_config import SecretsConfig
    from host_cli.engine.context import HostContext

SLICE = "aws/secrets"
MAX_BYTES = 65_536  # Secrets Manager's SecretString limit
DEFAULT_NAME = "$STACK_NAME"
DEFAULT_FROM = ("file:env:private",)
DEFAULT_TO = "env:private"
DEFAULT_TEMPLATE = "template"

Scope = Literal["global", "env"]
Privacy = Literal["public", "private"]


# --- selectors ------------------------------------------------------------------------------


class FromSelector(NamedTuple):
    """One ``--from``: ``kind`` (file, config, dynamic, vars) and its fields (``*`` = any)."""

    kind: str
    scope: str = "*"
    privacy: str = "*"
    config_scope: str = "*"
    dynamic_source: str = "*"


class ToSelector(NamedTuple):
    scope: Scope
    privacy: Privacy


FROM_GRAMMAR = (
    "file:<global|env|*>:<public|private|*>, config:<packaged|project|*>:<global|env|*>:"
    "<public|private|*>, dynamic:<config|programmatic|dynamicPath|*> or vars"
)
_SCOPES = ("global", "env", "*")
_PRIVACIES = ("public", "private", "*")
_DYNAMIC_SOURCES = ("config", "programmatic", "dynamicPath", "*")


def _parts(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(":") if p.strip()]


def parse_from(raw: str, where: str = "--from") -> FromSelector:
    """A ``--from`` selector, read as aws-secrets-manager-tools reads it."""
    parts = _parts(raw)
    bad = GetDotenvError(f"{where}: {raw!r} is not a selector; expected {FROM_GRAMMAR}")
    kind = parts[0] if parts else ""
    if parts == ["vars"]:
        return FromSelector("vars")
    if kind == "file" and len(parts) == 3:
        if parts[1] in _SCOPES and parts[2] in _PRIVACIES:
            return FromSelector("file", scope=parts[1], privacy=parts[2])
    elif kind == "config" and len(parts) == 4:
        if (
            parts[1] in ("packaged", "project", "*")
            and parts[2] in _SCOPES
            and parts[3] in _PRIVACIES
        ):
            return FromSelector("config", parts[2], parts[3], config_scope=parts[1])
    elif kind == "dynamic" and len(parts) == 2 and parts[1] in _DYNAMIC_SOURCES:
        return FromSelector("dynamic", dynamic_source=parts[1])
    raise bad


def parse_to(raw: str, where: str = "--to") -> ToSelector:
    """A ``--to`` selector: ``(global|env):(public|private)``."""
    parts = _parts(raw)
    if len(parts) == 2 and parts[0] in ("global", "env") and parts[1] in ("public", "private"):
        return ToSelector(parts[0], parts[1])  # type: ignore[arg-type]
    raise GetDotenvError(
        f"{where}: {raw!r} is not a target; expected (global|env):(public|private), "
        "e.g. env:private"
    )


class Provenance(NamedTuple):
    """Where a key's winning value came from, in the selectors' terms."""

    kind: str  # file, config, dynamic, vars; "" for anything no selector names
    scope: str = ""
    privacy: str = ""
    config_scope: str = ""
    dynamic_source: str = ""


def _match(value: str, wanted: str) -> bool:
    return wanted == "*" or value == wanted


def matches(p: Provenance, sel: FromSelector) -> bool:
    if p.kind != sel.kind:
        return False
    if p.kind == "file":
        return _match(p.scope, sel.scope) and _match(p.privacy, sel.privacy)
    if p.kind == "config":
        return (
            _match(p.config_scope, sel.config_scope)
            and _match(p.scope, sel.scope)
            and _match(p.privacy, sel.privacy)
        )
    if p.kind == "dynamic":
        return _match(p.dynamic_source, sel.dynamic_source)
    return p.kind == "vars"


def provenance_of(host: "HostContext") -> dict[str, Provenance]:
    """The effective (last) origin of every composed key, classified as the selectors see it.

    Files: global (``.env``, ``.env.local``) or env (``.env.<env>*``), public or private
    (``*.local``). Config: this host reads only project config (get-dotenv also has a
    "packaged" one), ``vars`` is global and ``envVars.<env>`` env-scoped, a ``.local``
    config file private. Dynamic: ``dynamic`` of a config file is ``config``,
    ``--dynamic-path`` is ``dynamicPath``. A key a dynamic module deleted, or a plugin
    derived, matches no selector.
    """
    from host_cli.engine import cascade

    by_file: dict[str, tuple[str, str]] = {}
    for f in cascade.files(host.options, host.env_name, list(host.folders), host.cwd):
        name = f.path.name
        token = host.options.dotenv_token
        scoped = name not in (token, f"{token}.{host.options.private_token}")
        by_file[f.shown] = ("env" if scoped else "global", "private" if f.private else "public")
    config_private = {s.shown: ".local." in s.path.name for s in host.sources}
    config_dynamic = {s.dynamic for s in host.sources if s.dynamic}

    out: dict[str, Provenance] = {}
    for key, origins in host.origins.items():
        if not origins:
            continue
        last = origins[-1]
        if last.layer == "file" and last.source in by_file:
            scope, privacy = by_file[last.source]
            out[key] = Provenance("file", scope, privacy)
        elif last.layer == "config":
            shown, _, dotted = last.source.partition(": ")
            privacy = "private" if config_private.get(shown) else "public"
            scope = "env" if dotted.startswith("envVars.") else "global"
            out[key] = Provenance("config", scope, privacy, config_scope="project")
        elif last.layer == "vars":
            out[key] = Provenance("vars")
        elif last.layer == "dynamic":
            if host.options.dynamic_path and last.source == host.options.dynamic_path:
                source = "dynamicPath"
            elif last.source in config_dynamic:
                source = "config"
            else:
                source = "programmatic"
            out[key] = Provenance("dynamic", dynamic_source=source)
        else:
            out[key] = Provenance("")
    return out


def select(
    env: Mapping[str, str], provenance: Mapping[str, Provenance], selectors: Sequence[FromSelector]
) -> dict[str, str]:
    """The keys of ``env`` whose effective origin matches a selector, in provenance order."""
    return {
        key: env[key]
        for key, p in provenance.items()
        if key in env and any(matches(p, s) for s in selectors)
    }


# --- include / exclude ----------------------------------------------------------------------


def _words(values: Iterable[str] | None) -> list[str] | None:
    """Flag values, each also split on spaces and commas (``-i "A B"`` is ``-i A B``)."""
    if values is None:
        return None
    words = [w for v in values for w in re.split(r"[\s,]+", v) if w]
    return words or None


def include_exclude(
    cli_include: Sequence[str] | None,
    cli_exclude: Sequence[str] | None,
    cfg_include: Sequence[str] | None,
    cfg_exclude: Sequence[str] | None,
    where: str,
) -> tuple[list[str] | None, list[str] | None]:
    """As aws-secrets-manager-tools: either flag replaces both config lists; include and
    exclude together are an error."""
    inc, exc = _words(cli_include), _words(cli_exclude)
    include = inc if inc is not None else (None if exc is not None else _words(cfg_include))
    exclude = exc if exc is not None else (None if inc is not None else _words(cfg_exclude))
    if include and exclude:
        from_config = inc is None and exc is None
        raise GetDotenvError(
            f"{where}: -i/--include and -e/--exclude are mutually exclusive"
            + (f' (both set in plugins["{SLICE}"])' if from_config else "")
        )
    return include, exclude


def apply_include_exclude(
    values: Mapping[str, Any], include: Sequence[str] | None, exclude: Sequence[str] | None
) -> dict[str, Any]:
    out = dict(values)
    if exclude:
        for key in exclude:
            out.pop(key, None)
    if include:
        keep = set(include)
        out = {k: v for k, v in out.items() if k in keep}
    return out


# --- the secret -----------------------------------------------------------------------------


def secret_string(values: Mapping[str, str | None]) -> str:
    """The SecretString, as JavaScript's ``JSON.stringify`` writes it (compact, UTF-8)."""
    return json.dumps(dict(values), ensure_ascii=False, separators=(",", ":"))


def check_size(text: str, where: str) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise GetDotenvError(
            f"{where}: the secret would be {size:,} bytes, over Secrets Manager's {MAX_BYTES:,}; "
            "narrow the selection with --from/--include/--exclude (nothing sent)"
        )


def parse_secret(text: str | None, name: str, where: str) -> dict[str, str | None]:
    """The secret's env map: a JSON object of string or null values."""
    if text is None:
        raise GetDotenvError(
            f"{where}: secret {name!r} holds no SecretString (binary secrets are not supported)"
        )
    try:
        data = json.loads(text)
    except ValueError:
        raise GetDotenvError(
            f"{where}: secret {name!r} is not JSON; expected an object of string values"
        ) from None
    if not isinstance(data, dict):
        raise GetDotenvError(
            f"{where}: secret {name!r} is JSON but not an object; expected an object of "
            "string values"
        )
    for key, value in data.items():
        if value is not None and not isinstance(value, str):
            raise GetDotenvError(
                f"{where}: secret {name!r}: the value of {key!r} is {type(value).__name__}; "
                "expected a string or null"
            )
    return data


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _not_found(name: str, where: str, region: str | None) -> GetDotenvError:
    in_region = f" in {region}" if region else ""
    return GetDotenvError(f"{where}: secret {name!r} not found{in_region}")


def _region(client: Any) -> str | None:
    meta = getattr(client, "meta", None)
    return getattr(meta, "region_name", None)


def _scrubbed(message: str, values: Iterable[str | None]) -> str:
    """``message`` with any value of the secret masked (AWS validation errors may quote)."""
    for value in sorted((v for v in values if v and len(v) >= 4), key=len, reverse=True):
        message = message.replace(value, "[redacted]")
    return message


def read_secret(client: Any, name: str, where: str = "aws secrets pull") -> dict[str, str | None]:
    """The secret ``name`` as an env map; a missing secret is one line."""
    from botocore.exceptions import ClientError

    try:
        answer = client.get_secret_value(SecretId=name)
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            raise _not_found(name, where, _region(client)) from None
        raise
    return parse_secret(answer.get("SecretString"), name, where)


def upsert_secret(
    client: Any, name: str, values: Mapping[str, str], where: str = "aws secrets push"
) -> Literal["created", "updated"]:
    """Put a new version of ``name``, creating the secret when it does not exist (and only
    then: any other error is raised)."""
    from botocore.exceptions import ClientError

    text = secret_string(values)
    check_size(text, where)
    try:
        try:
            client.put_secret_value(SecretId=name, SecretString=text)
            return "updated"
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
        client.create_secret(Name=name, SecretString=text)
        return "created"
    except ClientError as exc:
        error = exc.response.get("Error", {})
        message = _scrubbed(str(error.get("Message") or exc), values.values())
        raise GetDotenvError(f"{where}: {error.get('Code', 'Error')}: {message}") from None


def delete_options(
    recovery_window_days: int | None, force: bool, where: str = "aws secrets delete"
) -> dict[str, Any]:
    """DeleteSecret's options: a recovery window (7-30 days) or ``--force``, exactly one."""
    if force and recovery_window_days is not None:
        raise GetDotenvError(f"{where}: --force and --recovery-window-days are mutually exclusive")
    if force:
        return {"ForceDeleteWithoutRecovery": True}
    if recovery_window_days is None:
        raise GetDotenvError(
            f"{where}: give --recovery-window-days N (7-30: recoverable until then) or --force "
            "(deleted at once, no recovery)"
        )
    if not 7 <= recovery_window_days <= 30:
        raise GetDotenvError(
            f"{where}: --recovery-window-days {recovery_window_days}: expected 7 to 30"
        )
    return {"RecoveryWindowInDays": recovery_window_days}


def delete_secret(
    client: Any,
    name: str,
    *,
    recovery_window_days: int | None,
    force: bool,
    where: str = "aws secrets delete",
) -> None:
    from botocore.exceptions import ClientError

    kwargs = delete_options(recovery_window_days, force, where)
    try:
        client.delete_secret(SecretId=name, **kwargs)
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            raise _not_found(name, where, _region(client)) from None
        raise


# --- pull's target --------------------------------------------------------------------------


class Target(NamedTuple):
    path: Path
    template: Path | None  # the template to bootstrap from, when the file is missing
    name: str


def _lexists(path: Path) -> bool:
    import os

    return os.path.lexists(path)


def pull_target(
    folders: Sequence[Path],
    to: ToSelector,
    *,
    env_name: str | None,
    dotenv_token: str,
    private_token: str,
    template_extension: str,
    where: str = "aws secrets pull",
) -> Target:
    """get-dotenv's ``resolveDotenvTarget``: the last ``--paths`` folder (highest precedence)
    first, the first one holding the file, else its template; neither anywhere: the file in
    the last folder, created new."""
    from host_cli.engine.dotenv_edit import filename

    if to.scope == "env" and not env_name:
        raise GetDotenvError(
            f"{where}: --to {to.scope}:{to.privacy} needs an environment: give -e/--env (or "
            "set defaultEnv / DEFAULT_ENV)"
        )
    name = filename(
        env=env_name if to.scope == "env" else None,
        private=to.privacy == "private",
        token=dotenv_token,
        private_token=private_token,
    )
    if not folders:
        raise GetDotenvError(f"{where}: no --paths folder to write {name} in")
    for folder in reversed(folders):
        path = folder / name
        if _lexists(path):
            return Target(path, None, name)
        template = folder / f"{name}.{template_extension}"
        if _lexists(template):
            return Target(path, template, name)
    return Target(folders[-1] / name, None, name)


def _git(path: Path, *args: str) -> int | None:
    """The exit code of a quiet ``git ARGS -- NAME`` run in ``path``'s folder; ``None`` where
    git is missing, the folder does not exist or git could not run."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None or not path.parent.is_dir():
        return None
    try:
        return subprocess.run(
            [git, *args, "--", path.name],
            cwd=path.parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
            check=False,
        ).returncode
    except (OSError, subprocess.SubprocessError):
        return None


def tracked_by_git(path: Path) -> bool:
    """Whether ``path`` is in its git work tree's index (a committed file); ``False`` where git
    is missing or the folder is in no work tree."""
    return _git(path, "ls-files", "--error-unmatch") == 0


def ignored_by_git(path: Path) -> bool | None:
    """Whether git ignores ``path`` (``git check-ignore``); ``None`` where git is missing or the
    folder is in no work tree."""
    code = _git(path, "check-ignore", "-q")
    return code == 0 if code in (0, 1) else None


def exposure_warnings(path: Path, shown: str, where: str, *, allow_public: bool) -> list[str]:
    """One line each for the two common ways pulled secrets leak: a file others may read (a
    kept mode: an existing file keeps its own), and a file git does not ignore."""
    import os
    import stat

    warnings = []
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0
    if mode & 0o077:
        who = "everyone" if mode & 0o007 else "its group"
        warnings.append(
            f"{where}: {shown} (mode {mode:04o}) is readable by {who}, and so are the secrets "
            f"in it: chmod 600 {shown}"
        )
    if not allow_public and ignored_by_git(path) is False:
        warnings.append(
            f"{where}: {shown} is not ignored by git: a `git add -A` would commit the secrets "
            "in it; add it to .gitignore (e.g. .env*.local)"
        )
    return warnings


# --- the commands ---------------------------------------------------------------------------

_VARIADIC = ("-i", "--include", "-e", "--exclude")
_SWITCHES = ("--allow-public", "--force", "-h", "--help")


def spread(args: Sequence[str]) -> list[str]:
    """``-i A B C`` as ``-i A -i B -i C``: commander's ``<strings...>`` options take every word
    up to the next option, and these commands have no positional arguments."""
    out: list[str] = []
    current: str | None = None  # the variadic flag the words belong to
    pending = False  # the next word is the value of the flag just seen
    for i, arg in enumerate(args):
        if arg == "--":
            out.extend(args[i:])
            break
        if arg.startswith("-") and arg != "-" and not pending:
            flag = arg.split("=", 1)[0]
            current = flag if flag in _VARIADIC else None
            # the next word is this option's value (unless it is a switch, or has "=")
            pending = "=" not in arg and flag not in _SWITCHES
            out.append(arg)
            continue
        if current is not None and not pending:
            out.append(current)
        pending = False
        out.append(arg)
    return out


class VariadicCommand(TyperCommand):
    """A command whose ``-i/--include`` and ``-e/--exclude`` take several words."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread(args))


HELP = """AWS Secrets Manager secrets as dotenv files (aws-secrets-manager-tools' format: a
JSON object of string values, null meaning unset).

\b
  pull    secret -> a file of the cascade (default .env.<env>.local), edited in place
  push    the composed variables from --from (default file:env:private) -> the secret
  delete  delete the secret (--recovery-window-days N or --force)

Region, credentials and endpoint come from the aws group (aws --profile/--region ...).
Config: plugins["aws/secrets"] (secretName, templateExtension, push.{from,include,exclude},
pull.{to,include,exclude}). See docs/aws.md."""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SecretName = Annotated[
    str | None,
    typer.Option(
        "-s",
        "--secret-name",
        metavar="<string>",
        help='Secret name or ARN ($VAR expanded); default plugins["aws/secrets"].secretName, '
        "else $STACK_NAME.",
    ),
]
Include = Annotated[
    list[str] | None,
    typer.Option(
        "-i",
        "--include",
        metavar="<strings...>",
        help="Only these keys (space-delimited words, repeatable); replaces the config's "
        "include/exclude.",
    ),
]
Exclude = Annotated[
    list[str] | None,
    typer.Option(
        "-e",
        "--exclude",
        metavar="<strings...>",
        help="All but these keys (space-delimited words, repeatable); replaces the config's "
        "include/exclude.",
    ),
]


def _config(aws: "AwsContext") -> "SecretsConfig":
    from host_cli.cli.builtin.aws.secrets_config import SecretsConfig

    configs = aws.host.configs
    if SLICE not in configs.names():  # pragma: no cover - registered with the built-ins
        return SecretsConfig()
    return configs.get(SecretsConfig)


def secret_name(aws: "AwsContext", flag: str | None, config: "SecretsConfig", where: str) -> str:
    """``-s`` (expanded against the composed and inherited environment), else the config's
    ``secretName`` (the host expanded it already), else ``$STACK_NAME``."""
    from host_cli.engine.expand import expand, lookup_in

    host = aws.host
    if flag is not None:
        name = expand(flag, lookup_in(host.env, host.process_env), key="--secret-name")
    elif config.secret_name is not None:
        name = config.secret_name
    else:
        name = host.env.get("STACK_NAME") or host.process_env.get("STACK_NAME", "")
    if not name:
        raise GetDotenvError(
            f"{where}: no secret name: give -s/--secret-name, set "
            f'plugins["{SLICE}"].secretName, or set STACK_NAME'
        )
    return name


@contextlib.contextmanager
def calling(aws: "AwsContext", where: str) -> Iterator[None]:
    """``aws.errors(where)`` (botocore's exceptions as one line naming ``where``), letting
    this module's own errors, already naming it, through as they are."""
    held: list[GetDotenvError] = []
    with aws.errors(where):
        try:
            yield
        except GetDotenvError as exc:
            if not str(exc).startswith(f"{where}: "):
                raise  # the aws group's own (no region, SSO): aws.errors names the command
            held.append(exc)
    if held:
        raise held[0]


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _keys(keys: Iterable[str]) -> str:
    shown = list(keys)
    return ", ".join(shown) if len(shown) <= 12 else ", ".join(shown[:12]) + ", ..."


@app.command("pull", cls=VariadicCommand)
def pull(
    ctx: typer.Context,
    secret: SecretName = None,
    template_extension: Annotated[
        str | None,
        typer.Option(
            "-t",
            "--template-extension",
            metavar="<string>",
            help="Template used when the target file is missing (<file>.<ext>); default "
            'plugins["aws/secrets"].templateExtension, else template.',
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="<scope:privacy>",
            help="Target file of the cascade: (global|env):(public|private); default "
            'plugins["aws/secrets"].pull.to, else env:private (.env.<env>.local).',
        ),
    ] = None,
    exclude: Exclude = None,
    include: Include = None,
    allow_public: Annotated[
        bool,
        typer.Option(
            "--allow-public",
            help="Allow writing a public file (.env, .env.<env>: usually committed) or a file "
            "tracked by git.",
        ),
    ] = False,
) -> None:
    """Update a dotenv file from a Secrets Manager secret, in place: comments and other keys
    kept, keys set to null in the secret removed."""
    from host_cli.cli.builtin.aws.group import aws_of
    from host_cli.engine import dotenv_edit

    where = "aws secrets pull"
    aws = aws_of(ctx)
    config = _config(aws)
    host = aws.host
    target_sel = (
        parse_to(to)
        if to is not None
        else parse_to(config.pull.to, f'plugins["{SLICE}"].pull.to')
        if config.pull and config.pull.to
        else parse_to(DEFAULT_TO)
    )
    inc, exc = include_exclude(
        include,
        exclude,
        config.pull.include if config.pull else None,
        config.pull.exclude if config.pull else None,
        where,
    )
    target = pull_target(
        host.folders,
        target_sel,
        env_name=host.env_name,
        dotenv_token=host.options.dotenv_token,
        private_token=host.options.private_token,
        template_extension=template_extension or config.template_extension or DEFAULT_TEMPLATE,
    )
    shown = host.shown(target.path)
    if target_sel.privacy == "public" and not allow_public:
        raise GetDotenvError(
            f"{where}: --to {target_sel.scope}:public would write secrets into {shown}, a public "
            "file (usually committed); use a private target (env:private) or pass --allow-public"
        )
    if not allow_public and tracked_by_git(target.path):
        raise GetDotenvError(
            f"{where}: {shown} is tracked by git: secrets written into it would be committed; "
            "untrack it (git rm --cached) and ignore it, or pass --allow-public"
        )
    name = secret_name(aws, secret, config, where)
    with calling(aws, where):
        client = aws.client("secretsmanager")
        values = read_secret(client, name, where)
    updates = apply_include_exclude(values, inc, exc)
    done = dotenv_edit.edit_file(target.path, updates, shown=shown, template=target.template)
    for note in done.notes:
        _say(f"{host.prog_name}: note: {note}")
    what = []
    if done.template is not None:
        what.append(f"created from {host.shown(done.template)}")
    elif done.created:
        what.append("created")
    set_keys = [k for k in (*done.updated, *done.added) if k not in done.unchanged]
    if set_keys:
        what.append(f"set {_keys(set_keys)}")
    if done.unchanged:
        what.append(f"{len(done.unchanged)} unchanged")
    if done.removed:
        what.append(f"removed {_keys(done.removed)}")
    if not done.changed:
        what.append("already up to date")
    _say(f"Pulled secret {name!r} into {shown}" + (f" ({'; '.join(what)})" if what else ""))
    for warning in exposure_warnings(target.path, shown, where, allow_public=allow_public):
        host.warn(warning)


@app.command("push", cls=VariadicCommand)
def push(
    ctx: typer.Context,
    secret: SecretName = None,
    from_: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            metavar="<selector>",
            help="Which composed keys to send, by where their value came from (repeatable): "
            "file:<global|env|*>:<public|private|*>, config:<packaged|project|*>:<scope>:"
            "<privacy>, dynamic:<config|programmatic|dynamicPath|*>, vars; default "
            'plugins["aws/secrets"].push.from, else file:env:private.',
        ),
    ] = None,
    exclude: Exclude = None,
    include: Include = None,
) -> None:
    """Create or update a Secrets Manager secret from the selected composed keys (at most
    65,536 bytes)."""
    from host_cli.cli.builtin.aws.group import aws_of

    where = "aws secrets push"
    aws = aws_of(ctx)
    config = _config(aws)
    host = aws.host
    if from_:
        selectors = [parse_from(raw) for raw in from_]
        raws: Sequence[str] = from_
    elif config.push and config.push.from_:
        selectors = [parse_from(r, f'plugins["{SLICE}"].push.from') for r in config.push.from_]
        raws = config.push.from_
    else:
        selectors = [parse_from(r) for r in DEFAULT_FROM]
        raws = DEFAULT_FROM
    inc, exc = include_exclude(
        include,
        exclude,
        config.push.include if config.push else None,
        config.push.exclude if config.push else None,
        where,
    )
    values = apply_include_exclude(select(host.env, provenance_of(host), selectors), inc, exc)
    if not values:
        hint = (
            " (no environment selected: give -e/--env)"
            if host.env_name is None and any(s.scope == "env" for s in selectors)
            else ""
        )
        raise GetDotenvError(
            f"{where}: nothing to push: no composed key comes from {', '.join(raws)}"
            f"{' after --include/--exclude' if inc or exc else ''}{hint}; the secret is "
            "left as it is"
        )
    check_size(secret_string(values), where)
    name = secret_name(aws, secret, config, where)
    with calling(aws, where):
        client = aws.client("secretsmanager")
        mode = upsert_secret(client, name, values, where)
    count = f"{len(values)} key{'' if len(values) == 1 else 's'}"
    _say(f"{mode.capitalize()} secret {name!r} ({count}: {_keys(values)})")


@app.command("delete")
def delete(
    ctx: typer.Context,
    secret: SecretName = None,
    recovery_window_days: Annotated[
        int | None,
        typer.Option(
            "--recovery-window-days",
            metavar="<number>",
            help="Recoverable for this many days (7-30), then deleted.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Delete at once, without recovery (DANGEROUS)."),
    ] = False,
) -> None:
    """Delete a Secrets Manager secret: give --recovery-window-days N or --force."""
    from host_cli.cli.builtin.aws.group import aws_of

    where = "aws secrets delete"
    aws = aws_of(ctx)
    config = _config(aws)
    delete_options(recovery_window_days, force, where)  # before any AWS call
    name = secret_name(aws, secret, config, where)
    how = "without recovery" if force else f"recoverable for {recovery_window_days} days"
    with calling(aws, where):
        client = aws.client("secretsmanager")
        delete_secret(client, name, recovery_window_days=recovery_window_days, force=force)
    _say(f"Deleted secret {name!r} ({how})")
