"""getdotenv's host: compose layered .env files and config, run commands, host plugins.

This module is the public API: ``compose``/``load`` for applications (the environment
in-process), and what plugins and tools that embed the host use. Importing it is cheap:
everything but the hook marker and the error classes loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from host_cli.plugins.markers import hookimpl
from host_cli.support import __version__
from host_cli.support.errors import (
    CommandNotFoundError,
    ConfigError,
    EnvFileError,
    ExpansionError,
    GetDotenvError,
    GetDotenvWarning,
    OptionError,
    PluginError,
)

if TYPE_CHECKING:
    from host_cli.cli.app import create_app, run
    from host_cli.cli.builtin.aws.context import AwsContext, aws_context
    from host_cli.cli.lazy import deferred, deferred_app
    from host_cli.cli.mounts import publish, published
    from host_cli.cli.session import get_context
    from host_cli.engine.context import HostContext
    from host_cli.engine.dynamic import load_file as load_python_file
    from host_cli.integrations.api import compose, load
    from host_cli.integrations.api import context as resolve_context
    from host_cli.plugins.configs import PluginConfigs
    from host_cli.plugins.markers import ShellCommand
    from host_cli.support.files import (
        create_private,
        open_file,
        open_private,
        private_folder,
        read_bytes,
        read_text,
    )
    from host_cli.support.proc import default_shell, shell_argv
    from host_cli.support.proc import run as run_process
    from host_cli.support.serialize import write_atomically


__all__ = [
    "AwsContext",
    "CommandNotFoundError",
    "ConfigError",
    "EnvFileError",
    "ExpansionError",
    "GetDotenvError",
    "GetDotenvWarning",
    "HostContext",
    "OptionError",
    "PluginConfigs",
    "PluginError",
    "ShellCommand",
    "__version__",
    "aws_context",
    "compose",
    "create_app",
    "create_private",
    "default_shell",
    "deferred",
    "deferred_app",
    "get_context",
    "hookimpl",
    "load",
    "load_python_file",
    "open_file",
    "open_private",
    "private_folder",
    "publish",
    "published",
    "read_bytes",
    "read_text",
    "resolve_context",
    "run",
    "run_process",
    "shell_argv",
    "write_atomically",
]

_LAZY = {
    "AwsContext": ("host_cli.cli.builtin.aws.context", "AwsContext"),
    "aws_context": ("host_cli.cli.builtin.aws.context", "aws_context"),
    "publish": ("host_cli.cli.mounts", "publish"),
    "published": ("host_cli.cli.mounts", "published"),
    "deferred": ("host_cli.cli.lazy", "deferred"),
    "deferred_app": ("host_cli.cli.lazy", "deferred_app"),
    "compose": ("host_cli.integrations.api", "compose"),
    "load": ("host_cli.integrations.api", "load"),
    "resolve_context": ("host_cli.integrations.api", "context"),
    "create_app": ("host_cli.cli.app", "create_app"),
    "run": ("host_cli.cli.app", "run"),
    "HostContext": ("host_cli.engine.context", "HostContext"),
    "get_context": ("host_cli.cli.session", "get_context"),
    "PluginConfigs": ("host_cli.plugins.configs", "PluginConfigs"),
    "ShellCommand": ("host_cli.plugins.markers", "ShellCommand"),
    "run_process": ("host_cli.support.proc", "run"),
    "shell_argv": ("host_cli.support.proc", "shell_argv"),
    "default_shell": ("host_cli.support.proc", "default_shell"),
    "read_text": ("host_cli.support.files", "read_text"),
    "open_file": ("host_cli.support.files", "open_file"),
    "open_private": ("host_cli.support.files", "open_private"),
    "create_private": ("host_cli.support.files", "create_private"),
    "private_folder": ("host_cli.support.files", "private_folder"),
    "write_atomically": ("host_cli.support.serialize", "write_atomically"),
    "read_bytes": ("host_cli.support.files", "read_bytes"),
    "load_python_file": ("host_cli.engine.dynamic", "load_file"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'host_cli' has no attribute {name!r}")
