"""Record values rendered as users wrote them: HTML as lines of text, lists and stringified lists as words."""

import pytest

from destination_milvus_support.text import html_to_text, render_value


@pytest.mark.parametrize(
    ("html", "line"),
    [
        ("<p>Open <b>Admin Center</b> &gt; <strong>Settings</strong> and choose <em>Security</em>.</p>",
         "Open Admin Center > Settings and choose Security."),
        ("<p>See <a href='/hc/1'>top-up limits</a> for <code>API</code> details.</p>", "See top-up limits for API details."),
        ("<div>To reset your PIN, tap <span class='ui'>Cards</span> then <span>PIN</span>.</div>",
         "To reset your PIN, tap Cards then PIN."),
    ],
)  # fmt: skip
def test_inline_elements_stay_inside_their_line(html, line):
    assert line in html_to_text(html).splitlines()


def test_blocks_start_lines_and_blank_lines_collapse():
    text = html_to_text("<h2>Limits</h2><p>First.</p><p></p><p></p><ul><li>Cards</li><li>Payments</li></ul>")
    lines = [line.lstrip("* ").strip() for line in text.splitlines()]
    assert lines[0] == "Limits"
    assert {"First.", "Cards", "Payments"} <= set(lines)
    assert "\n\n\n" not in text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ([None, "True", "['chat_widget']"], "True, chat_widget"),  # a wildcard over Zendesk custom_fields
        ("['chat_widget', 'mobile']", "chat_widget, mobile"),
        (["vip", "eu_customer"], "vip, eu_customer"),
        ({"channel": "web", "source": {"from": {"address": "a@b.c"}}}, "channel: web, source: from: address: a@b.c"),
        (None, ""),
        ([], ""),
        (True, "true"),
        (360033549136, "360033549136"),
        ("The card [number] is wrong", "The card [number] is wrong"),
        ("[not a list", "[not a list"),
        ("[see attached]", "[see attached]"),
    ],
)
def test_values_render_as_words_not_python_reprs(value, text):
    assert render_value(value) == text


def test_a_zendesk_ticket_chunk_reads_as_written():
    from unit_tests.test_connector_processor import _processor, _record

    processor = _processor(chunk_size=200, text_fields=["subject", "custom_fields.*.value", "body"], html_to_text=True)
    ticket = {
        "id": 1,
        "subject": "Widget",
        "custom_fields": [{"id": 1, "value": None}, {"id": 2, "value": "True"}, {"id": 3, "value": "['chat_widget']"}],
        "body": "<p>Open <b>Admin Center</b> &gt; Settings</p>",
    }
    (chunk,) = processor.process(_record(ticket)).chunks
    assert chunk.text.splitlines() == [
        "subject: Widget",
        "custom_fields.*.value: True, chat_widget",
        "body: Open Admin Center > Settings",
    ]
