"""Write ``docs/api.md``: every torch name microtorch provides, grouped as torch's documentation groups them,
with its summary line, and the torch names it does not provide.

``python -m tools.api_reference`` rewrites the page (``--check``: exit 1 when it is stale, writing nothing).
It needs torch (the test extra): the torch names come from ``torch.overrides.get_testing_overrides()``, the
``__all__`` lists and ``dir()`` of the namespaces in ``tools/api_groups.py``, which also holds the groups.
``tests/test_api_reference.py`` checks that the page is current.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
import types
import warnings
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "docs", "api.md")
_MISSING = object()


def _public(names: Any) -> set[str]:
    return {n for n in names if isinstance(n, str) and n.isidentifier() and not n.startswith("_")}


def _namespace_names(torch: Any, namespace: str, overrides: dict[str, set[str]]) -> set[str]:
    """The public names of one torch namespace: its ``__all__`` (else its ``dir()``, submodules and other
    libraries' names left out), the functions torch's override tables list there, and the names its
    documentation groups list that it has."""
    from tools.api_groups import GROUPS

    obj = torch.Tensor if namespace == "torch.Tensor" else importlib.import_module(namespace)
    names = set(overrides.get(namespace, ()))
    listed = getattr(obj, "__all__", None) if namespace != "torch.Tensor" else None
    if listed is not None:
        names |= _public(listed)
    else:
        for name in _public(dir(obj)):
            value = getattr(obj, name, None)
            origin = getattr(value, "__module__", None) or ""
            if not isinstance(value, types.ModuleType) and (namespace == "torch.Tensor" or origin.startswith("torch")
                                                            or callable(value) and not origin):
                names.add(name)
    for _title, group in GROUPS.get(namespace, ()):
        names |= {n for n in group.split() if hasattr(obj, n)}
    return {n for n in names if not isinstance(getattr(obj, n, None), types.ModuleType)}


def _override_names(torch: Any) -> dict[str, set[str]]:
    """namespace -> the names ``get_testing_overrides`` lists in it."""
    from torch.overrides import get_testing_overrides, resolve_name

    result: dict[str, set[str]] = {}
    for function in get_testing_overrides():
        dotted = resolve_name(function)
        if dotted:
            namespace, _, name = dotted.rpartition(".")
            result.setdefault(namespace, set()).add(name)
    return result


def _counterpart(namespace: str, name: str) -> Any:
    """microtorch's object at the same path, or _MISSING (names microtorch cannot support raise on access)."""
    import microtorch

    try:
        if namespace == "torch.Tensor":
            return getattr(microtorch.Tensor, name) if name in dir(microtorch.Tensor) else _MISSING
        module = importlib.import_module("microtorch" + namespace[len("torch"):])
        return getattr(module, name)
    except Exception:  # noqa: BLE001 - ImportError, AttributeError, or the error of an unsupported name
        return _MISSING


def _summary(obj: Any) -> str:
    if inspect.ismodule(obj):  # (its repr names the checkout's path: the page would differ between clones)
        return " ".join((inspect.getdoc(obj) or "").strip().split("\n\n")[0].split()).replace("|", "\\|")
    if not (inspect.isclass(obj) or inspect.isroutine(obj) or isinstance(obj, property) or callable(obj)):
        return f"``{obj!r}``"
    doc = (inspect.getdoc(obj) or "").strip()
    first_paragraph = " ".join(doc.split("\n\n")[0].split())  # (a summary may wrap over lines)
    return first_paragraph.replace("|", "\\|")


def _grouped(namespace: str, names: set[str]) -> list[tuple[str, list[str]]]:
    """The names under their groups, in the groups' order; the rest under "Other"."""
    from tools.api_groups import GROUPS

    seen: set[str] = set()
    groups = []
    for title, listed in GROUPS.get(namespace, ()):
        members = [n for n in listed.split() if n in names and n not in seen]
        seen |= set(members)
        groups.append((title, members))
    rest = sorted(names - seen, key=lambda n: (n.lower(), n))
    if rest:
        groups.append(("Other" if GROUPS.get(namespace) else "Names", rest))
    return [(title, members) for title, members in groups if members]


def _section(namespace: str, title: str, names: set[str]) -> tuple[list[str], int, int]:
    lines = [f"## {title}", ""]
    provided_total = 0
    for group, members in _grouped(namespace, names):
        provided = [(n, _counterpart(namespace, n)) for n in members]
        have = [(n, obj) for n, obj in provided if obj is not _MISSING]
        lacking = [n for n, obj in provided if obj is _MISSING]
        provided_total += len(have)
        lines += [f"### {group} ({len(have)} of {len(members)})", ""]
        if have:
            lines += ["| name | summary |", "| --- | --- |"]
            lines += [f"| `{n}` | {_summary(obj)} |" for n, obj in have]
            lines.append("")
        if lacking:
            lines += ["Not provided: " + ", ".join(f"`{n}`" for n in lacking), ""]
    return lines, provided_total, len(names)


def render() -> str:
    """The page's text."""
    import torch

    from tools.api_groups import NAMESPACES

    overrides = _override_names(torch)
    body: list[str] = []
    counts = []
    with warnings.catch_warnings():  # (reading some torch names warns that they are deprecated)
        warnings.simplefilter("ignore")
        for namespace, title in NAMESPACES:
            lines, have, total = _section(namespace, title, _namespace_names(torch, namespace, overrides))
            body += lines
            counts.append((title, have, total))
    have_all, total_all = sum(c[1] for c in counts), sum(c[2] for c in counts)
    head = [
        "# microtorch API reference",
        "",
        f"Generated by `python -m tools.api_reference` from torch {torch.__version__.split('+')[0]}'s names; do not "
        "edit. Each torch name microtorch provides is listed with its summary line, grouped as torch's documentation "
        "groups it; the names it does not provide follow each group.",
        "",
        f"microtorch provides {have_all} of these {total_all} torch names.",
        "",
        "| namespace | provided | torch names |",
        "| --- | --- | --- |",
        *[f"| [{title}](#{title.replace('.', '').lower()}) | {have} | {total} |" for title, have, total in counts],
        "",
    ]
    return "\n".join(head + body).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/api.md (``--check``: only say whether it is current)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/api.md is stale, writing nothing")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    text = render()
    current = open(PAGE, encoding="utf-8").read() if os.path.exists(PAGE) else ""
    if args.check:
        if text != current:
            print("docs/api.md is stale: run python -m tools.api_reference", file=sys.stderr)
            return 1
        print("docs/api.md is current")
        return 0
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(PAGE, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
