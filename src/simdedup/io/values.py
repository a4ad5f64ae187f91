"""The values inside a JSON or CSV record: reaching a (dotted) field, telling a value that reads
as a string from one that does not, JSON that Python cannot load, lone surrogates, and showing a
bad value in one short message."""

from __future__ import annotations

import json
import math
import re
from typing import Any

SURROGATE = re.compile("[\\ud800-\\udfff]")
_SHOW = 60  # characters of a bad value shown in a message
_SCALARS = (str, int, float)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate, which no UTF-8 file or database can store."""
    return not text.isascii() and SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, as invalid UTF-8 is decoded."""
    return SURROGATE.sub("\ufffd", text)


def str_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def field_value(obj: dict[str, Any], name: str) -> Any:
    """``obj[name]``, or for a dotted ``name`` absent from ``obj`` the value it reaches."""
    if name in obj or "." not in name:
        return obj.get(name)
    value: Any = obj
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def is_scalar(value: object) -> bool:
    """A value that reads as a string: text, or a finite number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def describe(value: object) -> str:
    names = {
        dict: "an object", list: "a list", bool: "a boolean", type(None): "null",
        int: "an integer", float: "a number", str: "a string",
    }  # fmt: skip
    kind = names.get(type(value), f"a {type(value).__name__}")
    return f"{kind} ({show(value)})"


def show(value: object) -> str:
    """``value`` for a message: its JSON form, cut to a few dozen characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= _SHOW else text[: _SHOW - 1] + "…"


def load_json(text: str) -> Any:
    """``json.loads``, its failures as one ``ValueError`` line: invalid JSON, nesting too deep
    for Python, an integer too long to convert."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise ValueError("invalid JSON (nested too deeply to read)") from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string ..."
        raise ValueError(f"invalid JSON ({str(exc).split(';')[0]})") from None


_BREAKS = re.compile("[\\x00-\\x1f\\x7f\\x85\\u2028\\u2029]")


def one_line(message: str) -> str:
    """``message`` with line breaks and other control characters escaped (``\\n``), so a file
    name or a field name from the data cannot make a one-line message two."""
    return _BREAKS.sub(lambda m: json.dumps(m.group())[1:-1], message)
