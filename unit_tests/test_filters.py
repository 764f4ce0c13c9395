import pytest

from query_sdk import UnsafeFilterValueError
from query_sdk.filters import Condition, build_filter, check_value

INJECTIONS = [
    "2 or organization_id >= 0",
    '42" or "1" == "1',
    "42' or '1' == '1",
    "42) or (1 == 1",
    "42\\",
    "42\n or true",
    "[1, 2]",
    "42 || true",
    "organization_id != 0",
    "４２\u201d or \u201c1",
    "\u202e42",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_values_are_refused(value):
    with pytest.raises(UnsafeFilterValueError):
        check_value(value)


@pytest.mark.parametrize("value", [True, 1.5, None, b"42", ["42"], 2**63])
def test_non_id_types_are_refused(value):
    with pytest.raises(UnsafeFilterValueError):
        check_value(value)


@pytest.mark.parametrize("value", [42, -7, "42", "org-42", "Zürich", "東京", "a.b:c@d/e+f#g_h"])
def test_plain_values_pass(value):
    assert check_value(value) == value


def test_literal_rendering_quotes_strings_and_not_ints():
    expression, params = build_filter(
        [Condition("_ab_stream", "tickets"), Condition("organization_id", 42), Condition("status", ("new", "open"))],
        templating=False,
    )
    assert expression == '(_ab_stream == "tickets") and (organization_id == 42) and (status in ["new", "open"])'
    assert params == {}


def test_templating_keeps_values_out_of_the_expression():
    expression, params = build_filter(
        [Condition("organization_id", 42), Condition("status", ("new",))], templating=True
    )
    assert expression == "(organization_id == {p0}) and (status in {p1})"
    assert params == {"p0": 42, "p1": ["new"]}


def test_field_names_must_be_identifiers():
    with pytest.raises(UnsafeFilterValueError):
        build_filter([Condition("a or 1", 1)], templating=False)
