"""The jurisdiction API's query: the quick read of a plain query and DRF's serializer agree on every input."""

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from offices.api.serializers import JurisdictionQuerySerializer

NAMES = ["zip", "country", "region", "office", "other"]
VALUES = st.one_of(st.sampled_from(["60605", " 60605 ", "", "  ", "CA", "CN", "Guangdong", "LOS", "12345678901",
                                     "ABCD", "x" * 101, "\t60605"]), st.text(max_size=12))


def serializer_answer(query: QueryDict):
    serializer = JurisdictionQuerySerializer(data=query)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    return ("400", serializer.errors)


def parsed_answer(query: QueryDict):
    try:
        return JurisdictionQuerySerializer.parse(query)
    except ValidationError as exc:
        return ("400", exc.detail)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=4))
def test_the_quick_read_answers_as_the_serializer_does(pairs):
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    assert parsed_answer(query) == serializer_answer(query)


def test_a_plain_query_is_read_trimmed():
    assert JurisdictionQuerySerializer.parse(QueryDict("zip=%2060605%20&office=lax")) == {"zip": "60605", "office": "lax"}
