"""Nested containers of tensors (tuples, lists, dicts, namedtuples) flattened to leaves and rebuilt."""
from __future__ import annotations

from typing import Any, NamedTuple


class TreeSpec(NamedTuple):
    """The structure of a flattened tree: its container type, context (dict keys) and children's specs."""

    kind: Any  # None for a leaf
    context: Any
    children: tuple

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        inner = ", ".join(repr(c) for c in self.children)
        return f"{self.kind.__name__}({inner})"


LEAF = TreeSpec(None, None, ())


def tree_flatten(tree: Any) -> tuple:
    """(leaves, spec): the leaves of ``tree`` in order and what rebuilds it."""
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [tree_flatten(tree[k]) for k in keys]
        return [leaf for leaves, _ in parts for leaf in leaves], TreeSpec(type(tree), keys, tuple(s for _, s in parts))
    if isinstance(tree, (tuple, list)):
        parts = [tree_flatten(v) for v in tree]
        return [leaf for leaves, _ in parts for leaf in leaves], TreeSpec(type(tree), None, tuple(s for _, s in parts))
    return [tree], LEAF


def num_leaves(spec: TreeSpec) -> int:
    """How many leaves a tree of ``spec`` has."""
    return 1 if spec.kind is None else sum(num_leaves(c) for c in spec.children)


def tree_unflatten(leaves: list, spec: TreeSpec) -> Any:
    """The tree of ``spec`` with ``leaves`` in place."""
    it = iter(leaves)
    return _build(it, spec)


def _build(it: Any, spec: TreeSpec) -> Any:
    if spec.kind is None:
        return next(it)
    children = [_build(it, c) for c in spec.children]
    if issubclass(spec.kind, dict):
        return spec.kind(zip(spec.context, children))
    if hasattr(spec.kind, "_fields"):  # a namedtuple
        return spec.kind(*children)
    return spec.kind(children)


def tree_map(fn: Any, tree: Any) -> Any:
    """``tree`` with ``fn`` applied to each leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix: Any, spec: TreeSpec) -> list | None:
    """``prefix`` (e.g. in_dims) repeated over the leaves of ``spec``: a non-container applies to its whole
    subtree; a container must match the structure. None if the structures do not match."""
    if not isinstance(prefix, (tuple, list, dict)):
        return [prefix] * num_leaves(spec)
    if spec.kind is None or not isinstance(prefix, (tuple, list) if issubclass(spec.kind, (tuple, list)) else dict):
        return None
    if isinstance(prefix, dict):
        if list(prefix) != list(spec.context):
            return None
        children = [prefix[k] for k in spec.context]
    else:
        if len(prefix) != len(spec.children):
            return None
        children = list(prefix)
    out = []
    for child_prefix, child_spec in zip(children, spec.children):
        part = broadcast_prefix(child_prefix, child_spec)
        if part is None:
            return None
        out.extend(part)
    return out
