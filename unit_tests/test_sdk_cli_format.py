import pytest

from query_sdk import ArticleMatch, TicketMatch
from query_sdk.cli import _identifier, _parser, format_table, main

TICKETS = [
    TicketMatch("101", 0.91234, "subject: Card declined", {"subject": "Card declined", "status": "open"}, "tickets"),
    TicketMatch("1002", 0.5, "description: Debit card\ndeclined at the station", {"status": "pending"}, "tickets"),
]


def test_ticket_table_is_aligned_with_a_header():
    lines = format_table(TICKETS, command="duplicates").splitlines()
    assert lines[0].split() == ["SCORE", "ID", "SUBJECT", "STATUS"]
    assert lines[1].split()[:2] == ["0.912", "101"]
    assert lines[1].endswith("open")
    assert lines[2].endswith("pending")
    # The id, subject and status columns start at the same offset on every line.
    for column in ("ID", "SUBJECT", "STATUS"):
        offset = lines[0].index(column)
        assert all(line[offset - 1] == " " and line[offset] != " " for line in lines)


def test_a_ticket_without_subject_shows_its_snippets_first_line():
    assert "description: Debit card" in format_table(TICKETS, command="duplicates").splitlines()[2]


def test_long_titles_are_cut_and_articles_show_their_link():
    article = ArticleMatch("301", 0.4, "x", {"title": "word " * 30, "html_url": "https://h/a/301"}, "articles")
    line = format_table([article], command="articles").splitlines()[1]
    assert "..." in line
    assert line.endswith("https://h/a/301")
    assert len(line) < 100


def test_no_results_is_a_sentence_not_an_empty_table():
    assert format_table([], command="duplicates") == "No matching tickets."
    assert format_table([], command="articles") == "No matching articles."


@pytest.mark.parametrize(("raw", "value"), [("42", 42), ("-7", -7), ("org-42", "org-42"), ("４２", "４２")])
def test_whole_number_org_ids_become_integers(raw, value):
    assert _identifier(raw) == value


def test_duplicates_takes_repeated_statuses_and_the_documented_defaults():
    args = _parser().parse_args(["duplicates", "card", "--org", "42", "--status", "new", "--status", "open"])
    assert (args.statuses, args.uri, args.collection, args.limit, args.threshold, args.json) == (
        ["new", "open"],
        "./support.db",
        "zendesk",
        5,
        None,
        False,
    )


def test_duplicates_needs_an_org_or_a_requester(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["duplicates", "card"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "--org" in error and "--requester" in error
    assert "Traceback" not in error


def test_duplicates_takes_a_requester_without_an_org():
    args = _parser().parse_args(["duplicates", "card", "--requester", "9001"])
    assert (args.org, _identifier(args.requester)) == (None, 9001)


def test_articles_take_repeated_filters_and_drafts():
    args = _parser().parse_args(
        [
            "articles",
            "card",
            "--locale",
            "fr",
            "--locale",
            "de",
            "--section",
            "12",
            "--label",
            "cards",
            "--include-drafts",
        ]
    )
    assert (args.locales, args.sections, args.labels, args.include_drafts) == (["fr", "de"], ["12"], ["cards"], True)
    plain = _parser().parse_args(["articles", "card"])
    assert (plain.locales, plain.sections, plain.labels, plain.include_drafts) == (None, None, None, False)
