"""The spruceid/siwe parsing vectors, through our verify service: a message that must parse gets past
the "message" check (and parses to the vector's fields); one that must not is refused by it."""

import re

import pytest

from apps.accounts.services import verify_sign_in
from apps.accounts.verification import SignInError, SignInPolicy, parse_message
from tests.accounts.helpers import render, vector_cases

pytestmark = [pytest.mark.django_db]

UNSIGNED = "0x" + "00" * 65


def refusal(session_request, text: str) -> SignInError:
    with pytest.raises(SignInError) as refused:
        verify_sign_in(
            request=session_request, message=text, signature=UNSIGNED, policy=SignInPolicy.for_request(session_request)
        )
    return refused.value


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("case", vector_cases("parsing_positive.json"))
def test_message_that_must_parse_gets_past_parsing(case, session_request):
    assert refusal(session_request, case["message"]).check != "message"
    parsed = parse_message(case["message"]).model_dump(exclude_none=True)
    expected = {snake_case(name): value for name, value in case["fields"].items() if value is not None}
    assert parsed == expected


@pytest.mark.parametrize("text", vector_cases("parsing_negative.json"))
def test_message_that_must_not_parse_is_refused(text, session_request):
    assert refusal(session_request, text).check == "message"


@pytest.mark.parametrize("fields", vector_cases("parsing_negative_objects.json"))
def test_fields_that_cannot_form_a_message_are_refused(fields, session_request):
    assert refusal(session_request, render(fields)).check == "message"
