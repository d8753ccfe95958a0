"""The public form and the status check: no sign-in, three languages, spam and bad input
refused with a clear message, the person's text kept on the page when refused."""

import re

import pytest
from django.urls import reverse

from puente.feedback.models import Feedback, FeedbackStatus
from puente.feedback.services.workflow import (
    feedback_acknowledge,
    feedback_close,
    feedback_respond,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _post(client, language="es", address="127.0.0.1", **overrides):
    data = {
        "feedback_type": "question",
        "country": "COL",
        "admin1": "",
        "text": "¿Dónde hay atención médica gratuita en Cúcuta?",
        "name": "María",
        "contact": "+57 300 000 0000",
        "website": "",
    }
    data.update(overrides)
    return client.post(
        reverse("feedback:public-form"), data, HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=address
    )


def _receipt(response) -> str:
    match = re.search(r'id="receipt-code"><strong>([A-Z2-9-]+)</strong>', response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


@pytest.mark.parametrize(
    "language,title",
    [("en", "Send a message"), ("es", "Enviar un mensaje"), ("pt", "Enviar uma mensagem")],
)
def test_form_renders_without_sign_in_in_each_language(client, language, title):
    response = client.get(reverse("feedback:public-form"), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in body
    assert title in body
    # no third-party resource of any kind
    assert not re.search(r'(src|href)="https?://', body)


def test_submission_gives_a_receipt_code_that_shows_the_status(client):
    # when
    response = _post(client)
    # then
    assert response.status_code == 201
    code = _receipt(response)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", code)
    item = Feedback.objects.get()
    assert item.channel.code == "web-form"
    assert item.language == "es"
    assert code.replace("-", "") not in item.receipt_hash
    status = client.post(
        reverse("feedback:public-status"), {"code": code.lower()}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert status.status_code == 200
    assert "Nuevo" in status.content.decode()


def test_status_shows_the_answer_once_given(client, make_feedback, make_user):
    item, code = make_feedback("question")
    operator = make_user("cfm-operator", "country:COL")
    feedback_acknowledge(acting_user=operator, item=item)
    feedback_respond(acting_user=operator, item=item, answer="<b>Centro de salud</b> del barrio")
    response = client.post(reverse("feedback:public-status"), {"code": code})
    body = response.content.decode()
    assert "Responded" in body
    assert "&lt;b&gt;Centro de salud&lt;/b&gt; del barrio" in body
    assert "<b>Centro" not in body


def test_status_of_a_sensitive_complaint_never_shows_the_answer(client, make_feedback, make_user):
    item, code = make_feedback("sensitive")
    focal_point = make_user("psea-focal-point", "country:COL")
    feedback_acknowledge(acting_user=focal_point, item=item)
    feedback_respond(acting_user=focal_point, item=item, answer="Nos reunimos el martes")
    feedback_close(acting_user=focal_point, item=item)
    body = client.post(reverse("feedback:public-status"), {"code": code}).content.decode()
    assert "Closed" in body
    assert "martes" not in body


def test_unknown_receipt_code(client, make_feedback):
    make_feedback()
    response = client.post(
        reverse("feedback:public-status"), {"code": "ABCDE-FGHJK"}, HTTP_ACCEPT_LANGUAGE="pt"
    )
    assert response.status_code == 404
    assert "Nenhuma mensagem tem este código" in response.content.decode()


def test_honeypot_refuses_the_submission(client):
    response = _post(client, website="http://spam.example")
    assert response.status_code == 400
    assert "No se pudo aceptar este mensaje" in response.content.decode()
    assert not Feedback.objects.exists()


def test_rate_limit_per_address_keeps_the_text_on_the_page(client, settings):
    settings.PUENTE_FEEDBACK_FORM_LIMIT = 2
    assert _post(client).status_code == 201
    assert _post(client).status_code == 201
    refused = _post(client, text="Tercer mensaje, que no debe perderse")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Se enviaron demasiados mensajes" in body
    assert "Tercer mensaje, que no debe perderse" in body
    assert Feedback.objects.count() == 2
    # another address is not affected
    assert _post(client, address="10.0.0.9").status_code == 201


def test_oversized_text_is_refused_with_a_translated_error(client, settings):
    settings.PUENTE_FEEDBACK_MAX_TEXT = 50
    response = _post(client, text="x" * 51)
    assert response.status_code == 400
    assert "como máximo 50 caracteres" in response.content.decode()
    assert not Feedback.objects.exists()


def test_script_in_the_text_is_stored_and_shown_escaped(client, make_user):
    _post(client, text='<script>alert("x")</script> ayuda')
    item = Feedback.objects.get()
    client.force_login(make_user("cfm-operator", "country:COL"))
    for url in (reverse("feedback:item", args=[item.pk]), reverse("feedback:list")):
        body = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ayuda" in body
        assert '<script>alert("x")' not in body


def test_accepted_attachment_is_stored_encrypted(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _post(client, attachment=SimpleUploadedFile("foto.png", PNG, "image/png"))
    assert response.status_code == 201
    attachment = Feedback.objects.get().attachments.get()
    assert attachment.content_type == "image/png"
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    assert PNG not in stored and b"PNG" not in stored


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 10, "no se acepta"),
        ("foto.png", b"<html>not a png</html>", "no se acepta"),
        ("grande.pdf", b"%PDF-1.4" + b"0" * 2000, "es mayor que"),
    ],
)
def test_refused_attachments(client, settings, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PUENTE_FEEDBACK_MAX_ATTACHMENT_BYTES = 1024
    response = _post(client, attachment=SimpleUploadedFile(name, content, "image/png"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_anonymous_submission_keeps_no_name(client, make_user):
    _post(client, anonymous="on", name="María", contact="maria@example.org")
    item = Feedback.objects.get()
    assert item.anonymous
    assert item.name_sealed == "" and item.contact_sealed == ""
    assert item.status == FeedbackStatus.NEW


def test_admin1_must_be_in_the_country(client):
    response = _post(client, country="PER", admin1="CO-NSA")
    assert response.status_code == 400
    assert "no está en el país" in response.content.decode()
