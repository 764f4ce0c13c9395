"""The ``support-search`` command: find duplicate open tickets or recommend articles from a terminal."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict
from typing import Sequence

from query_sdk.connection import quiet_milvus_logging
from query_sdk.errors import SupportSearchError
from query_sdk.filters import FilterValue
from query_sdk.merge_history import fit_merge_history, store_fit
from query_sdk.results import ArticleMatch, Match, TicketMatch
from query_sdk.search import DEFAULT_OPEN_STATUSES, SupportSearch
from query_sdk.viewers import Customer

__all__ = ["main"]

PROG = "support-search"
#: Longest subject or title shown in the table; the rest is cut with "...".
_MAX_LABEL = 60
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("text", help="the new ticket's text (subject and description)")
    common.add_argument("--uri", default="./support.db", help="Milvus Lite folder or server URI (default: %(default)s)")
    common.add_argument("--collection", default="zendesk", help="collection name (default: %(default)s)")
    common.add_argument("--limit", type=int, default=5, help="most results to show (default: %(default)s)")
    common.add_argument("--threshold", type=float, help="lowest similarity to show (default: the model's default)")
    common.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    common.add_argument(
        "--hybrid", action="store_true", help="fuse BM25 full-text scores with dense ones (exact terms, error codes)"
    )
    parser = argparse.ArgumentParser(prog=PROG, description="Search a help desk synced by destination-milvus-support.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    duplicates = commands.add_parser(
        "duplicates", parents=[common], help="open tickets of one organisation that look like TEXT"
    )
    duplicates.add_argument(
        "--stream",
        default="tickets",
        help="the stream the tickets were synced as (_ab_stream; default: %(default)s): with a destination "
        "namespace or stream prefix, e.g. acme_tickets",
    )
    duplicates.add_argument("--org", help="the organisation id whose open tickets are searched")
    duplicates.add_argument(
        "--requester",
        help="the requester (end user) id whose open tickets are searched: for customers without an "
        "organisation; with --org, that requester's tickets within it. One of --org and --requester is needed",
    )
    duplicates.add_argument(
        "--customer",
        metavar="REQUESTER_ID",
        help="search only what this end user may see: their own open tickets, or with --org and --shared-tickets "
        "their organisation's (Zendesk's shared_tickets)",
    )
    duplicates.add_argument(
        "--shared-tickets",
        action="store_true",
        help="with --customer and --org: the organisation lets its users see each other's tickets",
    )
    duplicates.add_argument(
        "--status",
        action="append",
        dest="statuses",
        metavar="STATUS",
        help=f"a status that counts as open; repeat for several (default: {' '.join(DEFAULT_OPEN_STATUSES)})",
    )
    calibrate = commands.add_parser(
        "calibrate",
        help="fit the duplicate flag on the desk's merged tickets and agents' answers, and store it in the collection",
    )
    calibrate.add_argument(
        "--uri", default="./support.db", help="Milvus Lite folder or server URI (default: %(default)s)"
    )
    calibrate.add_argument("--collection", default="zendesk", help="collection name (default: %(default)s)")
    calibrate.add_argument("--stream", default="tickets", help="the tickets' stream as stored (default: %(default)s)")
    calibrate.add_argument("--json", action="store_true", help="print the fit as JSON")
    articles = commands.add_parser("articles", parents=[common], help="help-center articles that may answer TEXT")
    articles.add_argument(
        "--stream",
        default="articles",
        help="the stream the articles were synced as (_ab_stream; default: %(default)s)",
    )
    articles.add_argument(
        "--locale", action="append", dest="locales", metavar="LOCALE", help="only this locale's articles (repeatable)"
    )
    articles.add_argument(
        "--section", action="append", dest="sections", metavar="ID", help="only this section's articles (repeatable)"
    )
    articles.add_argument(
        "--label", action="append", dest="labels", metavar="LABEL", help="only articles with this label (repeatable)"
    )
    articles.add_argument("--include-drafts", action="store_true", help="also recommend draft articles")
    articles.add_argument(
        "--segment",
        action="append",
        dest="segments",
        metavar="ID",
        help="a help-centre user segment the reader belongs to (repeatable); without any, only articles for everyone",
    )
    articles.add_argument(
        "--all-articles-public",
        action="store_true",
        help="every article of this help centre is public: recommend them without checking who may read them",
    )
    return parser


def _identifier(raw: str) -> FilterValue:
    """Whole numbers become integers (Zendesk ids are); anything else is validated by the SDK as a string."""
    return int(raw) if _INTEGER.fullmatch(raw) else raw


def _search(args: argparse.Namespace) -> list[Match]:
    streams = {"tickets_stream" if args.command == "duplicates" else "articles_stream": args.stream}
    public = args.command == "articles" and args.all_articles_public
    with SupportSearch.connect(
        uri=args.uri, collection=args.collection, hybrid=args.hybrid, all_articles_public=public, **streams
    ) as search:
        if args.command == "duplicates":
            org = None if args.org is None else _identifier(args.org)
            customer = None
            if args.customer is not None:
                customer = Customer(_identifier(args.customer), org, shared_tickets=args.shared_tickets)
                org = None
            return list(
                search.find_duplicate_tickets(
                    args.text,
                    organization_id=org,
                    requester_id=None if args.requester is None else _identifier(args.requester),
                    customer=customer,
                    limit=args.limit,
                    threshold=args.threshold,
                    open_statuses=tuple(args.statuses or DEFAULT_OPEN_STATUSES),
                )
            )
        return list(
            search.recommend_articles(
                args.text,
                limit=args.limit,
                threshold=args.threshold,
                locale=args.locales,
                section_id=[_identifier(s) for s in args.sections] if args.sections else None,
                label_names=args.labels,
                include_drafts=args.include_drafts,
                user_segment_ids=[_identifier(s) for s in args.segments or []],
            )
        )


def _one_line(text: str | None, width: int = _MAX_LABEL) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _row(match: Match) -> list[str]:
    first_line = match.snippet.strip().splitlines()[0] if match.snippet.strip() else ""
    if isinstance(match, TicketMatch):
        label, last = match.subject, match.status
    else:
        assert isinstance(match, ArticleMatch)
        label, last = match.title, match.html_url
    return [f"{match.score:.3f}", match.record_id, _one_line(label or first_line) or "-", last or "-"]


def format_table(matches: Sequence[Match], *, command: str) -> str:
    """Aligned columns: score, id, subject or title, and status (tickets) or link (articles)."""
    if not matches:
        return "No matching tickets." if command == "duplicates" else "No matching articles."
    header = ["SCORE", "ID", "SUBJECT", "STATUS"] if command == "duplicates" else ["SCORE", "ID", "TITLE", "LINK"]
    rows = [header, *(_row(m) for m in matches)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = []
    for row in rows:
        cells = [row[0].rjust(widths[0]), *(cell.ljust(width) for cell, width in zip(row[1:], widths[1:]))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; a ``SupportSearchError`` prints one line to stderr and returns exit code 2."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "duplicates" and args.org is None and args.requester is None and args.customer is None:
        parser.error(
            "duplicates needs --org ID or, for a customer without an organisation, --requester ID (or --customer "
            "ID for only what that customer may see): tickets are only ever searched within one tenant"
        )
    if args.command == "duplicates" and args.customer is not None and args.requester is not None:
        parser.error("--customer and --requester name the same person: give one of them")
    if args.command == "duplicates" and args.shared_tickets and (args.customer is None or args.org is None):
        parser.error("--shared-tickets needs --customer and --org")
    quiet_milvus_logging()  # errors are printed as one translated line, without pymilvus' tracebacks
    if args.command == "calibrate":
        return _calibrate(args)
    try:
        matches = _search(args)
    except SupportSearchError as error:
        print(f"{PROG}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    if args.json:
        print(json.dumps([m.to_dict() for m in matches], ensure_ascii=False, indent=2, default=str))
    else:
        print(format_table(matches, command=args.command))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    """Fit and store the duplicate flag; exit 0 with the fit, 1 when the history is too short, 2 on an error."""
    try:
        with SupportSearch.connect(uri=args.uri, collection=args.collection, tickets_stream=args.stream) as search:
            fit, said = fit_merge_history(search.desk_store)
            if fit is not None:
                store_fit(search.desk_store, fit)
    except SupportSearchError as error:
        print(f"{PROG}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"fitted": fit is not None, "message": said, **(asdict(fit) if fit else {})}, indent=2))
    else:
        print(f"Duplicate flag: {said}.")
    return 0 if fit is not None else 1


if __name__ == "__main__":
    sys.exit(main())
