"""What makes the built-in server's start-up shorter (see ``server._serve``); the server only.

``one_model_loader``: moto loads each botocore service model through a loader of its own,
and a new botocore loader first lists every service folder of botocore and of moto (some 900
folders, ~27 ms on the benchmark machine) only to check that the name is known. Start-up
loads three models (DynamoDB's for moto's parser, DynamoDB's and DynamoDB Streams' for the
gate's targets): one loader for the whole server, which knows a service by its own folder,
does the same work without the listings.

``deferred``: PyYAML (~10 ms of CPU) is imported by ``responses``, which moto imports for its
mock decorators and never uses in a server; it loads on first use instead.

``signal_ready``: the server tells ``local start`` that it listens and has answered a
``ListTables`` of its own, on a pipe ``local start`` handed it (``--ready-fd``), so that
``local start`` waits on the pipe instead of polling the port.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

READY = b"ready\n"


def one_model_loader() -> bool:
    """Every service model moto loads from now on goes through one shared loader, which checks
    a service's name by its own folder (the models are the same files, with moto's extras).
    ``False`` where moto's loading is not the one expected (then nothing is changed)."""
    try:
        from botocore.exceptions import DataNotFoundError
        from moto.core import utils
        from moto.core.loaders import Loader, moto_root
    except ImportError:
        return False
    if not callable(getattr(utils, "create_loader", None)) or not callable(
        getattr(Loader, "list_api_versions", None)
    ):
        return False

    class Known:
        """What ``Loader.list_available_services`` answers, for ``load_service_model``'s
        ``name in known`` check: a service is known where a folder of it holds a model of the
        type (exactly what the full listing records); the full listing only when iterated
        (the message of an unknown service's error)."""

        def __init__(self, loader: Any, type_name: str) -> None:
            self.loader, self.type_name = loader, type_name

        def __contains__(self, name: object) -> bool:
            if not isinstance(name, str) or not name or os.sep in name or name.startswith("."):
                return False
            try:
                return bool(self.loader.list_api_versions(name, self.type_name))
            except DataNotFoundError:
                return False

        def __iter__(self) -> Iterator[str]:
            return iter(Loader.list_available_services(self.loader, self.type_name))

    class SharedLoader(Loader):
        def list_available_services(self, type_name: str) -> Any:
            return Known(self, type_name)

    shared = SharedLoader(extra_search_paths=[moto_root])
    utils.create_loader = lambda: shared  # type: ignore[attr-defined]
    return True


DEFERRED = ("yaml",)


def deferred(names: tuple[str, ...] = DEFERRED) -> Callable[[], None]:
    """Until the returned function is called, importing one of the top-level modules
    ``names`` (not imported yet) gives a module that runs its code on first use
    (``importlib.util.LazyLoader``): a module imported only to be there costs nothing."""
    import importlib.abc
    import importlib.util

    wanted = {name for name in names if name not in sys.modules}

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
            if name not in wanted:
                return None
            wanted.discard(name)  # once: the spec below finds it through the others
            spec = importlib.util.find_spec(name)
            loader = spec.loader if spec is not None else None
            if spec is not None and loader is not None and hasattr(loader, "exec_module"):
                spec.loader = importlib.util.LazyLoader(loader)
            return spec

    finder = Finder()
    sys.meta_path.insert(0, finder)

    def done() -> None:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)

    return done


def signal_ready(fd: int | None) -> None:
    """Tell ``local start`` (``--ready-fd``) that the server answers, and close the pipe. A
    reader that is gone (``local start`` was killed) changes nothing."""
    if fd is None:
        return
    with contextlib.suppress(OSError):
        os.write(fd, READY)
    with contextlib.suppress(OSError):
        os.close(fd)
