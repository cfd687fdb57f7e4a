"""What a command runs with: the resolved context (``HostContext``), the environment of a child,
and the host's warning printer."""

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from host_cli.engine.cascade import Origin
    from host_cli.engine.config import Script, Source
    from host_cli.engine.options import Options
    from host_cli.plugins.configs import PluginConfigs
else:
    # For mypy only; at run time the NamedTuples below would otherwise compile each string
    # annotation into a ForwardRef on every start (see benchmarks/README.md).
    Origin = Script = Source = Options = PluginConfigs = Any


def spawn_env(base: Mapping[str, str], overlay: Mapping[str, str]) -> dict[str, str]:
    """The environment of a child: ``overlay`` over ``base``, with ``TMPDIR`` filled in.

    As get-dotenv's ``buildSpawnEnv`` on POSIX: ``TMPDIR`` is set from ``TMP`` or ``TEMP``
    when it is missing and either is present.
    """
    env = {**base, **overlay}
    tmpdir = env.get("TMPDIR") or env.get("TMP") or env.get("TEMP")
    if tmpdir:
        env["TMPDIR"] = tmpdir
    return env


class HostContext(NamedTuple):
    """The resolved run: options, the composed environment, where each key came from,
    validated plugin configs and the config it all came from. Read-only."""

    env_name: str | None
    options: Options
    env: Mapping[str, str]
    origins: Mapping[str, tuple[Origin, ...]]
    configs: PluginConfigs
    scripts: Mapping[str, Script]
    sources: tuple[Source, ...]
    project_root: Path | None
    process_env: Mapping[str, str]
    prog_name: str
    cwd: Path
    folders: tuple[Path, ...] = ()  # the --paths folders, resolved
    unknown_env: tuple[str, ...] | None = None  # --env selected nothing: the envs that exist
    unclaimed: tuple[str, ...] = ()  # messages: plugins.<name> slices no plugin claims
    # Carrier variables of the values in plugins' shell-string fields (``expand_shell``):
    # in every child's environment, never in the composed env (so not in get/export/--log).
    carriers: Mapping[str, str] = {}

    def shown(self, path: Path) -> str:
        """``path`` as messages show it: relative to the working folder where inside it."""
        from host_cli.support.files import shown_path

        return shown_path(path, self.cwd)

    def child_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for a child process: the process env, the composed env over it,
        the root options a nested getdotenv inherits, and the carriers of the values in
        plugins' shell-string fields (run those with this environment). One the kernel would
        refuse (a NUL byte, a bad name, too large) is an error naming the key and where it came
        from."""
        from host_cli.engine.options import DERIVED_VARIABLE, PARENT_VARIABLE, to_json, to_parent
        from host_cli.support.proc import check_env

        handed_down = to_parent(self.options, self.env_name, str(self.cwd))
        overlay = {**self.env, PARENT_VARIABLE: to_json(handed_down)}
        marker = self.derived_marker()
        if marker is not None:
            overlay[DERIVED_VARIABLE] = marker
        overlay.update(self.carriers)
        overlay.update(extra or {})
        env = spawn_env(self.process_env, overlay)

        def where(key: str) -> str:
            found = self.origins.get(key)
            return f" ({found[-1]})" if found else ""

        check_env(env, where)
        return env

    def derived(self) -> dict[str, str]:
        """The variables plugins derived in this composition (``derive_env``)."""
        return {
            key: self.env[key]
            for key, found in self.origins.items()
            if found and found[-1].layer == "derived" and key in self.env
        }

    def derived_marker(self) -> str | None:
        """What a nested composition inherits as ``DERIVED_VARIABLE`` (None: nothing to say)."""
        from host_cli.engine.options import DERIVED_VARIABLE, derived_marker

        derived = self.derived()
        if not derived and DERIVED_VARIABLE not in self.process_env:
            return None
        return derived_marker(derived, self.process_env)

    def warn(self, message: str) -> None:
        """Print ``<prog>: warning: message`` on stderr, as the host's own warnings."""
        from host_cli.support.errors import warner

        warner(self.prog_name)(message)
