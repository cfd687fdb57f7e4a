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

``tests/dynamodb/test_updates.py`` checks the answers against moto's own code on a twin
backend, with hypothesis-generated update and condition expressions.
"""

from __future__ import annotations

import copy
import copyreg
import inspect
from typing import Any

PARSED_LIMIT = 512  # condition expressions kept parsed (per expression, names and values)


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
        source = inspect.getsource(original)
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
        walk_source = inspect.getsource(traverser.traverse_node_recursively)
        process_source = inspect.getsource(traverser.process)
        clauses_source = inspect.getsource(node_class.find_clauses)
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


PATCHES = (cached_conditions, lean_traversals, node_copies, keyword_set)
