"""Where long text is cut: paragraphs, lines, then sentence ends (English, French, Chinese, Japanese), then words.

The connector cuts records into chunks with these separators by default (``processing.text_splitter``
unset), and query_sdk cuts long requests with them, so both sides break text at the same places.
Chinese and Japanese have no spaces: without their full-width sentence ends a long text was
cut between arbitrary characters (an 879-character Chinese ticket: 3 cuts, all mid-sentence).
Separators are kept at the end of the piece they close (``KEEP``), so a sentence keeps its full stop.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["KEEP", "SEPARATORS"]

#: Coarsest first, as langchain's recursive splitter tries them (plain strings, not patterns).
SEPARATORS: list[str] = [
    "\n\n",
    "\n",
    "。",
    "！",  # noqa: RUF001
    "？",  # noqa: RUF001
    ". ",
    "! ",
    "? ",
    "；",  # noqa: RUF001
    "; ",
    "，",  # noqa: RUF001
    ", ",
    "、",
    " ",
    "",
]
#: Where a separator goes: with the piece it ends.
KEEP: Literal["end"] = "end"
