"""Kommo parsing, token verification, return_url rules and the bubble splitter (pure)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.channels.kommo_wire import KommoAccount, check_return_url, parse_body, parse_php_form, verify_token
from switchboard.core.bubbles import MAX_BUBBLE, MAX_BUBBLES, split_bubbles
from switchboard.errors import InvalidInputError, UnauthorizedError
from tests.kommo.conftest import ACCOUNT_ID, SECRET, SUBDOMAIN, token

ACCOUNT = KommoAccount(ACCOUNT_ID, SUBDOMAIN)


def test_php_bracket_forms_become_nested_objects() -> None:
    body = parse_php_form(
        "message%5Badd%5D%5B0%5D%5Btext%5D=Hello%20AI&message%5Badd%5D%5B0%5D%5Bchat_id%5D=123"
        "&account%5Bid%5D=789&return_url=http%3A//test.com&data%5Bmessage%5D=hi"
    )
    assert body == {
        "message": {"add": {"0": {"text": "Hello AI", "chat_id": "123"}}},
        "account": {"id": "789"},
        "return_url": "http://test.com",
        "data": {"message": "hi"},
    }


def test_json_and_form_bodies_and_garbage() -> None:
    assert parse_body(b'{"token": "t", "data": {"message": "x"}}', "application/json")["data"] == {"message": "x"}
    assert parse_body(b"token=t&data[message]=x", "application/x-www-form-urlencoded")["data"] == {"message": "x"}
    garbage = (
        (b"{nope", "application/json"),
        (b"", "text/plain"),
        (b"[1, 2]", "application/json"),
        (b"token=t&data[message]=\xff\xfe", "application/x-www-form-urlencoded"),  # not UTF-8: 400, not 500
    )
    for raw, ctype in garbage:
        with pytest.raises(InvalidInputError):
            parse_body(raw, ctype)


def test_valid_token_with_float_times_passes() -> None:
    claims = verify_token(token(), SECRET, ACCOUNT, leeway=30)
    assert claims["account_id"] == ACCOUNT_ID and claims["subdomain"] == SUBDOMAIN


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (lambda: token(exp=time.time() - 120), "expired"),
        (lambda: token(secret="another-secret-of-another-integration-0123456789abcdefghijklmnopqrstuv"), "rejected"),
        (lambda: token(account_id=1), "another account"),
        (lambda: token(subdomain="evil"), "another subdomain"),
        (lambda: token(nbf=time.time() + 600), "rejected"),
        (lambda: "not.a.jwt", "rejected"),
    ],
)
def test_bad_tokens_are_unauthorized(bad: object, message: str) -> None:
    with pytest.raises(UnauthorizedError, match=message):
        verify_token(bad(), SECRET, ACCOUNT, leeway=30)  # type: ignore[operator]


def test_an_hs256_token_is_refused_even_with_the_right_secret() -> None:
    import jwt

    hs256 = jwt.encode({"account_id": ACCOUNT_ID, "subdomain": SUBDOMAIN, "exp": time.time() + 60}, SECRET, "HS256")
    with pytest.raises(UnauthorizedError):
        verify_token(hs256, SECRET, ACCOUNT, leeway=30)


def test_leeway_accepts_small_clock_skew() -> None:
    verify_token(token(exp=time.time() - 5), SECRET, ACCOUNT, leeway=30)


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.kommo.com/api/v4/salesbot/321/continue/123",
        "https://acme.amocrm.ru/api/v4/salesbot/321/continue/123",
        "https://ACME.amocrm.com/api/v4/marketingbot/1/continue/2",
    ],
)
def test_kommo_hosts_of_the_account_are_allowed(url: str) -> None:
    assert check_return_url(url, "acme", []) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.kommo.com/api/v4/salesbot/321/continue/123",
        "https://evil.kommo.com/api/v4/salesbot/321/continue/123",
        "https://acme.kommo.com.evil.io/x",
        "https://acme.kommo.com:8443/x",
        "https://kommo.com/webhook/return",
        "http://test.com",
    ],
)
def test_foreign_return_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError):
        check_return_url(url, "acme", [])


def test_the_host_override_replaces_the_list_and_permits_http() -> None:
    assert check_return_url("http://127.0.0.1:9999/api/v4/x", "acme", ["127.0.0.1:9999"])
    with pytest.raises(InvalidInputError):
        check_return_url("https://acme.kommo.com/x", "acme", ["127.0.0.1:9999"])


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_bubbles_respect_kommo_limits(text: str) -> None:
    bubbles = split_bubbles(text)
    assert len(bubbles) <= MAX_BUBBLES
    assert all(0 < len(b) <= MAX_BUBBLE for b in bubbles)


@given(st.lists(st.text(alphabet="abcdefghij,.!", min_size=1, max_size=120), max_size=60))
def test_bubbles_join_back_to_the_text(words: list[str]) -> None:
    text = " ".join(words)
    bubbles = split_bubbles(text)
    squashed = "".join("".join(b.split()) for b in bubbles)
    if len(split_bubbles(text, max_bubbles=10_000)) <= MAX_BUBBLES:
        assert squashed == "".join(text.split())
        if all(len(w) <= MAX_BUBBLE for w in words):
            assert " ".join(bubbles) == " ".join(text.split())
    else:
        assert "".join(text.split()).startswith(squashed)


def test_only_a_single_overlong_word_is_ever_cut() -> None:
    text = "short words here " + "x" * 170 + " tail"
    bubbles = split_bubbles(text)
    assert bubbles == ["short words here", "x" * 80, "x" * 80, "x" * 10 + " tail"]
