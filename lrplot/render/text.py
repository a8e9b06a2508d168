"""Text for rich-rendered places, without importing rich (the CLI's help is rich markup)."""

from __future__ import annotations

import re

# The same rule as rich.markup.escape: only what could read as a [tag] is escaped.
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(text: str) -> str:
    """*text* with anything rich would take for markup (``[i]``, ``[a number ≥ 0]``) escaped."""
    escaped = _TAG.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    if escaped.endswith("\\") and not escaped.endswith("\\\\"):
        return escaped + "\\"
    return escaped
