"""Plugin config slices, validated by each plugin's model (the engine merges and expands them:
``host_cli.engine.resolve``).

A validated slice is remembered in the cache (``host_cli.support.cache``) under a hash of the
expanded slice, the model's name and the source files of the model's package, so an
unchanged config costs no pydantic import on the next run. Each slice has its own entry: an
edit of one slice validates that slice only. A slice that did change is validated from its
model's core schema, stored in the cache the first time pydantic built the model
(``host_cli.plugins.coreschema``): no pydantic import then either, the same result and the same
errors. ``data(name)`` reads all that (cheap); ``get(Model)`` builds the typed model (imports
pydantic).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from host_cli.support import cache
from host_cli.support.errors import PluginError

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

ModelRef: TypeAlias = "type[BaseModel] | str"
M = TypeVar("M", bound="BaseModel")


def _model_path(model: Any) -> str:
    if isinstance(model, str):
        return model
    return f"{model.__module__}:{model.__qualname__}"


def _import_model(model: Any) -> type[BaseModel]:
    if not isinstance(model, str):
        return model  # type: ignore[no-any-return]
    module, _, attr = model.partition(":")
    found = importlib.import_module(module)
    for part in attr.split("."):
        found = getattr(found, part)
    return found  # type: ignore[return-value]


def _code_stamps(model: Any) -> list[str]:
    """Fingerprint of the code a validation result depends on: the model's package and pydantic."""
    return _stamps_of(model.partition(":")[0] if isinstance(model, str) else model.__module__)


@functools.cache
def _stamps_of(module: str) -> list[str]:
    # Once per module and process: two slices validated by one package share it.
    origin = getattr(sys.modules.get(module), "__file__", None)
    if origin is None:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
    files: list[str] = []
    if origin:
        folder = os.path.dirname(origin)
        files += [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".py")]
    pyd = importlib.util.find_spec("pydantic")
    if pyd is not None and pyd.origin:
        files.append(os.path.join(os.path.dirname(pyd.origin), "version.py"))
    return cache.file_stamps(files)


VALIDATED: list[tuple[str, str]] = []
"""``(slice, how)`` for each slice this process validated without a cache hit, ``how`` being
``"core"`` (from a stored core schema, no pydantic) or ``"pydantic"`` (the model). For tests."""


def _schema_material(model: Any) -> str:
    from host_cli.plugins.coreschema import core_stamp_files

    stamps = [*_code_stamps(model), *cache.file_stamps(core_stamp_files())]
    return repr(["core-schema", _model_path(model), stamps])


Path: TypeAlias = tuple[str, ...]
"""Keys from a slice's top to a string leaf; ``"*"`` stands for any key or list item."""


def _shell_paths_of(model: Any) -> list[Path]:
    """Where ``model`` declares ``ShellCommand`` fields (by alias and by name)."""
    import typing

    from host_cli.plugins.markers import ShellStringMarker

    found: set[Path] = set()
    seen: set[Any] = set()

    def walk(tp: Any, path: Path) -> None:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            base, *meta = typing.get_args(tp)
            if any(isinstance(m, ShellStringMarker) for m in meta):
                found.add(path)
            walk(base, path)
            return
        if origin in (dict, Mapping) or (origin is not None and origin.__name__ == "Mapping"):
            args = typing.get_args(tp)
            if len(args) == 2:
                walk(args[1], (*path, "*"))
            return
        if origin in (list, tuple, set, frozenset):
            for arg in typing.get_args(tp):
                if arg is not Ellipsis:
                    walk(arg, (*path, "*"))
            return
        if origin is not None:  # Union, Optional, X | Y
            for arg in typing.get_args(tp):
                walk(arg, path)
            return
        fields = getattr(tp, "model_fields", None)
        if isinstance(fields, dict) and (tp, path) not in seen:
            seen.add((tp, path))
            for name, info in fields.items():
                for key in {name, info.alias or name}:
                    annotation = info.annotation
                    if info.metadata:
                        annotation = typing.Annotated[(annotation, *info.metadata)]
                    walk(annotation, (*path, key))

    walk(model, ())
    return sorted(found)


def shell_paths(model_ref: ModelRef) -> list[Path]:
    """The shell-string fields of a plugin's config model, remembered in the cache (under the
    model's code) so an unchanged model costs no pydantic import to ask."""
    material = repr(["shell-paths", _model_path(model_ref), _code_stamps(model_ref)])
    hit = cache.load("shellpaths", material)
    if isinstance(hit, list):
        return [tuple(p) for p in hit]
    paths = _shell_paths_of(_import_model(model_ref))
    cache.store("shellpaths", material, [list(p) for p in paths])
    return paths


def format_error(name: str, exc: ValidationError, where: Mapping[tuple[str, ...], str]) -> str:
    """One line: the file, the dotted key, what was wrong and what was given."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(str(p) for p in first["loc"])
    shown = next((where[loc[:i]] for i in range(len(loc), -1, -1) if loc[:i] in where), "config")
    head = f"plugins.{name}" if name.isidentifier() else f'plugins["{name}"]'
    key = ".".join((head, *loc))
    if first["type"] == "extra_forbidden":
        what = "unknown key"
    elif first["type"] == "missing":
        what = "required key is missing"
    else:
        what = f"{first['msg']}, got {first['input']!r}"
    more = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    return f"{shown}: {key}: {what}{more}"


class PluginConfigs:
    """The validated config slice of every plugin that claimed one."""

    def __init__(
        self,
        models: Mapping[str, tuple[ModelRef, str]],
        slices: Mapping[str, tuple[dict[str, Any], dict[tuple[str, ...], str]]],
        reuse: PluginConfigs | None = None,
    ) -> None:
        """``reuse``: an earlier validation whose results stand for slices that are unchanged."""
        self._models = dict(models)
        self._slices = dict(slices)
        self._data: dict[str, dict[str, Any]] = {}
        self._typed: dict[str, Any] = {}
        if reuse is not None:
            for name, (value, _where) in self._slices.items():
                if name in reuse._slices and reuse._slices[name][0] == value:
                    if name in reuse._data:
                        self._data[name] = reuse._data[name]
                    if name in reuse._typed:
                        self._typed[name] = reuse._typed[name]

    def names(self) -> list[str]:
        """The claimed config keys."""
        return list(self._models)

    def _validate(self, name: str) -> dict[str, Any]:
        material = self._material(name)
        hit = cache.load("slice", material)
        if isinstance(hit, dict):
            return hit
        data = self._validate_from_core_schema(name)
        how = "core"
        if data is None:
            how = "pydantic"
            data = self._typed_model(name).model_dump(mode="json")
            self._export_core_schema(name)
        VALIDATED.append((name, how))
        cache.store("slice", material, data)
        return data

    def _validate_from_core_schema(self, name: str) -> dict[str, Any] | None:
        """The slice validated by its model's stored core schema, without pydantic; ``None``
        when no schema is stored (or it no longer builds: pydantic then decides)."""
        model_ref, _plugin = self._models[name]
        stored = cache.load("coreschema", _schema_material(model_ref))
        if not isinstance(stored, dict):
            return None
        from host_cli.plugins import coreschema

        try:
            validator = coreschema.Validator(stored, _model_path(model_ref))
        except Exception:  # a stale or foreign entry, a check renamed: only costs time
            return None
        value, where = self._slices.get(name, ({}, {}))
        try:
            data = validator.validate(value)
        except validator.ValidationError as exc:
            raise PluginError(format_error(name, exc, where)) from None  # type: ignore[arg-type]
        except coreschema.CannotDump:
            return None
        return data if isinstance(data, dict) else None

    def _export_core_schema(self, name: str) -> None:
        """Store the model's core schema for the next slice that changes (pydantic is loaded)."""
        if cache.cache_dir() is None:
            return
        from host_cli.plugins import coreschema

        model_ref, _plugin = self._models[name]
        try:
            exported = coreschema.export(_import_model(model_ref))
        except coreschema.NotPortable:
            return
        cache.store("coreschema", _schema_material(model_ref), exported)

    def _typed_model(self, name: str) -> Any:
        if name not in self._typed:
            from pydantic import ValidationError

            model_ref, plugin = self._models[name]
            try:
                model = _import_model(model_ref)
            except Exception as exc:
                raise PluginError(
                    f"plugin {plugin!r}: cannot import config model {_model_path(model_ref)} "
                    f"({type(exc).__name__}: {exc})"
                ) from None
            value, where = self._slices.get(name, ({}, {}))
            try:
                self._typed[name] = model.model_validate(value)
            except ValidationError as exc:
                raise PluginError(format_error(name, exc, where)) from None
        return self._typed[name]

    def _material(self, name: str) -> str:
        model_ref, _plugin = self._models[name]
        value, _where = self._slices.get(name, ({}, {}))
        # repr of plain data is exact and deterministic for the same input
        return repr([name, _model_path(model_ref), value, _code_stamps(model_ref)])

    def validate_all(self) -> None:
        """Validate every claimed slice now: one cache entry holds them all when none changed
        (one read per start), else each is validated (and cached) on its own."""
        todo = [name for name in self._models if name not in self._data]
        if not todo:
            return
        material = repr([self._material(name) for name in todo])
        hit = cache.load("slices", material)
        if isinstance(hit, dict) and set(hit) == set(todo):
            self._data.update(hit)
            return
        for name in todo:
            self.data(name)
        cache.store("slices", material, {name: self._data[name] for name in todo})

    def data(self, name: str) -> Mapping[str, Any]:
        """The validated slice ``plugins.<name>`` as plain JSON data, defaults filled in."""
        if name not in self._models:
            raise KeyError(f"no plugin claimed the config key plugins.{name}")
        if name not in self._data:
            self._data[name] = self._validate(name)
        return self._data[name]

    def get(self, model: type[M]) -> M:
        """The validated slice as an instance of ``model`` (the model a plugin registered)."""
        for name, (ref, _plugin) in self._models.items():
            if ref is model or _model_path(ref) == _model_path(model):
                return self._typed_model(name)  # type: ignore[no-any-return]
        raise KeyError(f"no config slice is validated by {_model_path(model)}")
