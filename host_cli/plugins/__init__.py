"""The host side of plugins: the hook contract (``hookspecs``) and its marker (``markers``),
finding plugins through entry points (``entrypoints``), loading them into a pluggy manager and
calling their hooks (``host``), and validating their config slices (``configs``).

May import ``host_cli.support`` only: the env engine calls the plugin host, never the reverse.
"""
