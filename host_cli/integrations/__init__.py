"""Where the host meets other Python code: the library API (``api``: ``compose``, ``load``),
the pytest plugin (``pytest_plugin``) and the pydantic-settings source (``settings``).

The top layer: may import every other part of ``host_cli`` (the API registers the built-in
commands' plugin, the pytest kit runs the CLI's ``run``).
"""
