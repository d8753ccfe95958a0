"""Channel integrations: RapidPro-style webhooks post messages with the channel's token."""

import pytest
from django.core.management import call_command

from puente.core.models import AuditRecord
from puente.feedback.models import Feedback, FeedbackChannel
from puente.feedback.selectors import feedback_by_receipt
from puente.feedback.services.channels import channel_token_create
from puente.feedback.services.crypto import unseal
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

URL = "/api/feedback/channels/whatsapp/messages/"


@pytest.fixture
def token():
    channel = FeedbackChannel.objects.get(code="whatsapp")
    channel.country = Country.objects.get(iso3="PER")
    channel.save()
    return channel_token_create(acting_user=None, channel=channel)


def _post(client, body, token=None, url=URL):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return client.post(url, body, content_type="application/json", **headers)


def test_a_plain_message_is_stored_with_the_channel_defaults(client, token):
    response = _post(client, {"text": "¿Cuándo abren el comedor?", "urn": "whatsapp:51999"}, token)
    assert response.status_code == 201
    body = response.json()
    item = Feedback.objects.get(pk=body["id"])
    assert (item.channel.code, item.country.iso3, item.type.code) == ("whatsapp", "PER", "question")
    assert unseal(item.contact_sealed) == "whatsapp:51999"
    assert feedback_by_receipt(body["receipt_code"]) == item
    assert body["status"] == "new" and body["duplicate"] is False


def test_a_rapidpro_webhook_body(client, token):
    body = {
        "contact": {"uuid": "c-1", "name": "Luis", "urn": "tel:+51999000111"},
        "input": {"text": "Quiero denunciar un cobro indebido", "uuid": "msg-77"},
        "type": "complaint",
        "country": "col",
        "admin1": "CO-ANT",
        "sector": "HEA",
        "sex": "male",
        "age": 41,
        "consent": "given",
    }
    response = _post(client, body, token)
    assert response.status_code == 201
    item = Feedback.objects.get()
    assert (item.type.code, item.country.iso3, item.admin1.iso_code, item.sector.code) == (
        "complaint",
        "COL",
        "CO-ANT",
        "HEA",
    )
    assert unseal(item.name_sealed) == "Luis"
    assert item.external_id == "msg-77"
    # a retried webhook does not store the message twice
    again = _post(client, body, token)
    assert again.status_code == 200
    assert again.json() == {"id": item.pk, "status": "new", "duplicate": True}
    assert Feedback.objects.count() == 1
    assert AuditRecord.objects.filter(action="feedback.create").count() == 1


@pytest.mark.parametrize("header", [None, "Token wrong-token", "Token a b", "Bearer x"])
def test_without_the_channel_token_nothing_is_stored(client, token, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post(URL, {"text": "hola"}, content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}
    assert set(response.json()["error"]) == {"code", "message", "detail"}
    assert not Feedback.objects.exists()


def test_a_token_is_good_for_its_own_channel_only(client, token):
    response = _post(client, {"text": "hola"}, token, url="/api/feedback/channels/sms/messages/")
    assert response.status_code == 401
    assert not Feedback.objects.exists()


def test_a_user_token_is_not_a_channel_token(client, make_user, token):
    from rest_framework.authtoken.models import Token

    user_token = Token.objects.create(user=make_user("cfm-operator", "country:COL"))
    assert _post(client, {"text": "hola"}, user_token.key).status_code == 401


@pytest.mark.parametrize(
    "body,code",
    [
        ({"text": ""}, "text_required"),
        ({"text": "x" * 5000}, "text_too_long"),
        ({"text": "hola", "country": "XXX"}, "unknown_country"),
        ({"text": "hola", "type": "gossip"}, "unknown_feedback_type"),
        ({"text": "hola", "admin1": "CO-ANT"}, "admin1_not_in_country"),
        ({"text": "hola", "organisation": "NOPE"}, "unknown_organisation"),
        ({"text": "hola", "age": 300}, "invalid"),
    ],
)
def test_bad_messages_are_refused_with_a_code(client, token, body, code):
    response = _post(client, body, token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Feedback.objects.exists()


def test_a_channel_without_country_needs_one_in_the_message(client):
    channel = FeedbackChannel.objects.get(code="sms")
    secret = channel_token_create(acting_user=None, channel=channel)
    url = "/api/feedback/channels/sms/messages/"
    assert _post(client, {"text": "hola"}, secret, url=url).json()["error"]["code"] == (
        "country_required"
    )
    assert _post(client, {"text": "hola", "country": "ECU"}, secret, url=url).status_code == 201


def test_cli_creates_a_token_that_works(client, capsys):
    call_command("feedback_channel_token", "sms")
    secret = capsys.readouterr().out.strip()
    response = _post(
        client,
        {"text": "hola", "country": "ECU"},
        secret,
        url="/api/feedback/channels/sms/messages/",
    )
    assert response.status_code == 201
    assert FeedbackChannel.objects.get(code="sms").token_hash != secret
