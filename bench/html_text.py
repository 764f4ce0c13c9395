"""HTML-to-text candidates on Help Center article bodies: speed and whether inline elements stay inline.

Bodies: the 79 sample articles (``sample_data/articles.py``) plus Zendesk-style bodies with inline
markup inside sentences (``Open <b>Admin Center</b> > Settings``), links, lists, tables and code.
Each candidate converts every body; the script prints microseconds per body and, per check, whether
the output keeps an inline phrase on one line and puts blocks (paragraphs, list items) on lines.
The other libraries are not project dependencies: a candidate whose library is not installed is
listed as such (``pip install beautifulsoup4 html2text markdownify`` to compare them all).

    python -m bench.html_text [--repeats 20]
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Callable

from sample_data.articles import ARTICLES

ZENDESK_BODIES = [
    "<p>Open <b>Admin Center</b> &gt; <strong>Settings</strong> and choose <em>Security</em>.</p>"
    "<ol><li>Click <a href='https://acme.zendesk.com/admin'>Admin</a>.</li><li>Select <code>API</code> tokens.</li></ol>",
    "<div><p>To reset your PIN, tap <span class='ui'>Cards</span> then <span class='ui'>PIN</span>.</p>"
    "<ul><li>Cards</li><li>Payments</li></ul><p>Fees: <i>none</i> for the first two.</p></div>",
    "<h2>Limits</h2><table><tr><th>Plan</th><th>Limit</th></tr><tr><td>Standard</td><td>£200</td></tr></table>"
    "<p>See <a href='/hc/articles/1'>top-up limits</a> for <strong>more</strong> details.<br>Thanks!</p>",
]
#: (body index, phrase that must come out inside one line)
INLINE = [(0, "Open Admin Center > Settings and choose Security."), (1, "tap Cards then PIN."),
          (2, "See top-up limits for more details.")]  # fmt: skip
#: (body index, lines that must each stand alone)
BLOCKS = [(0, ["Click Admin.", "Select API tokens."]), (1, ["Cards", "Payments"])]


def _bs4_separator(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").get_text("\n")


def _inscriptis(html: str) -> str:
    from inscriptis import get_text

    return get_text(html)


def _html2text(html: str) -> str:
    import html2text

    converter = html2text.HTML2Text()
    converter.ignore_links = converter.ignore_images = converter.ignore_emphasis = True
    converter.body_width = 0
    return converter.handle(html)


def _markdownify(html: str) -> str:
    from markdownify import markdownify

    return markdownify(html, strip=["a", "b", "strong", "em", "i", "code", "img"], heading_style="ATX")


def _ours(html: str) -> str:
    from destination_milvus_support.text import html_to_text

    return html_to_text(html)


#: The package each candidate needs (what ``pip install`` takes), when it is not a project dependency.
PACKAGES = {_bs4_separator: "beautifulsoup4", _html2text: "html2text", _markdownify: "markdownify"}

CANDIDATES: dict[str, Callable[[str], str]] = {
    "bs4 get_text('\\n') (before)": _bs4_separator,
    "inscriptis": _inscriptis,
    "html2text": _html2text,
    "markdownify": _markdownify,
    "destination_milvus_support.text (inscriptis + tidy)": _ours,
}


_MARKER = re.compile(r"^(\d+\.|[-*+•])\s+")


def _lines(text: str) -> list[str]:
    return [_MARKER.sub("", re.sub(r"\s+", " ", line).strip(" *#|")).strip() for line in text.splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    bodies = [a["body_html"] for a in ARTICLES] + ZENDESK_BODIES
    base = len(ARTICLES)
    print("| candidate | µs per body | inline kept (of 3) | blocks on lines (of 4) |\n|---|---:|---:|---:|")
    for name, convert in CANDIDATES.items():
        try:
            convert(bodies[0])  # imports outside the clock
        except ImportError:
            print(f"| {name} | not installed (pip install {PACKAGES.get(convert, '?')}) | | |")
            continue
        started = time.perf_counter()
        for _ in range(args.repeats):
            outputs = [convert(b) for b in bodies]
        micros = (time.perf_counter() - started) / (args.repeats * len(bodies)) * 1e6
        inline = sum(any(phrase in line for line in _lines(outputs[base + i])) for i, phrase in INLINE)
        blocks = sum(line in _lines(outputs[base + i]) for i, lines in BLOCKS for line in lines)
        print(f"| {name} | {micros:,.0f} | {inline} | {blocks} |")


if __name__ == "__main__":
    main()
