"""The env engine: root options (``options``), config files (``config``, ``yaml12``), the file
cascade and its parsers (``cascade``, ``envfile``, ``pydotenv``), expansion (``expand``),
dynamic values (``dynamic``), the resolved context (``context``), what follows composition
(``effects``), the dotenv lint (``lint``), and ``resolve``: the one module that knows the order
of the stages (it also merges and expands the plugin slices that the plugin host validates).

May import ``host_cli.support`` and ``host_cli.plugins`` (``resolve`` validates plugin slices
and calls ``derive_env``); never the command line or the integrations.
"""
