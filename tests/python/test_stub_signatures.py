"""The hand-written stub python/sockt/_sockt.pyi against the native module's real signatures.

stubtest cannot read the parameters of pybind11 functions (they have no __text_signature__), so
this compares each stubbed function's parameter names and defaults with the signature pybind11
writes on the first line of its docstring."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest

from sockt import _sockt

STUB = Path(_sockt.__file__).with_name("_sockt.pyi")


def split_params(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def runtime_params(func: Any) -> list[tuple[str, str | None]]:
    first = (func.__doc__ or "").splitlines()[0]
    inner = first[first.index("(") + 1 : first.rindex(")")]
    out = []
    for p in split_params(inner):
        name = p.split(":")[0].strip()
        default = p.split(" = ", 1)[1] if " = " in p else None
        out.append((name, default))
    return [p for p in out if p[0] != "self"]


def stub_params(node: ast.FunctionDef) -> list[tuple[str, str | None]]:
    args = node.args.args
    defaults = [None] * (len(args) - len(node.args.defaults)) + list(node.args.defaults)
    out = []
    for a, d in zip(args, defaults):
        if a.arg == "self":
            continue
        out.append((a.arg, None if d is None else ast.unparse(d)))
    return out


def functions() -> list[tuple[str, ast.FunctionDef]]:
    tree = ast.parse(STUB.read_text())
    found: list[tuple[str, ast.FunctionDef]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not any(
                    isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list
                ):
                    found.append((f"{node.name}.{item.name}", item))
    return found


def normalize(default: str | None) -> str | None:
    if default is None:
        return None
    return {"''": '""'}.get(default, default.replace("'", '"'))


@pytest.mark.parametrize("qualname,node", functions(), ids=[f[0] for f in functions()])
def test_stub_matches_runtime(qualname: str, node: ast.FunctionDef) -> None:
    obj: Any = _sockt
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (inspect.isbuiltin(obj) or type(obj).__name__ == "instancemethod") and not callable(obj):
        pytest.fail(f"{qualname} is not callable")
    runtime = [(n, normalize(d)) for n, d in runtime_params(obj)]
    stub = [(n, normalize(d)) for n, d in stub_params(node)]
    assert runtime == stub, f"{qualname}: runtime {runtime} != stub {stub}"
