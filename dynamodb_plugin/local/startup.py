"""What makes the built-in server's start-up shorter (see ``server._serve``); the server only.

``one_model_loader``: moto loads each botocore service model through a loader of its own,
and a new botocore loader first lists every service folder of botocore and of moto (some 900
folders, ~27 ms on the benchmark machine) only to check that the name is known. Start-up
loads three models (DynamoDB's for moto's parser, DynamoDB's and DynamoDB Streams' for the
gate's targets): one loader for the whole server, which knows a service by its own folder,
does the same work without the listings.

``deferred``: PyYAML (~10 ms of CPU) is imported by ``responses``, which moto imports for its
mock decorators and never uses in a server, and ``moto.backend_index`` (some 200 regular
expressions, ~8 ms, for moto's mock and its all-services dispatcher, neither of which a server
of ours runs): they load on first use instead.

``no_iam_until_needed``: moto's handler, on every request, marks the request's access key as
used in moto's IAM and counts the request towards ``INITIAL_NO_AUTH_ACTION_COUNT``; both import
moto's IAM, and with it cryptography and moto's S3 (~40 ms at the first request, the start-up's
own ``ListTables``). This server serves no IAM or STS API (the gate refuses them), so moto's IAM
never holds an access key to mark; IAM is imported only where something really asks for it.

``light_regions``: moto lists a backend's regions through boto3's ``Session()`` (a botocore
session with its ~130 event handlers) whose ``get_available_regions`` parses the service's model
a second time only to read its endpoint prefix; the same lists come from botocore's endpoint
data and the model moto's shared loader reads anyway. The lists are kept in getdotenv's cache
(``host_cli.support.cache``, the user's own folder), keyed by botocore's version and the
size and modification time of every file botocore may read its endpoint data from: the next
start does not read that 1.2 MB file at all.

``signal_ready``: the server tells ``local start`` that it listens and has answered a
``ListTables`` of its own, on a pipe ``local start`` handed it (``--ready-fd``), so that
``local start`` waits on the pipe instead of polling the port.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
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


DEFERRED = ("yaml", "moto.backend_index")


def deferred(names: tuple[str, ...] = DEFERRED) -> Callable[[], None]:
    """Until the returned function is called, importing one of the modules ``names`` (not
    imported yet) gives a module that runs its code on first use
    (``importlib.util.LazyLoader``): a module imported only to be there costs nothing. Reading
    its ``__spec__`` is not a use (the import system reads it each time the module is imported
    again)."""
    import importlib.abc
    import importlib.util
    import types

    wanted = {name for name in names if name not in sys.modules}

    class Lazy(importlib.util.LazyLoader):
        def exec_module(self, module: Any) -> None:
            super().exec_module(module)
            # (``module.__dict__`` would be a use: it would run the module here and now)
            namespace = object.__getattribute__(module, "__dict__")
            lazy = type(module)
            spec = namespace.get("__spec__")
            state = getattr(spec, "loader_state", None)
            if (
                lazy.__name__ != "_LazyModule"
                or not isinstance(state, dict)
                or not isinstance(state.get("__dict__"), dict)
                or not hasattr(getattr(spec, "loader", None), "exec_module")
            ):
                return  # not the LazyLoader expected: loaded on any attribute, as before
            lock = threading.RLock()
            loading: list[bool] = []

            def load(module: Any) -> None:
                """What ``_LazyModule`` does on first use (3.11), the module keeping its lazy
                class until its code has run: another thread's first use waits for it
                (3.11's switches the class first: a second thread read a half-run module)."""
                before = state["__dict__"]
                changed = {
                    k: v for k, v in namespace.items() if k not in before or before[k] is not v
                }
                spec.loader.exec_module(module)
                if spec.name in sys.modules and sys.modules[spec.name] is not module:
                    raise ValueError(
                        f"module object for {spec.name!r} substituted in sys.modules during a "
                        "lazy load"
                    )
                namespace.update(changed)
                module.__class__ = types.ModuleType

            class Module(lazy):  # type: ignore[valid-type,misc]
                def __getattribute__(self, attribute: str) -> Any:
                    if attribute == "__spec__":
                        return namespace["__spec__"]
                    if type(self) is Module:
                        with lock:
                            if type(self) is Module and not loading:
                                loading.append(True)
                                try:
                                    load(self)
                                finally:
                                    loading.clear()
                    # loaded (or this thread's own module code, reading it as it runs)
                    return types.ModuleType.__getattribute__(self, attribute)

            Module.__name__ = lazy.__name__
            module.__class__ = Module

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
            if name not in wanted:
                return None
            wanted.discard(name)  # once: the spec below finds it through the others
            spec = importlib.util.find_spec(name)
            loader = spec.loader if spec is not None else None
            if spec is not None and loader is not None and hasattr(loader, "exec_module"):
                spec.loader = Lazy(loader)
            return spec

    finder = Finder()
    sys.meta_path.insert(0, finder)

    def done() -> None:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)

    return done


def standin(name: str, served: dict[str, Any]) -> bool:
    """Until something asks module ``name`` (not imported yet, nor its package) for another
    attribute than those of ``served``, ``sys.modules`` holds a module of those attributes in
    its place: ``from name import served_one`` costs nothing. Any other attribute, or an import
    of its package, imports the real module, which takes the stand-in's place for good. (For a
    module whose package imports it, as ``moto.iam`` does its ``models``: a plain ``import
    package.name`` then binds the real one.)"""
    import importlib
    import importlib.abc
    import importlib.machinery
    import types

    parent = name.rpartition(".")[0]
    if name in sys.modules or parent in sys.modules:
        return False
    module = types.ModuleType(name)
    lock = threading.Lock()

    def gone() -> None:
        with lock:
            if sys.modules.get(name) is module:
                del sys.modules[name]
                for key in served:  # whoever kept the stand-in now reads the real one
                    module.__dict__.pop(key, None)
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(finder)

    class Package(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
            if fullname == parent:
                gone()  # the package imports the real module, if it imports it
            return None

    def __getattr__(attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)  # (``__path__``: the import system's question)
        gone()
        return getattr(importlib.import_module(name), attribute)

    finder = Package()
    module.__dict__.update(served)
    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    sys.meta_path.insert(0, finder)
    sys.modules[name] = module
    return True


def no_iam_until_needed() -> bool:
    """moto's requests stop importing moto's IAM: marking an access key as used is a no-op
    while IAM is not imported (it holds no key then), and the count of requests towards
    ``INITIAL_NO_AUTH_ACTION_COUNT`` (past which moto checks signatures and IAM policies: never,
    by default) is kept here; past the count, moto's own check runs as before. ``False`` where
    moto's code is not the one expected (then nothing is changed)."""
    try:
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin as Mixin
        from moto.core.responses import BaseResponse
    except ImportError:
        return False
    checked = Mixin.__dict__.get("_authenticate_and_authorize_action")
    normal = Mixin.__dict__.get("_authenticate_and_authorize_normal_action")
    setup = BaseResponse.__dict__.get("setup_class")
    expected = (
        (checked, ("ActionAuthenticatorMixin", "request_count", "settings", "INITIAL_NO_AUTH")),
        (normal, ("moto.iam.access_control", "IAMRequest", "_authenticate_and_authorize_act")),
    )
    for function, first in expected:
        names = getattr(getattr(function, "__code__", None), "co_names", ())
        # the names a function uses, in the order it first uses them: the count comes first
        if len(names) < len(first) or not all(
            n.startswith(f) for n, f in zip(names[: len(first)], first, strict=True)
        ):
            return False
    names = getattr(getattr(setup, "__code__", None), "co_names", ())
    if "mark_account_as_visited" not in names or not isinstance(
        getattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", None), int | float
    ):
        return False
    original = normal

    def _authenticate_and_authorize_normal_action(self: Any, resource: str = "*") -> None:
        if Mixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT:
            original(self, resource)  # type: ignore[misc]
        else:
            Mixin.request_count += 1

    def mark_account_as_visited(
        account_id: str, access_key: str, service: str, region: str
    ) -> None:
        """IAM is not imported: no access key of it to mark as used."""

    if not standin("moto.iam.models", {"mark_account_as_visited": mark_account_as_visited}):
        return False
    Mixin._authenticate_and_authorize_normal_action = _authenticate_and_authorize_normal_action  # type: ignore[method-assign]
    return True


class _Regions:
    """What moto asks of boto3's ``Session`` for a backend's regions, answered as botocore
    does (``Session.get_available_regions``): the endpoint prefix in the service's model, read
    through ``load`` (moto's shared loader), looked up in botocore's endpoint data; anything
    else is a real ``boto3.Session()``'s."""

    def __init__(self, load: Callable[[str], Any]) -> None:
        self._load = load
        self._resolver: Any = None
        self._session: Any = None
        self._files: str | None = None

    def _endpoints(self) -> Any:
        if self._resolver is None:
            from botocore.loaders import create_loader
            from botocore.regions import EndpointResolver

            loader = create_loader(None)
            endpoints, path = loader.load_data_with_path("endpoints")
            self._resolver = EndpointResolver(
                endpoints, uses_builtin_data=loader.is_builtin_path(path)
            )
        return self._resolver

    def _identity(self) -> str | None:
        """What the lists depend on: botocore's version and every file botocore may read its
        endpoint data from (path, size, modification time, or absent); ``None`` where that
        cannot be told (then nothing is kept)."""
        if self._files is None:
            try:
                import botocore
                from botocore.loaders import _JSON_OPEN_METHODS, create_loader

                found = [f"botocore {botocore.__version__}"]
                for base in create_loader(None)._potential_locations("endpoints"):
                    for ext in _JSON_OPEN_METHODS:
                        try:
                            info = os.stat(base + ext)
                            found.append(f"{base}{ext} {info.st_size} {info.st_mtime_ns}")
                        except FileNotFoundError:
                            found.append(f"{base}{ext} absent")
                self._files = "\n".join(found)
            except Exception:  # a botocore that finds its data otherwise: no lists kept
                self._files = ""
        return self._files or None

    def _kept(self, question: str, answer: Callable[[], list[str]]) -> list[str]:
        """``answer()``, kept in getdotenv's cache for exactly this endpoint data: botocore's
        endpoint data is a 1.2 MB JSON file (~24 ms to read) that nothing else at start-up
        needs."""
        identity = self._identity()
        if identity is None:
            return answer()
        return _remembered(  # type: ignore[no-any-return]
            "regions",
            f"{identity}\n{question}",
            lambda kept: isinstance(kept, list) and all(isinstance(r, str) for r in kept),
            answer,
        )

    def get_available_partitions(self) -> list[str]:
        return self._kept("partitions", lambda: list(self._endpoints().get_available_partitions()))

    def get_available_regions(
        self, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
    ) -> list[str]:
        from botocore.exceptions import DataNotFoundError, UnknownServiceError

        try:
            metadata = self._load(service_name)["metadata"]
        except (UnknownServiceError, DataNotFoundError):
            return []
        prefix = metadata.get("endpointPrefix", service_name)
        return self._kept(
            f"regions {prefix!r} {partition_name!r} {bool(allow_non_regional)}",
            lambda: list(
                self._endpoints().get_available_endpoints(
                    prefix, partition_name, allow_non_regional
                )
            ),
        )

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            import boto3

            self._session = boto3.Session()
        return getattr(self._session, name)


def light_regions() -> bool:
    """Backends list their regions through ``_Regions``, not a boto3 session. ``False`` where
    moto's code is not the one expected, where botocore would read its data from elsewhere too
    (``AWS_DATA_PATH``, or ``data_path`` in the AWS config file), or where moto's model loader
    is not the shared one (``one_model_loader``): then nothing is changed."""
    try:
        from moto.core import utils
        from moto.core.base_backend import AccountSpecificBackend
    except ImportError:
        return False
    if os.environ.get("AWS_DATA_PATH"):
        return False
    config = os.environ.get("AWS_CONFIG_FILE") or os.path.join("~", ".aws", "config")
    try:
        with open(os.path.expanduser(config), "rb") as f:
            if b"data_path" in f.read():
                return False
    except OSError:
        pass
    generate = getattr(
        AccountSpecificBackend.__dict__.get("_generate_regions"), "__wrapped__", None
    )
    names = set(getattr(getattr(generate, "__code__", None), "co_names", ()) or ("?",))
    asked = {"AccountSpecificBackend", "get_session", "get_available_partitions"}
    if not names <= asked | {"get_available_regions", "extend"}:
        return False  # moto asks the session for more than the two lists
    session = AccountSpecificBackend.__dict__.get("get_session")
    cached = getattr(getattr(session, "__func__", None), "cache_info", None)
    loader = getattr(utils, "create_loader", None)
    if not isinstance(session, classmethod) or cached is None or cached().currsize:
        return False
    if not callable(loader) or loader() is not loader():
        return False  # not the shared loader: it would list every service folder each time

    def load(service: str) -> Any:
        return loader().load_service_model(service, "service-2")

    regions = _Regions(load)
    AccountSpecificBackend.get_session = classmethod(lambda cls: regions)  # type: ignore[method-assign,assignment]
    return True


def _remembered(
    kind: str, material: str, valid: Callable[[Any], bool], compute: Callable[[], Any]
) -> Any:
    """``compute()``, kept in getdotenv's cache (``host_cli.support.cache``: the user's own
    folder) for exactly ``material``; a kept value that is not ``valid`` is computed again."""
    from host_cli.support import cache

    kept = cache.load(kind, material)
    if valid(kept):
        return kept
    value = compute()
    cache.store(kind, material, value)
    return value


_DIGESTS: dict[str, str] = {}  # a source file's sha256, read once per process


def source(part: Any, compute: Callable[[Any], str] | None = None) -> str:
    """``inspect.getsource(part)`` (or ``compute(part)``, which gives the same text), kept in
    getdotenv's cache for exactly the file it is read from: its path, the sha256 of its bytes
    and where ``part`` is in it. The guards that check moto's code before a patch read a few
    dozen sources at every start (``inspect`` tokenizes each, ~13 ms); a file that changes in
    any byte is read afresh. Raises as ``inspect.getsource`` does."""
    import inspect

    reader = compute or inspect.getsource
    try:
        path = inspect.getsourcefile(part)
    except TypeError:
        path = None
    if not path:
        return reader(part)
    digest = _DIGESTS.get(path)
    if digest is None:
        import hashlib

        try:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            return reader(part)
        _DIGESTS[path] = digest
    code = getattr(part, "__code__", None)
    where = getattr(code, "co_firstlineno", "")
    kind = "class" if inspect.isclass(part) else "code"
    name = getattr(part, "__qualname__", "")
    material = f"{path}\n{digest}\n{kind} {getattr(part, '__module__', '')}.{name} {where}"
    return _remembered(  # type: ignore[no-any-return]
        "source", material, lambda kept: isinstance(kept, str), lambda: reader(part)
    )


def signal_ready(fd: int | None) -> None:
    """Tell ``local start`` (``--ready-fd``) that the server answers, and close the pipe. A
    reader that is gone (``local start`` was killed) changes nothing."""
    if fd is None:
        return
    with contextlib.suppress(OSError):
        os.write(fd, READY)
    with contextlib.suppress(OSError):
        os.close(fd)
