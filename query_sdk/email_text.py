"""What a customer wrote in an e-mail, without the parts every e-mail shares.

Help-desk tickets that arrive by e-mail carry, besides the customer's problem, text that is the same
from one e-mail to the next: quoted replies, signatures, legal footers and pasted logs. Embedded,
those parts match every other e-mail's boilerplate (0.9+ cosine with the local model), so a ticket
sharing a footer or a log with a request can outrank the request's real duplicate
(bench/README.md, "Cleaning e-mail boilerplate"). ``clean_email`` removes them; the connector
applies it to the fields named in ``processing.email_text_fields`` at sync time and query_sdk to the
request when the collection was synced with it, so both sides are cleaned the same way.

Languages: English, French and Chinese (greetings, sign-offs, reply headers of their common mail
clients, footers); German, Spanish, Italian and Dutch sign-offs, and the reply headers of every
language ``mail-parser-reply`` knows. Chinese has no spaces between words, so its rules match whole
lines and count characters, not words, with full-width punctuation (，。！？：；); the no-break
spaces French typography puts before ``:``, ``!`` and ``?`` are spaces to every rule.

What is removed (each rule is a whole line or paragraph; words inside a sentence are never cut):

- **reply history**: lines quoted with ``>``; ``On <date>, <name> wrote:`` headers (``Le ... a
  écrit :``, ``在 2025年11月3日 ... 写道：``, ``... 于2025年11月3日 ... 写道：`` and the languages of
  ``mail-parser-reply``); Outlook ``From: / Sent:`` header blocks (``De : / Envoyé :``,
  ``发件人: / 发送时间:``); separators (``-----Original Message-----``, ``-------- Message d'origine
  --------``, ``----- Mail original -----``, ``------------------ 原始邮件 ------------------``). A header
  followed by ``>`` lines is dropped alone and text after the quote is kept (inline replies, a
  P.S.); a header followed by unquoted text starts the history, which is cut to the end.
- **signatures**: a line that is only sign-offs (``Kind regards,``, ``Merci d'avance !``,
  ``此致 敬礼``, ``期待您的回复，谢谢！``), perhaps with a name after a comma (``Cordialement, Marie``),
  or the ``-- `` delimiter, with the short lines after it (name, title, phone, web address) up to
  the next sentence of prose; ``Sent from my iPhone``-style lines (``Envoyé de mon iPhone``,
  ``发自我的iPhone``, ``来自网易邮箱大师``); greeting lines that open the text (``Bonjour,``,
  ``Madame, Monsieur,``, ``尊敬的客服：``, ``您好！``) when they end in punctuation or are four words at most.
- **legal footers**: a paragraph with two or more of the usual phrases, one of them a strong one
  (such as confidential, intended recipient, notify the sender, reçu ce message par erreur,
  本邮件...保密, 错误收到本邮件), or one that starts with ``CONFIDENTIALITY NOTICE``, ``Disclaimer``, ``Avis de
  confidentialité`` or ``免责声明``.
- **logs and stack traces**: lines that start with a timestamp or a log level, Python tracebacks,
  Java ``at a.b.C(File.java:1)`` frames and ``Caused by:`` lines.

Text without any of these comes back unchanged except for line endings and runs of blank lines.
If everything would be removed, the text is returned as it was (stripped): an e-mail that is all
quote is still what the customer sent.
"""

# The Chinese rules need full-width punctuation in their patterns and docstrings.
# ruff: noqa: RUF001, RUF002, RUF003

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["EMAIL_CLEANING_VERSION", "clean_email"]

#: Recorded in a collection's contract when its e-mail fields were cleaned; bump when the rules change
#: (chunks then differ from what a collection holds, and query_sdk must clean requests the same way).
#: 2: French and Chinese rules; several sign-offs on a line, or one and a name; greeting lines end in
#: punctuation or are four words at most ("Hi there, my card was declined" is kept).
EMAIL_CLEANING_VERSION = 2


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
        if _is_sign_off(stripped) or _SIG_DELIMITER.match(stripped):
            index = _after_signature(lines, index + 1)
            continue
        kept.append(line.rstrip())
        index += 1
    paragraphs = [p for p in _BLANKS.split("\n".join(kept).strip()) if p.strip() and not _is_footer(p)]
    while paragraphs:  # "Madame, Monsieur," then "Bonjour," / "尊敬的客服：" then "您好！"
        first, _, rest = paragraphs[0].partition("\n")
        if not _is_greeting(first.strip()):
            break
        paragraphs = ([rest.strip()] if rest.strip() else []) + paragraphs[1:]
    cleaned = "\n\n".join(p.strip("\n") for p in paragraphs).strip()
    return cleaned if cleaned else text.strip()


@lru_cache(maxsize=1)
def _history_header() -> re.Pattern[str]:
    """Reply headers that start the quoted history: mail-parser-reply's, for every language it knows, and ours."""
    from mailparser_reply.constants import GENERIC_MAIL_SEPARATOR, MAIL_LANGUAGES

    # Its French header also takes "Le conseiller a écrit :" (no date); ours asks for a digit.
    wrote = [
        rules["wrote_header"] for lang, rules in MAIL_LANGUAGES.items() if "wrote_header" in rules and lang != "fr"
    ]
    return re.compile("|".join([*wrote, GENERIC_MAIL_SEPARATOR, *_HISTORY_HEADERS]), re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=1)
def _outlook_header() -> re.Pattern[str]:
    """An Outlook-style ``From: ... / Sent: ...`` block (two or more header lines), any language it knows or ours."""
    from mailparser_reply.constants import MAIL_LANGUAGES

    blocks = [rules["from_header"] for rules in MAIL_LANGUAGES.values() if "from_header" in rules]
    return re.compile("|".join([*blocks, *_HEADER_BLOCKS]), re.IGNORECASE)


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
    return len(line) < 400 and line.endswith((":", "：", "-")) and header.fullmatch(line) is not None


def _is_sign_off(line: str) -> bool:
    """Whether ``line`` is only sign-offs (``Thanks and regards,``, ``此致敬礼！``), nothing the customer asks."""
    return len(line) < 200 and _SIGN_OFF.match(line) is not None


def _is_greeting(line: str) -> bool:
    """A greeting line: ``Bonjour,`` or ``您好！``, or one short enough to hold nothing else (``Hello Acme team``)."""
    if _GREETING_ZH.match(line):
        return True
    return _GREETING.match(line) is not None and (line.endswith(_GREETING_ENDS) or len(_WORD.findall(line)) <= 4)


def _after_signature(lines: list[str], index: int) -> int:
    """The index of the first line after a signature block: short lines (name, title, phone) are its part."""
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped and _is_prose(stripped):
            return index
        index += 1
    return index


def _is_prose(line: str) -> bool:
    """A sentence rather than a signature line: eight words or more, or ending like a sentence with four.

    A Chinese character counts a third of a word (24 make a sentence), and eight make one that ends in 。！？.
    """
    cjk = len(_CJK.findall(line))
    words = len(_WORD.findall(_CJK.sub(" ", line)))
    if words + cjk // 3 >= 8:
        return True
    ends = line.endswith((".", "?", "!", "。", "？", "！")) and "|" not in line and not line.endswith(_COMPANY_ENDS)
    return ends and (words >= 4 or cjk >= 8)


def _is_footer(paragraph: str) -> bool:
    """A legal or confidentiality notice: two different phrases of one (one strong), or one that announces itself."""
    found = {match.group(0).lower() for match in _FOOTER_PHRASES.finditer(paragraph)}
    if paragraph.lstrip()[:40].lower().startswith(_FOOTER_HEADS):
        return True
    return len(found) >= 2 and _FOOTER_STRONG.search(paragraph) is not None


# Language data: the words and patterns of each rule, English first, then French and Chinese.

_QUOTED = re.compile(r"^\s*>")
_BLANKS = re.compile(r"\n\s*\n+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_COMPANY_ENDS = ("Ltd.", "Inc.", "Co.", "Corp.", "S.A.", "LLC.", "Pty.")  # "Acme Co., Ltd." is no sentence
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

#: One sign-off; a sign-off line is one or more of them (``Thanks and regards``, ``此致 敬礼``).
_SIGN_OFF_WORDS = (
    # English, German, Spanish, Italian, Dutch
    r"(?:kind(?:est)?|best|warm(?:est)?|many)\s+(?:regards|wishes|thanks)|regards|best|cheers|"
    r"thanks(?:\s+(?:again|a lot|so much|in advance))?|many thanks(?:\s+in advance)?|"
    r"thank you(?:\s+(?:very much|in advance))?|"
    r"sincerely|yours(?:\s+(?:sincerely|truly|faithfully))?|with (?:best|kind) regards|all the best|take care|"
    r"mit freundlichen gr(?:ü|ue)(?:ß|ss)en|viele gr(?:ü|ue)(?:ß|ss)e|saludos|"
    r"un saludo|atentamente|cordiali saluti|met vriendelijke groet(?:en)?|"
    # French
    r"(?:(?:bien|tr[èe]s)\s+)?cordialement|cdlt|cdt|bien\s+(?:à|a)\s+(?:vous|toi)|(?:bien\s+)?amicalement|respectueusement|"
    r"(?:bien\s+)?sinc[èe]rement|(?:(?:avec|recevez)\s+)?(?:(?:mes|nos)\s+)?"
    r"(?:(?:sinc[èe]res|meilleures|cordiales|respectueuses)\s+)?salutations(?:\s+(?:distingu[ée]es|cordiales))?|"
    r"(?:je\s+vous\s+prie|veuillez)\s+(?:d['’]\s*|de\s+)?(?:agr[ée]er|recevoir)\b.*"
    r"(?:salutations|sentiments|consid[ée]ration|expression|respects?)\b.*|"
    r"(?:un\s+grand\s+|mille\s+)?merci(?:\s+(?:beaucoup|bien|encore|infiniment|(?:à|a)\s+(?:vous|tous)))*"
    r"(?:\s+(?:d['’]avance|par\s+avance)(?:\s+(?:pour|de)\s+(?:votre|vos|ton|ta)\s+\w+)?"
    r"|\s+(?:pour|de)\s+(?:votre|vos)\s+(?:aide|compréhension|patience|attention|temps|collaboration|retour|réponse))?|"
    r"en\s+vous\s+remerciant(?:\s+(?:d['’]avance|par\s+avance))?(?:\s+(?:pour|de)\s+(?:votre|vos)\s+\w+)?|"
    r"dans\s+l['’]attente\s+de\s+(?:votre|vos|vous)\s+(?:retour|réponse|nouvelles|lire)|"
    r"(?:bonne|belle|excellente)\s+(?:journ[ée]e|soir[ée]e|fin\s+de\s+journ[ée]e|semaine|r[ée]ception)"
    r"(?:\s+(?:à|a)\s+(?:vous|toi|tous))?|(?:à|a)\s+bient[ôo]t|au\s+plaisir(?:\s+de\s+vous\s+lire)?|"
    # Chinese
    r"(?:非常|十分|万分|再次|先|提前)?(?:谢谢|感谢|多谢)(?:您|你们|你|大家|各位)?"
    r"(?:的(?:帮助|支持|协助|耐心|理解|配合|回复))?(?:了|啦)?|麻烦(?:您|你们|你)?了|辛苦(?:您|你们|你)?了|此致|敬礼|"
    r"(?:顺|并|谨)?(?:祝|颂)(?:您|你)?(?:好|安|商祺|时祺|近安|安好|一切顺利|工作顺利|工作愉快|生活愉快|顺利|愉快)|"
    r"(?:期待|等待|盼望|静候|恭候)(?:您|你)?的?(?:早日|尽快)?(?:回复|答复|回音|佳音)|盼复"
)
_SIGN_OFF = re.compile(
    rf"^(?:{_SIGN_OFF_WORDS})(?:(?:\s*[,，、.。!！;；~～]\s*|\s+(?:and|&|et|und)\s+|\s*)(?:{_SIGN_OFF_WORDS}))*"
    r"(?:,\s*(?-i:[A-ZÀ-Ý][\w'’.-]*)(?:\s+(?-i:[A-ZÀ-Ý][\w'’.-]*)){0,2})?"  # "Cordialement, Marie Dupont"
    r"[\s,，.。!！~～…]*$",
    re.IGNORECASE,
)
_SIG_DELIMITER = re.compile(r"^--\s*$|^_{5,}\s*$")
_SENT_FROM = re.compile(
    r"^(?:sent from (?:my |outlook|mail for|yahoo)|get outlook for|sent with |gesendet von meinem|"
    r"enviado desde mi|inviato da|envoyé (?:de|depuis|à partir de) (?:mon|ma|l['’]|outlook|yahoo)|obtenir outlook pour|"
    r"(?:please )?consider the environment before printing|pensez (?:à|a) l['’]environnement avant d['’]imprimer)"
    r"|^[-—_\s]*(?:发自|来自|从)\s*(?:我的)?.{0,20}?(?:iphone|ipad|android|手机|邮箱|客户端|outlook|大师|mail)"
    r"(?:\s*发送)?\s*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|hallo|hola|ciao|"
    r"bonjour|bonsoir|salut|coucou|madame|monsieur|mesdames|messieurs|ch(?:er|ère|ers|ères))\b"
    r"[^.!?\n]{0,40}[,!:]?$",
    re.IGNORECASE,
)
_GREETING_ENDS = (",", "!", ":", "，", "！", "：")
_GREETING_ZH = re.compile(
    r"^(?:(?:尊敬|亲爱)的[^。？！.?!]{0,20}|[^。？！.?!]{0,15}?(?:您好|你好|大家好|各位好|早上好|上午好|下午好|晚上好)"
    r"|\S{1,8}?(?:先生|女士|小姐|老师|经理)(?=\s*[:：,，]))[\s,，:：!！~～。]*$"
)
_HISTORY_HEADERS = [  # the line, stripped, is matched whole
    r"(?:>\s?)*Le\s(?=.*\d).{4,250}?\sa\s+[ée]crit\s*:",  # Gmail, Thunderbird, Apple Mail in French
    r"(?:>\s?)*-{2,}\s*(?:Message d['’]origine|Mail original|Original|原始邮件|原邮件|回复的原邮件|邮件原件)\s*-{2,}",
    r"(?:>\s?)*在\s*\d{4}\s*[-年/.].{0,200}?写道\s*[:：]",  # Apple Mail, 163/126, QQ
    r"(?:>\s?)*\d{4}\s*年.{0,200}?写道\s*[:：]",
    r"(?:>\s?)*.{1,200}?于\s*\d{4}\s*[-年/.].{0,100}?写道\s*[:：]",  # Gmail in Chinese
]
_HEADER_BLOCKS = [  # like mail-parser-reply's, with no-break spaces and full-width colons
    r"((?:(?:^|\n|\n(?:> ?)*)[* ]*(?:De|Envoyé|À|A|Objet|Date|Cc|Cci|Répondre à)[ \t\u00a0\u202f]*:[ *]*"
    r"(?:\s{,2}).*){2,}(?:\n.*){,1})",
    r"((?:(?:^|\n|\n(?:> ?)*)[* ]*(?:发件人|发送时间|发送日期|时间|日期|收件人|抄送|主\s*题)"
    r"[ \t\u00a0]*[:：][ *\u00a0]*(?:\s{,2}).*){2,}(?:\n.*){,1})",
]
_HEADER_LINE = re.compile(r"^[>* ]*[^\W\d_]{1,15}[ \t\u00a0\u202f]?[:：]", re.MULTILINE)
_FOOTER_PHRASES = re.compile(
    r"confidential|privileged|intended recipient|addressee|notify the sender|delete (?:it|this|the)|"
    r"unauthori[sz]ed|disclosure|prohibited|attachments|virus|disclaimer|legally|vertraulich|"
    r"confidentiel|pi[èe]ces? jointes?|destinataires?|diffusion|interdite?|par erreur|supprimer|d[ée]truire|"
    r"l['’]exp[ée]diteur|responsabilit[ée]|"
    r"附件|删除|禁止|泄露|复制|散发|传播|病毒|法律|收件人|授权|保密|机密|通知发件人",
    re.IGNORECASE,
)
_FOOTER_STRONG = re.compile(
    r"confidential|privileged|intended recipient|addressee|notify the sender|unauthori[sz]ed|vertraulich|"
    r"confidentiel|intention exclusive|usage exclusif|re[çc]u ce (?:message|courriel|e-?mail|mail) par erreur|"
    r"(?:avertir|informer|pr[ée]venir|aviser) (?:imm[ée]diatement )?l['’]exp[ée]diteur|strictement interdit|"
    r"(?:错误|误)地?(?:收到|接收)了?(?:本|此|该)(?:电子)?邮件|通知发件人|(?:本|此|该)(?:电子)?邮件.{0,40}?(?:保密|机密)",
    re.IGNORECASE,
)
_FOOTER_HEADS = (
    "confidentiality notice",
    "disclaimer",
    "caution: this e",
    "avis de confidentialité",
    "clause de confidentialité",
    "免责声明",
    "保密声明",
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
