"""Reading a YAML input (a scenario, a tariff table) into a pydantic model, every problem named
by file, line and key, so `scenario.yaml:14:policy.dear_ratio` points at the line to fix."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from solver.errors import InputError, Problem

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], text: str | None = None) -> M:
    """`path` (or `text`, read from it) validated as `model`; raises InputError naming the line
    and the dotted key of each problem (a missing key: the line of the mapping it belongs in)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
        raw = yaml.safe_load(text)
        root = yaml.compose(text)
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError):
        raise InputError([Problem(str(path), None, "", "not readable as UTF-8 text")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = None if mark is None else mark.line + 1
        raise InputError([Problem(str(path), row, "", f"not valid YAML: {exc}")]) from None
    if not isinstance(raw, dict):
        raise InputError([Problem(str(path), None, "", "must be a YAML mapping of keys")])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InputError(
            Problem(str(path), line_of(root, err["loc"]), _dotted(err["loc"]), _message(err))
            for err in exc.errors()
        ) from None


def line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the deepest node along `loc` (pydantic's error location); steps
    that are not keys of the file (a union's tag) are skipped."""
    node, line = root, None if root is None else root.start_mark.line + 1
    for step in loc:
        child = _child(node, step)
        if child is None:
            continue
        node, line = child
    return line


def _child(node: yaml.Node | None, step: int | str) -> tuple[yaml.Node, int] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(step):
                return value, key.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        item = node.value[step]
        return item, item.start_mark.line + 1
    return None


def _message(err: ErrorDetails) -> str:
    """Pydantic's message, in the README's words for a key the schema does not have."""
    return "unknown key" if err["type"] == "extra_forbidden" else err["msg"]


def _dotted(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)
