"""Validate a plugin config slice from a cached pydantic core schema, without importing pydantic.

Importing pydantic and building a plugin's models costs far more than validating a slice
(benchmarks/README.md): on the first run after a slice changed, that cost was most of the run.
pydantic compiles each model into a *core schema* (``Model.__pydantic_core_schema__``), plain
data that ``pydantic_core``'s Rust ``SchemaValidator`` runs. ``export`` turns that schema into
data the cache can hold; ``Validator`` rebuilds the validator from it with only the Rust
extension loaded (pydantic-core's Python package costs more than the extension), so
``validate`` raises the same ``ValidationError`` as ``Model.model_validate`` (same locations,
types, messages). The validated value is turned into ``model_dump(mode="json")``'s data here:
pydantic-core's serializer would import that package. Only values that are their own JSON form
(strings, whole numbers, booleans, null, finite floats, lists, string-keyed mappings, models of
those) are turned by hand; anything else (a date, bytes, ``inf``...) raises ``CannotDump`` and
pydantic does the whole validation instead.

What the schema refers to: each model class becomes a stand-in class of the same name (the
validator only names it in errors and sets its attributes), a model instance used as a default
becomes an instance of that stand-in, and a function (an ``AfterValidator``'s check, a
``default_factory``) is kept as ``module:name`` and imported again. A schema that refers to
anything else (a ``field_validator`` method, a lambda, an enum, a dataclass, ...) is not
exported: such a model is validated by pydantic as before, only more slowly.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import math
import os
import sys
from typing import Any

_TAG = "$portable"
_CORE = "pydantic_core._pydantic_core"
# What pydantic-core sets on a model instance besides its ``__dict__`` (BaseModel's slots).
_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")


class NotPortable(Exception):
    """The core schema refers to something that cannot be stored and found again."""


class CannotDump(Exception):
    """A validated value whose JSON form only pydantic's serializer knows."""


def core_module() -> Any:
    """pydantic-core's Rust extension, loaded without its Python package (whose ``core_schema``
    typing module alone costs more than the extension). Registered under its own name, so a
    later ``import pydantic_core`` finds and uses this very module."""
    found = sys.modules.get(_CORE)
    if found is not None:
        return found
    package = importlib.util.find_spec("pydantic_core")  # finds; does not import
    if package is None or not package.submodule_search_locations:
        raise ImportError("pydantic_core is not installed")
    spec = importlib.machinery.PathFinder.find_spec(_CORE, list(package.submodule_search_locations))
    if spec is None or spec.loader is None:
        raise ImportError(f"{_CORE} not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_CORE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_CORE]
        raise
    return module


def core_stamp_files() -> list[str]:
    """Files whose change means a stored schema may no longer fit the installed pydantic-core."""
    package = importlib.util.find_spec("pydantic_core")
    if package is None or not package.origin:
        return []
    folder = os.path.dirname(package.origin)
    return [package.origin] + sorted(
        os.path.join(folder, f) for f in os.listdir(folder) if f.startswith("_pydantic_core")
    )


# --- export (pydantic imported: the model is at hand) ---


def _path_of(obj: Any) -> str:
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        raise NotPortable(f"{obj!r} has no importable name")
    return f"{module}:{qualname}"


def _lookup(path: str, *, loaded_only: bool) -> Any:
    module_name, _, qualname = path.partition(":")
    module = sys.modules.get(module_name)
    if module is None:
        if loaded_only:
            raise NotPortable(f"{module_name} is not imported")
        module = importlib.import_module(module_name)
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _is_model_class(obj: Any) -> bool:
    return isinstance(obj, type) and "__pydantic_core_schema__" in dir(obj)


_BUILTINS = frozenset(
    f"builtins:{name}" for name in ("dict", "list", "set", "frozenset", "tuple", "str", "int")
)


def may_refer_to(path: str, model_path: str) -> bool:
    """Whether a stored schema of the model at ``model_path`` may name ``path``: a function of
    the model's own top-level package, of the host, or a plain container type. A cache entry is
    only data: this keeps one from naming any other importable callable (``os:system``)."""
    module = path.partition(":")[0]
    top = module.partition(".")[0]
    return path in _BUILTINS or top in (model_path.partition(".")[0].partition(":")[0], "host_cli")


def _ref(obj: Any) -> dict[str, Any]:
    """A module-level function or class, stored by name (only if that name finds it again)."""
    import inspect

    if inspect.ismethod(obj) or _is_model_class(obj):
        raise NotPortable(f"{obj!r} is a method or a model")
    path = _path_of(obj)
    try:
        again = _lookup(path, loaded_only=True)
    except (AttributeError, NotPortable):
        raise NotPortable(f"{path} does not find {obj!r}") from None
    if again is not obj:
        raise NotPortable(f"{path} does not find {obj!r}")
    return {_TAG: "ref", "path": path}


def _value(obj: Any) -> Any:
    """A value inside the schema (a default, a literal, a constraint)."""
    if obj is None or isinstance(obj, str | bool | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {_TAG: "float", "repr": repr(obj)}
    if isinstance(obj, list):
        return [_value(v) for v in obj]
    if isinstance(obj, tuple):
        return {_TAG: "tuple", "items": [_value(v) for v in obj]}
    if isinstance(obj, dict):
        if _TAG in obj or not all(isinstance(k, str) for k in obj):
            raise NotPortable("a mapping that cannot be stored as is")
        return {k: _value(v) for k, v in obj.items()}
    if _is_model_class(type(obj)):
        if getattr(obj, "__pydantic_private__", None):
            raise NotPortable("a model default with private attributes")
        extra = getattr(obj, "__pydantic_extra__", None)
        return {
            _TAG: "instance",
            "class": _path_of(type(obj)),
            "dict": _value(dict(obj.__dict__)),
            "extra": None if extra is None else _value(dict(extra)),
            "fields_set": sorted(obj.__pydantic_fields_set__),
        }
    if callable(obj):
        return _ref(obj)
    raise NotPortable(f"a value of type {type(obj).__name__}")


def _schema(node: Any) -> Any:
    """A core-schema node (a dict with a string ``type``) or any structure holding nodes."""
    if isinstance(node, list | tuple):
        return [_schema(v) for v in node]
    if not isinstance(node, dict):
        return _value(node)
    if _TAG in node or not all(isinstance(k, str) for k in node):
        raise NotPortable("a mapping that cannot be stored as is")
    kind = node.get("type")
    if not isinstance(kind, str):  # e.g. the ``fields`` mapping of field names
        return {k: _schema(v) for k, v in node.items()}
    if kind == "model" and (
        node.get("custom_init") or node.get("post_init") or node.get("root_model")
    ):
        raise NotPortable("a model with its own __init__, model_post_init or a root model")
    if "serialization" in node or node.get("serialization_exclude_if") is not None:
        raise NotPortable("a custom serializer")
    if kind == "model-fields" and node.get("computed_fields"):
        raise NotPortable("computed fields")
    if kind == "model" and (
        (node.get("schema") or {}).get("type") != "model-fields"
        or (node.get("config") or {}).get("serialize_by_alias")
    ):
        raise NotPortable("a model validator, or fields serialized by alias")
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "metadata":  # JSON Schema helpers (methods): validation never reads them
            continue
        if kind == "model" and key == "cls":
            if not _is_model_class(value):
                raise NotPortable("a model node without a model class")
            out[key] = {_TAG: "class", "path": _path_of(value)}
        elif key in ("default", "expected") or not isinstance(value, dict | list | tuple):
            out[key] = _value(value)
        else:
            out[key] = _schema(value)
    return out


def export(model: Any) -> dict[str, Any]:
    """The core schema of a pydantic model as plain data (``NotPortable`` if it cannot be)."""
    core = sys.modules.get(_CORE)
    schema = getattr(model, "__pydantic_core_schema__", None)
    validator = getattr(model, "__pydantic_validator__", None)
    # A model not fully built, or observed by a pydantic plugin, is left to pydantic.
    if core is None or not isinstance(schema, dict) or type(validator) is not core.SchemaValidator:
        raise NotPortable("not a fully built model")
    top = schema["schema"] if schema.get("type") == "definitions" else schema
    if top.get("type") != "model" or top.get("cls") is not model:
        raise NotPortable("not a model schema")
    exported = {"schema": _schema(schema), "config": _value(top.get("config"))}
    model_path = _path_of(model)
    if not all(may_refer_to(path, model_path) for path in _refs(exported)):
        raise NotPortable("a function outside the model's package")
    return exported


def _refs(data: Any) -> list[str]:
    if isinstance(data, list):
        return [p for v in data for p in _refs(v)]
    if not isinstance(data, dict):
        return []
    if data.get(_TAG) == "ref":
        return [data["path"]]
    return [p for v in data.values() for p in _refs(v)]


# --- rebuild (no pydantic) ---


class Validator:
    """A slice's validator and serializer, rebuilt from ``export``'s data."""

    def __init__(self, exported: dict[str, Any], model_path: str) -> None:
        """``model_path``: ``module:Class`` of the model the schema was exported from."""
        self._model_path = model_path
        self._classes: dict[str, type] = {}
        self._fields: dict[type, list[str]] = {}  # a model's fields, in model_dump's order
        core = core_module()
        schema = self._build(exported["schema"])
        config = self._build(exported["config"])
        self.ValidationError: type[Exception] = core.ValidationError
        self._validator = core.SchemaValidator(schema, config)

    def _stand_in(self, path: str) -> type:
        if path not in self._classes:
            name = path.rpartition(":")[2].rpartition(".")[2]
            self._classes[path] = type(name, (), {"__slots__": _SLOTS})
        return self._classes[path]

    def _build(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self._build(v) for v in data]
        if not isinstance(data, dict):
            return data
        tag = data.get(_TAG)
        if tag is None:
            built = {k: self._build(v) for k, v in data.items()}
            if built.get("type") == "model":
                fields = built["schema"]["fields"]
                self._fields[built["cls"]] = [
                    name for name, field in fields.items() if not field.get("serialization_exclude")
                ]
            return built
        if tag == "class":
            return self._stand_in(data["path"])
        if tag == "ref":
            if not may_refer_to(data["path"], self._model_path):
                raise ValueError(f"a stored core schema names {data['path']!r}")
            return _lookup(data["path"], loaded_only=False)
        if tag == "tuple":
            return tuple(self._build(v) for v in data["items"])
        if tag == "float":
            return float(data["repr"])
        if tag == "instance":
            obj: Any = object.__new__(self._stand_in(data["class"]))
            obj.__dict__ = self._build(data["dict"])
            extra = data["extra"]
            object.__setattr__(
                obj, "__pydantic_extra__", None if extra is None else self._build(extra)
            )
            object.__setattr__(obj, "__pydantic_fields_set__", set(data["fields_set"]))
            object.__setattr__(obj, "__pydantic_private__", None)
            return obj
        raise ValueError(f"unknown entry {tag!r} in a stored core schema")

    def validate(self, value: Any) -> Any:
        """``model_validate(value).model_dump(mode="json")``; raises pydantic-core's
        ``ValidationError`` exactly as the model would, ``CannotDump`` for a valid slice this
        cannot turn into JSON data."""
        return self._dump(self._validator.validate_python(value))

    def _dump(self, value: Any) -> Any:
        if value is None or type(value) in (str, int, bool):
            return value
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):  # JSON mode follows ser_json_inf_nan
                raise CannotDump("inf or nan")
            return value
        if kind is list or kind is tuple:
            return [self._dump(v) for v in value]
        if kind is dict:
            if not all(type(k) is str for k in value):
                raise CannotDump("a mapping with keys that are not strings")
            return {k: self._dump(v) for k, v in value.items()}
        fields = self._fields.get(kind)
        if fields is None:
            raise CannotDump(f"a value of type {kind.__name__}")
        attrs = value.__dict__
        out = {name: self._dump(attrs[name]) for name in fields}
        extra = value.__pydantic_extra__
        if extra:
            out.update(self._dump(dict(extra)))
        return out
