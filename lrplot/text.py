"""User text (labels and titles) made writable everywhere: a leaf module, for inputs and outputs.

Python hands undecodable bytes of the command line and of file names over as lone surrogates
(``'\\udcff'``, PEP 383), and JSON can spell one (``"\\udcff"``). No encoder writes them, so a
single one would stop every output: UTF-8 files, the terminal, the figure's fonts.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def plain_text(text: str) -> str:
    """*text* with each lone surrogate replaced by U+FFFD (what a decoder writes for a bad byte)."""
    if text.isascii():
        return text
    return _SURROGATE.sub(REPLACEMENT, text)
