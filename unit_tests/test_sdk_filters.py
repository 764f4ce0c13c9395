import random
import re

import pytest

from query_sdk import UnsafeFilterValueError
from query_sdk.filters import Condition, ContainsAny, NotTrue, build_filter, check_value

# What the brief's attackers try: each must be refused before it reaches an expression.
REFUSED = [
    "2 or organization_id >= 0",
    '42" or "1"=="1',
    "42) or (1==1",
    "42\\",
    '42\\" or 1==1',
    "'42'",
    "42\u201d or \u201c1\u201d==\u201c1",
    "42\u2019 or \u20181\u2019",
    "42\n",  # trailing newline: `$` in re.match used to accept it
    "42\nor 1==1",
    "42\r",
    "42\t",
    "42\x00",
    "[1,2]",
    "42 && true",
    "organization_id != 0",
    "\u202e42",
    42.0,
    4.2,
    True,
    False,
    None,
    [1, 2],
    (42,),
    {"$gt": 0},
    b"42",
    2**63,
    -(2**63) - 1,
]
# Plain strings are allowed through: they can only ever be one quoted literal.
PLAIN = ["42", "0042", "42 or 1", "organization_id", "acme-corp", "Zürich", "東京", "a.b:c@d/e+f#g_h", ""]

_ALLOWED = re.compile(r"[\w .:@/+#-]*")
_DANGEROUS = set("\"'\\()[]{}=<>!&|\n\r\t\x00\u201c\u201d\u2018\u2019")


@pytest.mark.parametrize("value", REFUSED, ids=repr)
def test_injection_values_are_refused(value):
    with pytest.raises(UnsafeFilterValueError):
        check_value(value, what="organization_id")


@pytest.mark.parametrize("value", PLAIN)
def test_plain_strings_render_as_one_quoted_literal(value):
    expression, params = build_filter([Condition("organization_id", value)], templating=False)
    assert expression == f'(organization_id == "{value}")'
    assert params == {}


@pytest.mark.parametrize("value", [0, 42, -7, 2**63 - 1, -(2**63)])
def test_integers_render_unquoted(value):
    expression, _ = build_filter([Condition("organization_id", value)], templating=False)
    assert expression == f"(organization_id == {value})"


@pytest.mark.parametrize("field", ["status\n", "a or 1", "a)", "1abc", "", "a" * 256, "ä"])
def test_field_names_must_be_identifiers(field):
    with pytest.raises(UnsafeFilterValueError):
        build_filter([Condition(field, 1)], templating=False)


def test_an_empty_value_list_is_refused():
    with pytest.raises(UnsafeFilterValueError):
        build_filter([Condition("status", ())], templating=False)


def test_one_bad_value_in_a_list_refuses_the_whole_filter():
    with pytest.raises(UnsafeFilterValueError):
        build_filter([Condition("status", ("open", 'solved" or "1"=="1'))], templating=False)


def _random_text(rng: random.Random) -> str:
    alphabet = "abcXYZ0129 .:@/+#-_\"'\\()[]{}=<>!&|\n\r\t\x00\u00e9\u4e2d\u201c\u201d\u2019\u00b2\uff14\u202e"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def test_property_accepted_strings_cannot_leave_their_literal():
    """Fuzz: any string check_value accepts holds no quote, bracket, operator or control character,
    and renders as exactly one ``field == "value"`` clause per condition."""
    rng = random.Random(20240611)
    accepted = 0
    for _ in range(5000):
        values = [_random_text(rng) for _ in range(rng.randint(1, 3))]
        try:
            expression, _ = build_filter([Condition(f"f{i}", v) for i, v in enumerate(values)], templating=False)
        except UnsafeFilterValueError:
            assert any(not _ALLOWED.fullmatch(v) for v in values)
            continue
        accepted += 1
        for value in values:
            assert _ALLOWED.fullmatch(value)
            assert not _DANGEROUS & set(value)
        assert expression == " and ".join(f'(f{i} == "{v}")' for i, v in enumerate(values))
        assert expression.count('"') == 2 * len(values)
    assert accepted > 100  # the property was exercised, not vacuously true


def test_property_templating_keeps_every_value_out_of_the_expression():
    rng = random.Random(7)
    for _ in range(500):
        value = rng.choice([rng.randint(-(2**63), 2**63 - 1), "".join(rng.choice("abc123-_") for _ in range(5))])
        expression, params = build_filter([Condition("organization_id", value)], templating=True)
        assert expression == "(organization_id == {p0})"
        assert params == {"p0": value}


# -- array contains (label_names) and the draft flag ---------------------------------------------------


@pytest.mark.parametrize("value", REFUSED, ids=repr)
def test_injection_values_in_an_array_filter_are_refused(value):
    with pytest.raises(UnsafeFilterValueError):
        build_filter([ContainsAny("label_names", ("cards", value))], templating=False)


def test_an_array_filter_renders_one_literal_list():
    expression, params = build_filter([ContainsAny("label_names", ("cards", "Zürich", 7))], templating=False)
    assert expression == '(array_contains_any(label_names, ["cards", "Zürich", 7]))'
    assert params == {}


def test_an_array_filter_with_templating_keeps_values_out_of_the_expression():
    expression, params = build_filter(
        [Condition("_ab_stream", "articles"), ContainsAny("label_names", ("a", "b"))], templating=True
    )
    assert expression == "(_ab_stream == {p0}) and (array_contains_any(label_names, {p1}))"
    assert params == {"p0": "articles", "p1": ["a", "b"]}


def test_an_empty_array_filter_is_refused():
    with pytest.raises(UnsafeFilterValueError):
        build_filter([ContainsAny("label_names", ())], templating=False)


@pytest.mark.parametrize(
    ("null_checks", "expected"),
    [(True, "((draft == false) or (draft is null))"), (False, "(not (draft == true))")],
)
def test_not_true_lets_false_null_and_absent_flags_through(null_checks, expected):
    expression, params = build_filter([NotTrue("draft")], templating=True, null_checks=null_checks)
    assert (expression, params) == (expected, {})


@pytest.mark.parametrize("clause", [NotTrue("draft or 1"), ContainsAny("labels)", ("a",))], ids=repr)
def test_new_clauses_check_their_field_names(clause):
    with pytest.raises(UnsafeFilterValueError):
        build_filter([clause], templating=False)


def test_property_accepted_label_lists_cannot_leave_their_literal():
    rng = random.Random(11)
    accepted = 0
    for _ in range(3000):
        values = tuple(_random_text(rng) for _ in range(rng.randint(1, 3)))
        try:
            expression, _ = build_filter([ContainsAny("label_names", values)], templating=False)
        except UnsafeFilterValueError:
            assert any(not _ALLOWED.fullmatch(v) for v in values)
            continue
        accepted += 1
        assert expression == "(array_contains_any(label_names, [" + ", ".join(f'"{v}"' for v in values) + "]))"
        assert expression.count('"') == 2 * len(values)
    assert accepted > 100
