"""The command line: the typer app and its factory (``app``), commands built on first use
(``lazy``), the root flags (``rootcli``), one invocation's state and resolved context
(``session``) and the built-in commands (``builtin``: cmd, batch, init, check, plugins, schema).

May import ``host_cli.support``, ``host_cli.plugins`` and ``host_cli.engine``; never the
integrations.
"""
