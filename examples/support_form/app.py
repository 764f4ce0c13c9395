"""The support form: check a new request against the tickets the customer may see, then suggest articles.

Duplicates are looked for among the open tickets the customer may see, as Zendesk shows them: their
organisation's where it shares tickets (``shared_tickets``), else only their own (by Zendesk user id,
``requester_id``). Articles are the help centre's public ones (an anonymous form belongs to no user
segment). When a likely duplicate is shown, the customer's answer ("that is my problem" / "mine is
new") is recorded in the collection (``SupportSearch.record_feedback``): the next fit of the duplicate
flag learns from it.

Run it with ``streamlit run examples/support_form/app.py`` after a sync (``bash scripts/demo.sh``).
Configuration comes from the environment: ``MILVUS_URI`` (default ``./support.db``), ``COLLECTION``
(default ``zendesk``), ``MILVUS_TOKEN`` (for a Milvus server or Zilliz Cloud) and ``ORGANIZATIONS``
(a JSON list of Zendesk organization records, as the Organizations API returns them; default
``sample_data/organizations.json``): an organisation not listed there counts as not sharing tickets.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import streamlit as st

from query_sdk import ArticleMatch, Customer, SupportSearch, SupportSearchError, TicketMatch

SAMPLE_ORGANIZATIONS = Path(__file__).resolve().parents[2] / "sample_data" / "organizations.json"


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

    def tenant(self) -> dict[str, object]:
        """The tickets the customer may see: their organisation's where it shares tickets, else their own."""
        shares = self.organization_id is not None and shares_tickets(self.organization_id)
        if self.requester_id is None:  # an organisation that shares its tickets: anyone of it may see them
            return {"organization_id": self.organization_id}
        return {"customer": Customer(self.requester_id, self.organization_id, shared_tickets=shares)}

    def sees_organisation(self) -> bool:
        """Whether the customer sees their organisation's tickets (else only their own)."""
        return self.organization_id is not None and shares_tickets(self.organization_id)

    def problem(self) -> str | None:
        """Why the request cannot be checked yet, or None."""
        if not self.text:
            return "Please tell us what happened: enter a subject or a description."
        if self.organization_id is None and self.requester_id is None:
            return "Please enter your organisation ID, or your user ID if you have no organisation."
        if self.requester_id is None and not self.sees_organisation():
            return "Your organisation keeps each person's requests private: please enter your user ID too."
        if self.email and "@" not in self.email:
            return "That email address does not look right."
        return None


@st.cache_resource
def organizations() -> dict[int, bool]:
    """Organisation id -> whether its users see each other's tickets (Zendesk ``shared_tickets``)."""
    path = Path(os.environ.get("ORGANIZATIONS") or SAMPLE_ORGANIZATIONS)
    records = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    return {int(org["id"]): org.get("shared_tickets") is True for org in records}


def shares_tickets(organization_id: int) -> bool:
    """Unknown organisations share nothing: a request never shows another person's ticket by mistake."""
    return organizations().get(organization_id, False)


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
    left, right = st.columns(2)
    left.button("Yes, that is my problem", key="is_duplicate")
    right.button("Submit anyway", key="submit_anyway")


def record_answer(search: SupportSearch, request: Request, ticket_id: str, *, is_duplicate: bool) -> None:
    """Keep the customer's answer for the next fit of the duplicate flag; an error here never blocks them."""
    try:
        search.record_feedback(request.text, ticket_id=int(ticket_id), is_duplicate=is_duplicate)
    except SupportSearchError as error:  # said, but the request itself goes on
        st.caption(f"Your answer could not be recorded ({escape(str(error))}).")


def accept(request: Request, search: SupportSearch) -> None:
    thanks = f"Thank you, {escape(request.name)}. " if request.name else ""
    reply_to = f" We will reply to {escape(request.email)}." if request.email else ""
    st.success(f"{thanks}Request received.{reply_to}")
    articles = search.recommend_articles(request.text, limit=5)  # public articles: the form knows no segments
    if not articles:
        st.info("No help-center article matches this request; an agent will answer it.")
        return
    st.subheader("These articles may already answer it")
    for article in articles:
        st.markdown(f"**{link(article.title or f'Article {article.record_id}', article.html_url)}**")
        st.caption(escape(snippet(article)))


def check(request: Request, *, allow_duplicates: bool) -> None:
    """Hold back a likely duplicate (remembering it for the customer's answer); otherwise accept."""
    try:
        search = support_search()
        if not allow_duplicates:
            duplicates = search.find_duplicate_tickets(request.text, **request.tenant())  # type: ignore[arg-type]
            if duplicates:
                st.session_state["held"] = (request, duplicates[0].record_id)
                show_duplicates(
                    duplicates, whose="your organisation has" if request.sees_organisation() else "you have"
                )
                return
        accept(request, search)
    except SupportSearchError as error:
        st.error(str(error))


def answered(is_duplicate: bool) -> None:
    """The customer answered about the ticket shown first: record it, then follow it or send the request."""
    request, ticket_id = st.session_state.pop("held")
    try:
        search = support_search()
        record_answer(search, request, ticket_id, is_duplicate=is_duplicate)
        if is_duplicate:
            st.info(f"Thank you. Follow ticket #{escape(ticket_id)}: your request was not sent again.")
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
        answered(is_duplicate=False)
    elif st.session_state.get("is_duplicate") and "held" in st.session_state:
        answered(is_duplicate=True)


main()
