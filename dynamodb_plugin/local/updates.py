"""UpdateItem and condition expressions at less cost, moto still the one that evaluates them.

An UpdateItem of ``benchmarks/server.py`` cost the server ~3 ms of CPU, 45% of it in moto's
backend ``update_item``: its ``Validator`` deep-copies the parsed UpdateExpression (a tenth)
and walks the copy ten times with ``DepthFirstTraverser`` (a quarter), each node looked up
through ``_processing_map()`` dicts built anew per node and ``isinstance`` checks on ``ABCMeta``
classes; two of the walks call ``find_clauses`` on every node (quadratic); the
ConditionExpression was parsed twice per request (in the handler, for its checks, and in
the backend). Each function here replaces one piece of moto's with one that does the same,
by construction, without that overhead, and returns ``False`` (changing nothing) where moto's
code is not the one it was written for:

- ``cached_conditions``: ``ConditionExpressionParser.parse`` kept per expression, the names
  it looks up and the values it uses (the parse embeds them); the tree of ``Op``/``Func``
  objects it returns is only read (``expr(item)``), so one serves every request alike.
- ``lean_traversals``: ``DepthFirstTraverser.traverse`` and ``Node.find_clauses`` as moto's,
  visiting the same nodes in the same order and calling the same processors and hooks, with
  the per-node lookups done once per class.
- ``node_copies``: the validator's ``deepcopy`` of the parsed tree as ``copy.deepcopy`` makes
  it (a memo, parents and all), node by node instead of through ``__reduce_ex__``.
- ``keyword_set``: moto's reserved words (checked for each plain attribute name of each
  expression) looked up in a set instead of a 573-word list.
- ``planned_updates``: even lean, the validator's copy and ten walks were half of what was
  left of an UpdateItem. Its work is now done from a plan made once per parsed expression:
  moto's three expression-only checks once per names and table keys, then what the other
  seven processors compute, step by step with moto's own functions, into the tree moto's
  validator would return (moto's ``normalize`` and executor apply it); moto's validator
  itself wherever moto would raise or the tree has a node the plan was not made for.
- ``item_copies``: ``Item.__deepcopy__`` (twice per UpdateItem) as moto's, without a
  ``copy.deepcopy`` dispatch per attribute value.

``tests/dynamodb/test_updates.py`` checks the answers (and stream records) against moto's own
code on a twin backend, with hypothesis-generated update and condition expressions, the
planned trees against moto's validated ones and the item copies against moto's.
"""

from __future__ import annotations

import copy
import copyreg
import inspect
from collections.abc import Iterator
from typing import Any

from dynamodb_plugin.local import startup

PARSED_LIMIT = 512  # condition expressions kept parsed (per expression, names and values)
PLANNED_NODES = 100_000  # nodes of the parsed trees the plans hold, in all (~15 MB)
KEPT_VALUES = 16 * 1024  # a parse (or check) whose names' and values' text is longer is not kept


def _kept_size(names: tuple[Any, ...], values: tuple[str, ...] = ()) -> int:
    """The text of the names and values a kept parse or check holds: a name may be 64 KB, and
    a 4 KB expression names a few hundred of them (a 17 MB request's worth, kept 512 times)."""
    return sum(len(n) if type(n) is str else len(repr(n)) for n in names) + sum(map(len, values))


def cached_conditions() -> bool:
    """Parse each ConditionExpression (and Filter-, with the names and values it uses) once.

    moto's parse looks up each ``#name`` and ``:value`` the expression names and puts them in
    the tree it builds; whether it parses, and what it builds, depends on the expression text,
    those names and those values only. So the tree is kept under that key: the text, the names
    it looked up and the ``repr`` of the values it used (``repr`` of JSON-read values tells
    different values apart). It is built from a private copy of the values, which no request
    holds (moto's items may share lists with a request's values). A parse that raises is not
    kept: it raises again, as moto's, every time."""
    try:
        from moto.dynamodb.comparisons import ConditionExpressionParser
    except ImportError:
        return False
    original = getattr(ConditionExpressionParser, "parse", None)
    if original is None:
        return False
    if getattr(original, "_fast", False):
        return True
    try:
        source = startup.source(original)
    except (OSError, TypeError):
        return False
    if "expr_attr_names_found" not in source or "expr_attr_values_found" not in source:
        return False  # a moto whose parse leaves other traces on the parser
    uses: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    parsed: dict[tuple[Any, ...], tuple[Any, list[str], list[str]]] = {}

    def parse(self: Any) -> Any:
        text = self.condition_expression
        if not text or type(text) is not str:
            return original(self)
        names = self.expression_attribute_names
        values = self.expression_attribute_values
        used = uses.get(text)
        if used is not None:
            try:
                key = (
                    text,
                    tuple([(names or {})[n] for n in used[0]]),
                    tuple([repr((values or {})[v]) for v in used[1]]),
                )
                hit = parsed.get(key)
            except (KeyError, TypeError, AttributeError):
                return original(self)  # not defined, or not a mapping: moto's error
            if hit is not None:
                op, found_names, found_values = hit
                self.expr_attr_names_found.extend(found_names)
                self.expr_attr_values_found.extend(found_values)
                return op
        twin = type(self)(text, names, copy.deepcopy(values))
        op = original(twin)  # raises as moto's would
        self.expr_attr_names_found.extend(twin.expr_attr_names_found)
        self.expr_attr_values_found.extend(twin.expr_attr_values_found)
        placeholders = (
            tuple(dict.fromkeys(t for t in twin.expr_attr_names_found if t[:1] == "#")),
            tuple(dict.fromkeys(twin.expr_attr_values_found)),
        )
        try:
            key = (
                text,
                tuple([(names or {})[n] for n in placeholders[0]]),
                tuple([repr((values or {})[v]) for v in placeholders[1]]),
            )
            hash(key)
        except (KeyError, TypeError, AttributeError):
            return op
        if _kept_size(key[1], key[2]) > KEPT_VALUES:
            return op  # not kept: 512 parses holding 2 MB values (or names) each: gigabytes
        if len(parsed) >= PARSED_LIMIT:
            parsed.clear()
        if len(uses) >= PARSED_LIMIT:
            uses.clear()
        uses[text] = placeholders
        parsed[key] = (op, list(twin.expr_attr_names_found), list(twin.expr_attr_values_found))
        return op

    parse._fast = True  # type: ignore[attr-defined]
    ConditionExpressionParser.parse = parse  # type: ignore[method-assign]
    return True


def lean_traversals() -> bool:
    """moto's ``DepthFirstTraverser.traverse`` and ``Node.find_clauses``, the same walk.

    The traversal visits each node's children depth first, calls ``pre_processing_of_child``
    before each (where a processor has one), then hands the node to the first processor of
    ``_processing_map()`` (in its order) whose class it is an instance of, and puts what that
    returns in the node's parent's children. Here the map is read once per walk instead of
    twice per node, and "is it a Node" / "which processor" once per class of node."""
    try:
        from moto.dynamodb.parsing import ast_nodes
    except ImportError:
        return False
    traverser = getattr(ast_nodes, "DepthFirstTraverser", None)
    node_class = getattr(ast_nodes, "Node", None)
    descend: tuple[Any, ...] = tuple(
        getattr(ast_nodes, name, None) for name in ("Expression", "UpdateExpressionFunction")
    )
    if traverser is None or node_class is None or None in descend:
        return False
    original = traverser.traverse
    if getattr(original, "_fast", False):
        return True
    try:
        walk_source = startup.source(traverser.traverse_node_recursively)
        process_source = startup.source(traverser.process)
        clauses_source = startup.source(node_class.find_clauses)
    except (AttributeError, OSError, TypeError):
        return False
    if (
        "parent_node.children[child_id] = node" not in walk_source
        or "self.pre_processing_of_child(node, i)" not in walk_source
        or "self._processing_map().items()" not in process_source
        or "type(child) in clause_types" not in clauses_source
        or "isinstance(child, Expression)" not in clauses_source
        or "isinstance(child, UpdateExpressionFunction)" not in clauses_source
        or clauses_source.count("isinstance") != 2
    ):
        return False
    own = {
        name: vars(traverser)[name]
        for name in (
            "traverse_node_recursively",
            "process",
            "nodes_to_be_processed",
        )
    }
    base_pre = traverser.pre_processing_of_child
    is_node: dict[type, bool] = {}
    chosen: dict[tuple[tuple[type, ...], type], int] = {}

    def traverse(self: Any, node: Any) -> Any:
        kind = type(self)
        if any(getattr(kind, name) is not method for name, method in own.items()):
            return original(self, node)  # a traverser that walks its own way
        processing = self._processing_map()
        keys = tuple(processing)
        processors = list(processing.values())
        hook = None if kind.pre_processing_of_child is base_pre else self.pre_processing_of_child

        def walk(node: Any, child_id: int) -> Any:
            kind = type(node)
            known = is_node.get(kind)
            if known is None:
                known = is_node[kind] = isinstance(node, node_class)
            if not known:
                return node
            parent_node = node.parent
            if node.children is not None:
                for i, child_node in enumerate(node.children):
                    if hook is not None:
                        hook(node, i)
                    walk(child_node, i)
            index = chosen.get((keys, kind))
            if index is None:
                index = next((j for j, key in enumerate(keys) if isinstance(node, key)), -1)
                chosen[(keys, kind)] = index
            if index >= 0:
                node = processors[index](node)
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
            return node

        return walk(node, -1)

    descends: dict[type, bool] = {}

    def find_clauses(self: Any, clause_types: Any) -> list[Any]:
        clauses: list[Any] = []
        for child in self.children or []:
            kind = type(child)
            if kind in clause_types:
                clauses.append(child)
                continue
            deeper = descends.get(kind)
            if deeper is None:
                deeper = descends[kind] = isinstance(child, descend)
            if deeper:
                clauses.extend(child.find_clauses(clause_types))
        return clauses

    traverse._fast = True  # type: ignore[attr-defined]
    traverser.traverse = traverse
    node_class.find_clauses = find_clauses
    return True


def node_copies() -> bool:
    """The validator's ``deepcopy(expression)`` as ``copy.deepcopy`` copies a parsed tree:
    each node a new object of its class with its ``__dict__`` copied member by member (through
    one memo, so a node reached twice, as a child and as a parent, is copied once), strings,
    numbers and ``None`` shared, anything else left to ``copy.deepcopy``. A tenth of an
    UpdateItem went to ``deepcopy``'s dispatch and ``__reduce_ex__`` per node."""
    try:
        from moto.dynamodb.parsing import ast_nodes, validators
    except ImportError:
        return False
    node_class = getattr(ast_nodes, "Node", None)
    current = getattr(validators, "deepcopy", None)
    if node_class is None or current is None:
        return False
    if getattr(current, "_fast", False):
        return True
    if current is not copy.deepcopy:
        return False
    shared = (str, int, float, bool, type(None))
    plain: dict[type, bool] = {}

    def is_plain_node(kind: type) -> bool:
        """A Node class copied as ``copy.deepcopy`` copies a plain object: no copy hooks of
        its own, no slots, ``object.__reduce_ex__``."""
        known = plain.get(kind)
        if known is None:
            known = plain[kind] = (
                issubclass(kind, node_class)
                and kind not in copyreg.dispatch_table
                and not any(
                    hasattr(kind, hook) for hook in ("__deepcopy__", "__setstate__", "__slots__")
                )
                and all(
                    getattr(kind, name) is getattr(object, name)
                    for name in ("__reduce_ex__", "__reduce__")
                )
                and getattr(kind, "__getstate__", None) is getattr(object, "__getstate__", None)
            )
        return known

    def value(v: Any, memo: dict[int, Any]) -> Any:
        kind = type(v)
        if kind in shared:
            return v
        found = memo.get(id(v), memo)
        if found is not memo:
            return found
        if kind is list:
            new: list[Any] = []
            memo[id(v)] = new
            new.extend([value(x, memo) for x in v])
            return new
        if is_plain_node(kind):
            twin = object.__new__(kind)
            memo[id(v)] = twin
            twin.__dict__.update({k: value(x, memo) for k, x in v.__dict__.items()})
            return twin
        return copy.deepcopy(v, memo)

    def deepcopy(x: Any, memo: dict[int, Any] | None = None) -> Any:
        if not is_plain_node(type(x)):
            return copy.deepcopy(x, memo)
        memo = {} if memo is None else memo
        result = value(x, memo)
        memo.setdefault(id(memo), []).append(x)  # as copy.deepcopy keeps the original alive
        return result

    deepcopy._fast = True  # type: ignore[attr-defined]
    validators.deepcopy = deepcopy  # type: ignore[attr-defined,assignment]
    return True


class _Words(list):  # type: ignore[type-arg]
    """moto's list of reserved words, with a set for ``in``."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(words)
        self._set = frozenset(words)

    def __contains__(self, word: object) -> bool:
        try:
            return word in self._set
        except TypeError:  # unhashable: as a list compares
            return list.__contains__(self, word)


def keyword_set() -> bool:
    """Reserved words found in a set: moto checks ``name.upper() in <573-word list>`` for
    every plain attribute name of every update and condition expression."""
    try:
        from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords
    except ImportError:
        return False
    if not hasattr(ReservedKeywords, "get_reserved_keywords"):
        return False
    words = ReservedKeywords.get_reserved_keywords()
    if isinstance(words, _Words):
        return True
    if type(words) is not list or vars(ReservedKeywords).get("KEYWORDS") is not words:
        return False
    ReservedKeywords.KEYWORDS = _Words(words)
    return True


# sha256 of the source of the parts of moto 5.2.5 whose working ``planned_updates`` repeats
# (``_planned_sources``); any other source, and moto's validator stays in place.
PLANNED_FOR = "3c119459f679ddf3a8392c765d7e52b6d80c5231f571159575e7d08be0e07a9c"


def _planned_sources() -> list[Any] | None:
    try:
        from moto.dynamodb import models
        from moto.dynamodb.parsing import ast_nodes as _nodes
        from moto.dynamodb.parsing import validators as _validators
    except ImportError:
        return None
    ast_nodes: Any = _nodes  # moto's modules are untyped ("# type: ignore")
    validators: Any = _validators
    try:
        return [
            validators.Validator,
            validators.UpdateExpressionValidator,
            validators.ExpressionAttributeValueProcessor,
            validators.ExpressionPathResolver,
            validators.ExpressionAttributeResolvingProcessor,
            validators.UpdateExpressionFunctionEvaluator,
            validators.NoneExistingPathChecker,
            validators.ExecuteOperations,
            validators.TypeMismatchValidator,
            validators.EmptyStringKeyValueValidator,
            ast_nodes.Node,
            ast_nodes.DepthFirstTraverser,
            ast_nodes.DDBTypedValue,
            ast_nodes.NoneExistingPath,
            ast_nodes.UpdateExpressionFunction,
            ast_nodes.UpdateExpressionValue,
            ast_nodes.UpdateExpressionAction,
            ast_nodes.UpdateExpressionRemoveAction,
            models.DynamoDBBackend.update_item,
        ]
    except AttributeError:
        return None


def _planned_digest() -> str | None:
    """sha256 of the source of every part of moto ``planned_updates`` works as."""
    import hashlib

    parts = _planned_sources()
    if parts is None:
        return None
    digest = hashlib.sha256()
    try:
        for source in _sources(parts):
            digest.update(source.encode())
    except (OSError, TypeError):
        return None
    return digest.hexdigest()


def _sources(parts: list[Any]) -> Iterator[str]:
    """``inspect.getsource`` of each part, read through getdotenv's cache (``startup.source``)
    and, on a miss, as ``_block`` reads it."""
    for part in parts:
        yield startup.source(part, _block)


def _block(part: Any) -> str:
    """``inspect.getsource(part)``, without parsing modules: for a class, Python 3.11
    and 3.12's ``inspect`` parse the class's whole module every time (18 parses here, ~70 ms of
    the server's start). A module-level class is the block from the first ``class Name`` line
    that starts a line (with the decorators above it), as ``inspect`` finds it in a module that
    defines the name once; any other part, ``inspect``'s own. (A text that is not the one
    digested only leaves moto's code in place: ``PLANNED_FOR``.)"""
    import linecache

    name = getattr(part, "__qualname__", "")
    file = inspect.getsourcefile(part) if inspect.isclass(part) and "." not in name else None
    lines = linecache.getlines(file) if file else []
    heads = (f"class {name}(", f"class {name}:")
    at = next((i for i, line in enumerate(lines) if line.startswith(heads)), None)
    if at is None:
        return inspect.getsource(part)
    while at and lines[at - 1].startswith("@"):
        at -= 1
    return "".join(inspect.getblock(lines[at:]))


_MISSING = object()  # a placeholder the request does not define


def planned_updates() -> bool:
    """moto's ``UpdateExpressionValidator`` answered from a plan made once per expression.

    moto validates an UpdateExpression by deep-copying its parsed tree and walking the copy
    with ten processors in turn (half the cost of an UpdateItem): the first three check the
    expression itself (one SET/ADD/REMOVE clause each, no two paths overlapping, no key
    attribute updated) and depend only on it, the names it uses and the table's keys; the
    others put each ``:value``'s ``DynamoType`` in place (4), each path read on the right of an
    action as the item's value or a ``NoneExistingPath`` (5; a path written must exist or be
    creatable), evaluate ``if_not_exists``/``list_append`` (6), refuse what is still missing (7),
    evaluate ``+``/``-`` (8) and refuse a wrong type or an empty string for a key attribute of
    the table or an index (9, 10). ``normalize()`` then lists the actions (REMOVEs of a run in
    reverse order) and ``UpdateExpressionExecutor`` applies them to the item.

    Here the tree is read once: its actions, each one's path and a small plan of its value.
    For a request, the first three processors run as moto's (on a copy, once per names and
    table keys: they pass or raise the same every time), then the plan computes what 4-10
    compute, with moto's own functions for each step (``ExpressionPathResolver``,
    ``UpdateExpressionFunctionEvaluator.process_function``, ``ExecuteOperations.get_sum``/
    ``get_subtraction``, ``DynamoType``), each ``:value`` made once per place it is named as
    moto does (a ``DynamoType`` of the request's value: an item shares it as moto's does),
    and builds the tree moto's validate would hand on: a root whose children are the actions,
    each with its path and its value's ``DDBTypedValue`` (the path nodes are the parsed tree's
    own, which nothing writes to). moto's ``normalize()`` and executor apply it. Nothing is
    changed before it is done; where moto would raise anything, or the tree has a node the
    plan was not made for, moto's validator does the whole work from the start (and raises
    what it raises). ``False`` where moto's code differs from the one this was written for
    (``PLANNED_FOR``)."""
    try:
        from moto.dynamodb import models
        from moto.dynamodb.parsing import ast_nodes as _nodes
        from moto.dynamodb.parsing import validators as _validators
    except ImportError:
        return False
    nodes: Any = _nodes  # moto's modules are untyped ("# type: ignore")
    validators: Any = _validators
    current = getattr(models, "UpdateExpressionValidator", None)
    if getattr(current, "_fast", False):
        return True
    if current is None or current is not getattr(validators, "UpdateExpressionValidator", None):
        return False
    if _planned_digest() != PLANNED_FOR:
        return False
    moto_validator: Any = current
    dynamo_type = validators.DynamoType
    typed_value = nodes.DDBTypedValue
    missing_path = nodes.NoneExistingPath
    path_class = nodes.UpdateExpressionPath
    value_class = nodes.UpdateExpressionValue
    attribute_value = nodes.ExpressionAttributeValue
    attribute_name = nodes.ExpressionAttributeName
    function_class = nodes.UpdateExpressionFunction
    operator_class = nodes.ExpressionValueOperator
    set_action = nodes.UpdateExpressionSetAction
    actions = (
        set_action,
        nodes.UpdateExpressionAddAction,
        nodes.UpdateExpressionRemoveAction,
        nodes.UpdateExpressionDeleteAction,
    )
    structure = {
        nodes.UpdateExpression,
        nodes.UpdateExpressionSetClause,
        nodes.UpdateExpressionSetActions,
        nodes.UpdateExpressionRemoveClause,
        nodes.UpdateExpressionRemoveActions,
        nodes.UpdateExpressionAddClause,
        nodes.UpdateExpressionAddActions,
        nodes.UpdateExpressionDeleteClause,
        nodes.UpdateExpressionDeleteActions,
    }
    path_parts = {
        nodes.ExpressionAttribute,
        attribute_name,
        nodes.ExpressionPathDescender,
        nodes.ExpressionSelector,
    }
    functions = validators.UpdateExpressionFunctionEvaluator()
    operations = validators.ExecuteOperations
    checks = (
        validators.ActionCountValidator,
        validators.OverlappingPathsValidator,
        validators.UpdateHashRangeKeyValidator,
    )

    class Unplanned(Exception):
        """What the plan does not do: moto's validator does it."""

    def new_node(kind: type, children: list[Any], parent: Any) -> Any:
        node: Any = object.__new__(kind)
        node.__dict__.update(type=kind.__name__, children=children, parent=parent)
        return node

    def is_path(node: Any) -> bool:
        return (
            type(node) is path_class
            and bool(node.children)
            and all(type(part) in path_parts for part in node.children)
        )

    def operand(node: Any, inside_function: bool) -> tuple[Any, ...]:
        """The plan of a value: ("value", name), ("path", node), ("function", name, args),
        ("one", plan) or ("operation", "+"|"-", left, right)."""
        kind = type(node)
        if kind is attribute_value:
            name = node.get_value_name()
            if type(name) is not str:
                raise Unplanned
            return ("value", name)
        if is_path(node):
            return ("path", node)
        if kind is function_class:
            name, *args = node.children
            if type(name) is not str or not args:
                raise Unplanned
            return ("function", name, [operand(arg, True) for arg in args])
        if kind is value_class and not inside_function:  # 8 would come after 6 there
            children = node.children or []
            if len(children) == 1:
                return ("one", operand(children[0], False))
            if (
                len(children) == 3
                and type(children[1]) is operator_class
                and children[1].get_operator() in ("+", "-")
            ):
                return (
                    "operation",
                    children[1].get_operator(),
                    operand(children[0], False),
                    operand(children[2], False),
                )
        raise Unplanned

    class Plan:
        def __init__(self, tree: Any) -> None:
            found: list[Any] = []

            def walk(node: Any) -> None:
                for child in node.children or []:
                    if type(child) in actions:
                        found.append(child)
                    elif type(child) in structure:
                        walk(child)
                    else:
                        raise Unplanned

            if type(tree) is not nodes.UpdateExpression:
                raise Unplanned
            walk(tree)
            listed = tree.find_clauses(list(actions))  # as normalize() lists them
            if [id(a) for a in listed] != [id(a) for a in found]:
                raise Unplanned
            self.tree = tree
            self.steps: list[tuple[type, Any, Any, Any]] = []
            for action in found:
                children = action.children or []
                if not children or not is_path(children[0]):
                    raise Unplanned
                path = children[0]
                kind = type(action)
                if kind is nodes.UpdateExpressionRemoveAction:
                    if len(children) != 1:
                        raise Unplanned
                    value = None
                elif kind is set_action:
                    if len(children) != 2 or type(children[1]) is not value_class:
                        raise Unplanned
                    value = operand(children[1], False)
                else:
                    if len(children) != 2 or type(children[1]) is not attribute_value:
                        raise Unplanned
                    value = operand(children[1], False)
                head = path.children[0].children
                if not head:
                    raise Unplanned
                # what TypeMismatch/EmptyString compare (a placeholder as it is written)
                self.steps.append((kind, path, value, head[0]))
            # what the three checks look up in the names: each placeholder, and the first
            # element of each path as written (UpdateHashRangeKeyValidator maps it)
            every = _nodes_of(tree)
            self.weight = len(every)
            self.placeholders = tuple(
                dict.fromkeys(
                    [n.get_attribute_name_placeholder() for n in every if type(n) is attribute_name]
                    + [n.children[0].children[0] for n in every if type(n) is path_class]
                )
            )
            self.passed: set[Any] = set()

        def checked(self, names: dict[str, Any], table: Any) -> None:
            """moto's first three processors, once per names and table keys."""
            key = (
                tuple(names.get(p, _MISSING) for p in self.placeholders),
                tuple(table.table_key_attrs),
            )
            if key in self.passed:
                return
            tree = validators.deepcopy(self.tree)
            tree = checks[0]().traverse(tree)
            tree = checks[1](names).traverse(tree)
            checks[2](table.table_key_attrs, names or {}).traverse(tree)
            if _kept_size(tuple(n for n in key[0] if n is not _MISSING)) > KEPT_VALUES:
                return  # passed, not kept: 512 checks holding 13 MB of names each, gigabytes
            if len(self.passed) >= PARSED_LIMIT:
                self.passed.clear()
            self.passed.add(key)

        def validated(self, item: Any, names: Any, values: Any, table: Any) -> Any:
            """The tree moto's validate returns, or ``None`` (moto's validator, then)."""
            if type(names) is not dict or type(values) is not dict:
                return None
            try:
                self.checked(names, table)
                resolver = validators.ExpressionPathResolver(names)
                root = new_node(nodes.UpdateExpression, [], None)
                for kind, path, plan, head in self.steps:
                    target = resolver.resolve_expression_path_nodes(item, path.children)
                    if type(target) is missing_path and not target.is_creatable():
                        return None  # InvalidUpdateExpressionInvalidDocumentPath
                    if plan is None:
                        root.children.append(new_node(kind, [path], root))
                        continue
                    value = evaluate(plan, item, values, resolver)
                    if type(value) is not typed_value:
                        return None  # AttributeDoesNotExist, or not what moto's executor takes
                    if kind is set_action:
                        new = value.children[0]
                        for definition in table.attr:
                            if (
                                definition["AttributeName"] == head
                                and definition["AttributeType"] != new.type
                            ):
                                return None  # InvalidAttributeTypeError
                        if (
                            not new.value
                            and new.type in ["S", "B"]
                            and head in table.attribute_keys
                        ):
                            return None  # EmptyKeyAttributeException
                    root.children.append(new_node(kind, [path, value], root))
            except Exception:  # noqa: BLE001 - moto's validator raises it again, as moto's
                return None
            return root

    def evaluate(plan: tuple[Any, ...], item: Any, values: dict[str, Any], resolver: Any) -> Any:
        kind = plan[0]
        if kind == "value":
            return typed_value(dynamo_type(values[plan[1]]))  # KeyError: not defined
        if kind == "path":
            return resolver.resolve_expression_path_nodes(item, plan[1].children)
        if kind == "function":
            args = [evaluate(arg, item, values, resolver) for arg in plan[2]]
            return functions.process_function(new_node(function_class, [plan[1], *args], None))
        if kind == "one":
            return evaluate(plan[1], item, values, resolver)
        left = evaluate(plan[2], item, values, resolver)
        right = evaluate(plan[3], item, values, resolver)
        if type(left) is not typed_value or type(right) is not typed_value:
            raise Unplanned  # a NoneExistingPath: AttributeDoesNotExist
        left = operations.get_dynamo_value_from_ddb_typed_value(left)
        right = operations.get_dynamo_value_from_ddb_typed_value(right)
        if plan[1] == "+":
            return operations.get_sum(left, right)
        return operations.get_subtraction(left, right)

    plans: dict[int, tuple[Any, Plan | None]] = {}
    weight = [0]  # nodes of the trees ``plans`` holds (a 4 KB expression's: ~3,000)

    def plan_of(expression: Any) -> Plan | None:
        kept = plans.get(id(expression))
        if kept is not None and kept[0] is expression:
            return kept[1]
        try:
            plan: Plan | None = Plan(expression)
        except Exception:  # noqa: BLE001 - a tree the plan is not made for
            plan = None
        nodes = plan.weight if plan is not None else 1
        if len(plans) >= PARSED_LIMIT or weight[0] + nodes > PLANNED_NODES:
            plans.clear()  # (each holds its tree: 512 of the longest, 200 MB)
            weight[0] = 0
        plans[id(expression)] = (expression, plan)
        weight[0] += nodes
        return plan

    class PlannedValidator(moto_validator):  # type: ignore[misc]
        """moto's ``UpdateExpressionValidator``, from a plan where there is one."""

        _fast = True

        def __init__(
            self,
            expression: Any,
            expression_attribute_names: Any,
            expression_attribute_values: Any,
            item: Any,
            table: Any,
        ) -> None:
            self._plan = plan_of(expression)
            self._expression = expression
            if self._plan is None:
                super().__init__(
                    expression, expression_attribute_names, expression_attribute_values, item, table
                )
                return
            self.expression_attribute_names = expression_attribute_names
            self.expression_attribute_values = expression_attribute_values
            self.item = item
            self.table = table

        def validate(self) -> Any:
            plan, self._plan = self._plan, None
            if plan is not None:
                tree = plan.validated(
                    self.item,
                    self.expression_attribute_names,
                    self.expression_attribute_values,
                    self.table,
                )
                if tree is not None:
                    return tree
                moto_validator.__init__(  # moto's, from the start
                    self,
                    self._expression,
                    self.expression_attribute_names,
                    self.expression_attribute_values,
                    self.item,
                    self.table,
                )
            return moto_validator.validate(self)

    PlannedValidator.__name__ = PlannedValidator.__qualname__ = "UpdateExpressionValidator"
    models.UpdateExpressionValidator = PlannedValidator  # type: ignore[attr-defined]
    return True


def _nodes_of(tree: Any) -> list[Any]:
    """Every node of a parsed tree, depth first."""
    found = [tree]
    for child in getattr(tree, "children", None) or []:
        if hasattr(child, "children"):
            found.extend(_nodes_of(child))
    return found


def _item_copy_digest() -> str | None:
    """sha256 of the source of moto's ``Item.__deepcopy__`` and ``DynamoType.__deepcopy__``
    (with the ``is_*`` tests it uses), which ``item_copies`` repeats."""
    import hashlib

    try:
        from moto.dynamodb.models.dynamo_type import DynamoType, Item

        parts: list[Any] = [
            Item.__deepcopy__,
            DynamoType.__deepcopy__,
            DynamoType.is_list,
            DynamoType.is_map,
            DynamoType.is_set,
        ]
        digest = hashlib.sha256()
        for part in parts:
            digest.update(startup.source(part).encode())
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    return digest.hexdigest()


ITEM_COPY_FOR = "f5dbc5c357c943216277a43495de95e47f88225723eabfa52aa5319cac17b838"


def item_copies() -> bool:
    """``copy.deepcopy(item)`` (twice per UpdateItem: the handler's copy of the item before,
    for ReturnValues, and the backend's, for the stream's old image) as moto's own
    ``Item.__deepcopy__`` makes it, without a ``copy.deepcopy`` dispatch for each attribute
    value: a new ``Item`` with copies of its keys and of each value as
    ``DynamoType.__deepcopy__`` makes them (lists and maps value by value, a set's list
    copied, anything else shared), through the one memo (so a value an item holds twice is
    copied once, as there); a value that is not a ``DynamoType`` goes to ``copy.deepcopy``.
    ``False`` where moto's copies are not the ones this was written for (``ITEM_COPY_FOR``)."""
    try:
        from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    except ImportError:
        return False
    current = vars(Item).get("__deepcopy__")
    if getattr(current, "_fast", False):
        return True
    if current is None or _item_copy_digest() != ITEM_COPY_FOR:
        return False
    sets = ("SS", "NS", "BS")
    deep = copy.deepcopy

    def value_copy(value: Any, memo: dict[int, Any]) -> Any:
        if type(value) is not DynamoType:
            return deep(value, memo)
        found = memo.get(id(value))
        if found is not None:
            return found
        twin = object.__new__(DynamoType)
        memo[id(value)] = twin
        kind = twin.type = value.type
        inner = value.value
        if kind == "L":
            twin.value = [value_copy(v, memo) for v in inner]
        elif kind == "M":
            twin.value = {k: value_copy(v, memo) for k, v in inner.items()}
        elif kind in sets:
            twin.value = list(inner)
        else:
            twin.value = inner
        return twin

    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:
        if id(self) in memo:
            return memo[id(self)]
        twin = self.__class__.__new__(self.__class__)
        memo[id(self)] = twin
        twin.hash_key = value_copy(self.hash_key, memo)
        twin.range_key = value_copy(self.range_key, memo)
        attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.__init__(attrs)
        for key, value in self.attrs.items():
            dict.__setitem__(attrs, key, value_copy(value, memo))
        twin.attrs = attrs
        return twin

    __deepcopy__._fast = True  # type: ignore[attr-defined]
    Item.__deepcopy__ = __deepcopy__  # type: ignore[method-assign]
    return True


PATCHES = (
    cached_conditions,
    lean_traversals,
    node_copies,
    keyword_set,
    planned_updates,
    item_copies,
)
