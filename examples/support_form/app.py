"""The support form: check a new request against the customer's open tickets, then suggest articles.

Duplicates are looked for among the open tickets of the customer's organisation or, for a customer
without one, among their own (by Zendesk user id, ``requester_id``).

Run it with ``streamlit run examples/support_form/app.py`` after a sync (``bash scripts/demo.sh``).
Configuration comes from the environment: ``MILVUS_URI`` (default ``./support.db``), ``COLLECTION``
(default ``zendesk``) and ``MILVUS_TOKEN`` (for a Milvus server or Zilliz Cloud).
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import streamlit as st

from query_sdk import ArticleMatch, SupportSearch, SupportSearchError, TicketMatch


@dataclass(frozen=True)
class Request:
    """What the customer typed, trimmed."""

    organization_id: int | None
    requester_id: int | None
    name: str
    email: str
    subject: str
    description: str

    @property
    def text(self) -> str:
        """The text searched: subject and description."""
        return "\n".join(part for part in (self.subject, self.description) if part)

    def tenant(self) -> dict[str, int]:
        """Whose open tickets a duplicate may be: the organisation's when known, else the requester's."""
        if self.organization_id is not None:
            return {"organization_id": self.organization_id}
        return {"requester_id": self.requester_id} if self.requester_id is not None else {}

    def problem(self) -> str | None:
        """Why the request cannot be checked yet, or None."""
        if not self.text:
            return "Please tell us what happened: enter a subject or a description."
        if self.organization_id is None and self.requester_id is None:
            return "Please enter your organisation ID, or your user ID if you have no organisation."
        if self.email and "@" not in self.email:
            return "That email address does not look right."
        return None


@st.cache_resource(show_spinner="Connecting to the help desk ...")
def support_search() -> SupportSearch:
    """One connection per server process; the environment is read here, once."""
    return SupportSearch.connect(
        uri=os.environ.get("MILVUS_URI") or "./support.db",
        collection=os.environ.get("COLLECTION") or "zendesk",
        token=os.environ.get("MILVUS_TOKEN", ""),
    )


def escape(text: str) -> str:
    """Text from the help desk or the customer, on one line, with Markdown and LaTeX characters escaped."""
    return re.sub(r"([\\`*_\[\]<>#|$~:])", r"\\\1", " ".join(text.split()))


def link(label: str, url: str | None) -> str:
    """A Markdown link to an http(s) URL; just the label for anything else."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return escape(label)
    return f"[{escape(label)}]({quote(url, safe=':/?#&=%~+@,;')})"


def agent_url(ticket: TicketMatch) -> str | None:
    """The agent's page of a ticket, from its API URL (``https://x.zendesk.com/api/v2/tickets/1.json``)."""
    if not ticket.url:
        return None
    parts = urlsplit(ticket.url)
    return f"{parts.scheme}://{parts.netloc}/agent/tickets/{ticket.record_id}"


def snippet(article: ArticleMatch, width: int = 220) -> str:
    """The matching passage without the connector's ``title:`` / ``body:`` labels, shortened."""
    text = re.sub(r"^(?:title|body): ?", "", article.snippet, flags=re.MULTILINE).strip()
    if article.title and text.startswith(article.title):
        text = text[len(article.title) :]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    text = " ".join(line if line[-1] in ".,:;!?" else f"{line}." for line in lines)  # headings, list items
    return textwrap.shorten(text, width=width, placeholder=" ...")


def show_duplicates(tickets: list[TicketMatch], *, whose: str) -> None:
    st.warning(
        f"This looks like a request {whose} already open, so it was **not** sent. "
        "Follow the existing ticket, or submit anyway if yours is different."
    )
    for ticket in tickets:
        title = f"#{ticket.record_id} {ticket.subject or '(no subject)'}"
        status = escape(ticket.status or "unknown")
        st.markdown(f"- {link(title, agent_url(ticket))} · status **{status}** · score {ticket.score:.2f}")
    st.button("Submit anyway", key="submit_anyway")


def accept(request: Request, search: SupportSearch) -> None:
    thanks = f"Thank you, {escape(request.name)}. " if request.name else ""
    reply_to = f" We will reply to {escape(request.email)}." if request.email else ""
    st.success(f"{thanks}Request received.{reply_to}")
    articles = search.recommend_articles(request.text, limit=5)
    if not articles:
        st.info("No help-center article matches this request; an agent will answer it.")
        return
    st.subheader("These articles may already answer it")
    for article in articles:
        st.markdown(f"**{link(article.title or f'Article {article.record_id}', article.html_url)}**")
        st.caption(escape(snippet(article)))


def check(request: Request, *, allow_duplicates: bool) -> None:
    """Hold back a likely duplicate (remembering it for "Submit anyway"); otherwise accept."""
    try:
        search = support_search()
        if not allow_duplicates:
            duplicates = search.find_duplicate_tickets(request.text, **request.tenant())
            if duplicates:
                st.session_state["held"] = request
                show_duplicates(
                    duplicates, whose="your organisation has" if request.organization_id is not None else "you have"
                )
                return
        accept(request, search)
    except SupportSearchError as error:
        st.error(str(error))


def main() -> None:
    st.set_page_config(page_title="Contact support")
    st.title("Contact support")
    with st.form("request"):
        organization = st.number_input(
            "Organisation ID", min_value=1, value=None, step=1, format="%d", placeholder="e.g. 360001", key="org"
        )
        requester = st.number_input(
            "Your user ID (if you have no organisation)",
            min_value=1,
            value=None,
            step=1,
            format="%d",
            placeholder="e.g. 381000000101",
            key="requester",
        )
        name = st.text_input("Your name (optional)", key="name")
        email = st.text_input("Your email (optional)", key="email")
        subject = st.text_input("Subject", max_chars=200, key="subject")
        description = st.text_area("Description", max_chars=5000, key="description")
        submitted = st.form_submit_button("Send request", type="primary", key="send")
    if submitted:
        st.session_state.pop("held", None)
        request = Request(
            None if organization is None else int(organization),
            None if requester is None else int(requester),
            name.strip(),
            email.strip(),
            subject.strip(),
            description.strip(),
        )
        if problem := request.problem():
            st.warning(problem)
        else:
            check(request, allow_duplicates=False)
    elif st.session_state.get("submit_anyway") and "held" in st.session_state:
        check(st.session_state.pop("held"), allow_duplicates=True)


main()
