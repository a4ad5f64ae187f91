"""Writing a large result as JSON piece by piece: the same text as ``json.dumps`` of the whole
object, without holding its dict or its string in memory (a whole-corpus talking-points result
is gigabytes of JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def write_json(
    out: Writer, fields: dict[str, Any], streamed: str, items: Iterable[Any], indent: int = 2
) -> None:
    """Write ``fields`` as a JSON object, in key order, with the list under key ``streamed``
    made of ``items`` one at a time: exactly ``json.dumps(obj, indent=indent,
    ensure_ascii=False)`` of that object."""
    pad = " " * indent

    def dumps(value: Any) -> str:
        return json.dumps(value, indent=indent, ensure_ascii=False)

    out.write("{")
    for i, key in enumerate(fields):
        out.write(("\n" if i == 0 else ",\n") + pad + dumps(key) + ": ")
        if key != streamed:
            out.write(dumps(fields[key]).replace("\n", "\n" + pad))
            continue
        empty = True
        for item in items:
            text = pad * 2 + dumps(item).replace("\n", "\n" + pad * 2)
            out.write(("[\n" if empty else ",\n") + text)
            empty = False
        out.write("[]" if empty else "\n" + pad + "]")
    out.write("\n}" if fields else "}")
