"""HTTP Digest (RFC 2617) with a server nonce: the rules of `openrosa.digest_check`, and
one request through the test client signed as a client computes it."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.test import Client

from puente.collect import openrosa
from puente.collect.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _signed(
    ha1: str, *, method: str, uri: str, nonce: str, username: str = "c@example.org"
) -> dict[str, str]:
    """What a client sends (qop=auth), computed independently of the server's code."""
    nc, cnonce = "00000001", "0a4f113b"
    ha2 = _md5(f"{method}:{uri}")
    response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    return {
        "username": username,
        "realm": "Puente",
        "nonce": nonce,
        "uri": uri,
        "qop": "auth",
        "nc": nc,
        "cnonce": cnonce,
        "response": response,
    }


def test_a_correct_response_is_valid():
    ha1 = _md5("c@example.org:Puente:secret")
    params = _signed(ha1, method="GET", uri="/collect/p/formList", nonce=openrosa.nonce_make())
    assert (
        openrosa.digest_check(params, ha1=ha1, method="GET", path="/collect/p/formList") == "valid"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"response": "0" * 32},
        {"uri": "/collect/other/formList"},
        {"nonce": "bm90LW91cnM"},
        {"qop": "auth-int"},
        {"algorithm": "SHA-256"},
    ],
)
def test_a_wrong_response_is_invalid(change):
    ha1 = _md5("c@example.org:Puente:secret")
    params = _signed(ha1, method="GET", uri="/collect/p/formList", nonce=openrosa.nonce_make())
    params.update(change)
    assert openrosa.digest_check(params, ha1=ha1, method="GET", path="/collect/p/formList") == (
        "invalid"
    )


def test_the_response_binds_the_method():
    ha1 = _md5("c@example.org:Puente:secret")
    params = _signed(ha1, method="GET", uri="/collect/p/submission", nonce=openrosa.nonce_make())
    assert (
        openrosa.digest_check(params, ha1=ha1, method="POST", path="/collect/p/submission")
        == "invalid"
    )


def test_an_old_nonce_is_stale(settings):
    settings.PUENTE_COLLECT_NONCE_SECONDS = 300
    ha1 = _md5("c@example.org:Puente:secret")
    old = openrosa.nonce_make(now=time.time() - 301)
    params = _signed(ha1, method="GET", uri="/x", nonce=old)
    assert openrosa.digest_check(params, ha1=ha1, method="GET", path="/x") == "stale"


def test_a_nonce_signed_with_another_key_is_invalid(settings):
    nonce = openrosa.nonce_make()
    settings.SECRET_KEY = "another-key"
    assert openrosa.nonce_state(nonce) == "invalid"


def test_no_stored_hash_means_no_digest():
    params = _signed("", method="GET", uri="/x", nonce=openrosa.nonce_make())
    assert openrosa.digest_check(params, ha1="", method="GET", path="/x") == "invalid"


def test_the_header_parameters_are_read():
    header = (
        ' username="a@b.org", realm="Puente", nonce="abc", uri="/collect/p/formList?formID=x",'
        ' qop=auth, nc=00000001, cnonce="c1", response="r"'
    )
    params = openrosa.digest_params(header)
    assert params["username"] == "a@b.org"
    assert params["uri"] == "/collect/p/formList?formID=x"
    assert params["qop"] == "auth"
    assert params["nc"] == "00000001"


def _authorization(params: dict[str, str]) -> str:
    return "Digest " + ", ".join(f'{k}="{v}"' for k, v in params.items())


def test_the_server_accepts_digest_from_the_stored_hash(client: Client, published, collector):
    # given: the challenge
    challenge = client.get("/collect/fm-col/formList")["WWW-Authenticate"]
    nonce = openrosa.digest_params(challenge)["nonce"]
    ha1 = _md5(f"{collector.email}:Puente:{PASSWORD}")
    uri = "/collect/fm-col/formList?formID=tiny"
    # when
    params = _signed(ha1, method="GET", uri=uri, nonce=nonce, username=collector.email)
    response = client.get(uri, HTTP_AUTHORIZATION=_authorization(params))
    # then
    assert response.status_code == 200
    assert b"<formID>tiny</formID>" in response.content


def test_a_stale_nonce_is_answered_with_stale_true(client: Client, published, collector):
    nonce = openrosa.nonce_make(now=time.time() - 10_000)
    ha1 = _md5(f"{collector.email}:Puente:{PASSWORD}")
    params = _signed(ha1, method="GET", uri="/collect/fm-col/formList", nonce=nonce)
    params["username"] = collector.email
    response = client.get("/collect/fm-col/formList", HTTP_AUTHORIZATION=_authorization(params))
    assert response.status_code == 401
    assert "stale=true" in response["WWW-Authenticate"]


def test_a_wrong_password_over_digest_is_401(client: Client, published, collector):
    nonce = openrosa.nonce_make()
    ha1 = _md5(f"{collector.email}:Puente:not-the-password")
    params = _signed(ha1, method="GET", uri="/collect/fm-col/formList", nonce=nonce)
    params["username"] = collector.email
    response = client.get("/collect/fm-col/formList", HTTP_AUTHORIZATION=_authorization(params))
    assert response.status_code == 401
    assert "stale" not in response["WWW-Authenticate"]
