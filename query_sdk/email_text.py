"""What a customer wrote in an e-mail, without the parts every e-mail shares.

Help-desk tickets that arrive by e-mail carry, besides the customer's problem, text that is the same
from one e-mail to the next: quoted replies, signatures, legal footers and pasted logs. Embedded,
those parts match every other e-mail's boilerplate (0.9+ cosine with the local model), so a ticket
sharing a footer or a log with a request can outrank the request's real duplicate
(bench/README.md, "Cleaning e-mail boilerplate"). ``clean_email`` removes them; the connector
applies it to the fields named in ``processing.email_text_fields`` at sync time and query_sdk to the
request when the collection was synced with it, so both sides are cleaned the same way.

What is removed (each rule is a whole line or paragraph; words inside a sentence are never cut):

- **reply history**: lines quoted with ``>``; ``On <date>, <name> wrote:`` headers (in the
  languages of ``mail-parser-reply``, which also supplies the Outlook ``From: / Sent:`` header
  block and ``-----Original Message-----``). A header followed by ``>`` lines is dropped alone and
  text after the quote is kept (inline replies, a P.S.); a header followed by unquoted text starts
  the history, which is cut to the end.
- **signatures**: a line that is only a sign-off (``Kind regards,``, ``Thanks,``, ``Cheers``) or the
  ``-- `` delimiter, with the short lines after it (name, title, phone, web address) up to the
  next sentence of prose; ``Sent from my iPhone``-style lines; a greeting line that opens the text.
- **legal footers**: a paragraph with two or more of the usual phrases, one of them a strong one
  (confidential, privileged, intended recipient, notify the sender, unauthorised), or one that
  starts with ``CONFIDENTIALITY NOTICE`` or ``Disclaimer``.
- **logs and stack traces**: lines that start with a timestamp or a log level, Python tracebacks,
  Java ``at a.b.C(File.java:1)`` frames and ``Caused by:`` lines.

Text without any of these comes back unchanged except for line endings and runs of blank lines.
If everything would be removed, the text is returned as it was (stripped): an e-mail that is all
quote is still what the customer sent.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["EMAIL_CLEANING_VERSION", "clean_email"]

#: Recorded in a collection's contract when its e-mail fields were cleaned; bump when the rules change
#: (chunks then differ from what a collection holds, and query_sdk must clean requests the same way).
EMAIL_CLEANING_VERSION = 1

_QUOTED = re.compile(r"^\s*>")
_SIGN_OFF = re.compile(
    r"^(?:(?:kind(?:est)?|best|warm(?:est)?|many)\s+(?:regards|wishes|thanks)|regards|best|cheers|"
    r"thanks(?:\s+(?:again|a lot|so much|in advance))?|many thanks(?:\s+in advance)?|"
    r"thank you(?:\s+(?:very much|in advance))?|"
    r"sincerely|yours(?:\s+(?:sincerely|truly|faithfully))?|with (?:best|kind) regards|all the best|take care|"
    r"mit freundlichen gr(?:ü|ue)(?:ß|ss)en|viele gr(?:ü|ue)(?:ß|ss)e|cordialement|bien (?:à|a) vous|saludos|"
    r"un saludo|atentamente|cordiali saluti|met vriendelijke groet(?:en)?)\s*[,.!]*$",
    re.IGNORECASE,
)
_SIG_DELIMITER = re.compile(r"^--\s*$|^_{5,}\s*$")
_SENT_FROM = re.compile(
    r"^(?:sent from (?:my |outlook|mail for|yahoo)|get outlook for|sent with |envoyé de mon|gesendet von meinem|"
    r"enviado desde mi|inviato da)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|hallo|bonjour|hola|ciao)\b"
    r"[^.!?\n]{0,40}[,!:]?$",
    re.IGNORECASE,
)
_FOOTER_PHRASES = re.compile(
    r"confidential|privileged|intended recipient|addressee|notify the sender|delete (?:it|this|the)|"
    r"unauthori[sz]ed|disclosure|prohibited|attachments|virus|disclaimer|legally|vertraulich|confidentiel",
    re.IGNORECASE,
)
_FOOTER_STRONG = re.compile(
    r"confidential|privileged|intended recipient|addressee|notify the sender|unauthori[sz]ed|vertraulich", re.IGNORECASE
)
_LOG_LINE = re.compile(
    r"^\s*(?:"
    r"\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"  # ISO timestamp
    r"|\[?\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\]?\s"  # time of day
    r"|\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL)\]?[\s:]"  # log level
    r"|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} "  # syslog
    r"|Traceback \(most recent call last\):"
    r'|File ".+", line \d+'
    r"|at [\w$.<>]+\([^()]*\)\s*$"  # Java / JS frame
    r"|Caused by: "
    r"|\.\.\. \d+ more\s*$"
    r"|(?:[\w.]+\.)?[A-Z]\w*(?:Exception|Error)(?::|\s*$)"
    r")"
)
_HEADER_LINE = re.compile(r"^[>* ]*[^\W\d_]{2,15}:", re.MULTILINE)
_BLANKS = re.compile(r"\n\s*\n+")
_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=1)
def _history_header() -> re.Pattern[str]:
    """Reply headers that start the quoted history: mail-parser-reply's, for every language it knows."""
    from mailparser_reply.constants import GENERIC_MAIL_SEPARATOR, MAIL_LANGUAGES

    wrote = [rules["wrote_header"] for rules in MAIL_LANGUAGES.values() if "wrote_header" in rules]
    return re.compile("|".join([*wrote, GENERIC_MAIL_SEPARATOR]), re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=1)
def _outlook_header() -> re.Pattern[str]:
    """An Outlook-style ``From: ... / Sent: ...`` block (two or more header lines), any language it knows."""
    from mailparser_reply.constants import MAIL_LANGUAGES

    blocks = [rules["from_header"] for rules in MAIL_LANGUAGES.values() if "from_header" in rules]
    return re.compile("|".join(blocks), re.IGNORECASE)


def clean_email(text: str) -> str:
    """``text`` without reply history, signatures, greetings, legal footers and logs (see the module)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _cut_history(lines)
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if _QUOTED.match(line) or _SENT_FROM.match(stripped) or _LOG_LINE.match(line):
            index += 1
            continue
        if _SIGN_OFF.match(stripped) or _SIG_DELIMITER.match(stripped):
            index = _after_signature(lines, index + 1)
            continue
        kept.append(line.rstrip())
        index += 1
    paragraphs = [p for p in _BLANKS.split("\n".join(kept).strip()) if p.strip() and not _is_footer(p)]
    if paragraphs:
        first = paragraphs[0].split("\n")
        if _GREETING.match(first[0].strip()):
            rest = "\n".join(first[1:]).strip()
            paragraphs = ([rest] if rest else []) + paragraphs[1:]
    cleaned = "\n\n".join(p.strip("\n") for p in paragraphs).strip()
    return cleaned if cleaned else text.strip()


def _cut_history(lines: list[str]) -> list[str]:
    """Drop reply headers; cut at one that is followed by unquoted history (top-posted replies, Outlook)."""
    text = "\n".join(lines)
    # The block pattern backtracks: try it only where a line could start one.
    for candidate in _HEADER_LINE.finditer(text):
        if candidate.start() == 0:
            continue  # a header block at the very top is not history below the customer's text
        block = _outlook_header().match(text, candidate.start() - 1)
        if block:
            lines = text[: block.start()].split("\n")
            break
    header = _history_header()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        joined = line.strip()
        span = 1
        if not _is_header(header, joined) and index + 1 < len(lines):  # "On ..., Name <\naddress> wrote:"
            two = f"{joined} {lines[index + 1].strip()}"
            if _is_header(header, two):
                joined, span = two, 2
        if _is_header(header, joined):
            following = next((n for n in lines[index + span :] if n.strip()), "")
            if not _QUOTED.match(following):
                break  # unquoted history follows: the rest is not the customer's new text
            index += span
            continue
        out.append(line)
        index += 1
    return out


def _is_header(header: re.Pattern[str], line: str) -> bool:
    """Whether ``line`` is a reply header; the (backtracking) pattern only sees lines that end like one."""
    return len(line) < 400 and line.endswith((":", "\uff1a", "-")) and header.fullmatch(line) is not None


def _after_signature(lines: list[str], index: int) -> int:
    """The index of the first line after a signature block: short lines (name, title, phone) are its part."""
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped and _is_prose(stripped):
            return index
        index += 1
    return index


def _is_prose(line: str) -> bool:
    """A sentence rather than a signature line: eight words or more, or ending like a sentence with four."""
    words = len(_WORD.findall(line))
    return words >= 8 or (words >= 4 and line.rstrip().endswith((".", "?", "!")) and "|" not in line)


def _is_footer(paragraph: str) -> bool:
    """A legal or confidentiality notice: two different phrases of one (one strong), or one that announces itself."""
    found = {match.group(0).lower() for match in _FOOTER_PHRASES.finditer(paragraph)}
    head = paragraph.lstrip()[:40].lower()
    if head.startswith(("confidentiality notice", "disclaimer", "caution: this e")):
        return True
    return len(found) >= 2 and _FOOTER_STRONG.search(paragraph) is not None
