"""The command line: the typer app and its factory (``app``), the root flags (``rootcli``) and the
built-in commands (``builtin``: cmd, batch, init, check, plugins, schema).

May import ``host_cli.support``, ``host_cli.plugins`` and ``host_cli.engine``; never the
integrations.
"""
