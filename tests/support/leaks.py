"""Plant a unique, numbered marker in every internal field of an incident file, keeping its keys, to follow where internal text goes."""

from __future__ import annotations

import json

from statusbook.core.yaml_source import MarkedDict, MarkedList, parse_yaml


def plant_internal(text: str, prefix: str, start: int = 0) -> tuple[str, list[str]]:
    """Rewrite the ``internal:`` block with the same keys, each value a marker ``{prefix}{n:04d}x``; return the text and the markers."""
    root = parse_yaml(text, "x.yml").value
    assert isinstance(root, MarkedDict)
    internal = root.get("internal")
    if not isinstance(internal, MarkedDict):
        return text, []
    planted: list[str] = []

    def marker(kind: str = "text") -> str:
        name = f"{prefix}{start + len(planted) + 1:04d}x"  # zero-padded and closed: no marker is a part of another
        planted.append(name if kind == "text" else name.lower())
        return json.dumps(f"https://{name.lower()}.example/" if kind == "url" else name)

    block = ["internal:\n", f"  chat: {marker()}\n", f"  call: {marker('url')}\n", f"  impact: {marker()}\n"]
    for name in ("roles", "assessment"):
        keys = list(internal[name]) if isinstance(internal.get(name), MarkedDict) else []
        if keys:
            block.append(f"  {name}:\n")
            block += [f"    {key}: {marker()}\n" for key in keys]
    entries = internal["timeline"] if isinstance(internal.get("timeline"), MarkedList) else []
    if entries:
        block.append("  timeline:\n")
        block += [f"    - {{at: {entry['at']}, phase: {entry['phase']}, note: {marker()}}}\n" for entry in entries]
    lines = text.splitlines(keepends=True)
    first = root.key_mark("internal").line - 1
    last = first + 1
    while last < len(lines) and (not lines[last].strip() or lines[last].startswith((" ", "#"))):
        last += 1
    return "".join(lines[:first] + block + lines[last:]), planted
