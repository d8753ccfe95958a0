"""A real browser (Debian's Chromium through Playwright): the public feedback form in
Spanish, without signing in; the receipt code then shows the status."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_form_in_spanish_then_status_by_receipt_code(
    chromium, live_server, reference, settings, tmp_path
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = tmp_path
    from puente.feedback.models import Feedback
    from puente.feedback.services.crypto import unseal
    from puente.feedback.services.intake import feedback_code_list_load

    feedback_code_list_load()
    page = chromium.new_page(locale="es-CO")
    page.set_extra_http_headers({"Accept-Language": "es-CO,es;q=0.9"})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # the form, in Spanish, no sign-in
    page.goto(f"{live_server.url}/feedback/new/")
    page.wait_for_selector("h1:has-text('Enviar un mensaje')")
    assert page.get_attribute("html", "lang") == "es"
    page.check("text=Solicitud de asistencia")
    page.select_option("#id_country", "COL")
    page.select_option("#id_admin1", "CO-NSA")
    page.fill("#id_text", "Necesitamos un albergue para esta noche en Cúcuta <b>urgente</b>")
    page.fill("#id_name", "Yelitza")
    page.fill("#id_contact", "+57 300 111 2233")
    page.check("#id_consent")
    page.click("main form button[type=submit]")
    # the receipt
    page.wait_for_selector("h1:has-text('Mensaje recibido')")
    code = page.inner_text("#receipt-code").strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", code)
    item = Feedback.objects.get()
    assert item.type.code == "assistance" and item.admin1.iso_code == "CO-NSA"
    assert item.language == "es" and item.consent == "given"
    assert unseal(item.text_sealed).endswith("<b>urgente</b>")
    # the status, by the code
    page.click("text=Consultar el estado de un mensaje")
    page.wait_for_selector("h1:has-text('Estado de su mensaje')")
    page.fill("#id_code", code.lower())
    page.click("main form button[type=submit]")
    page.wait_for_selector("#feedback-status")
    status = page.inner_text("#feedback-status")
    assert "Solicitud de asistencia" in status
    assert "Nuevo" in status
    # nothing was blocked by the Content-Security-Policy (the favicon's 404 aside)
    assert not [e for e in errors if "Content Security Policy" in e]
    page.close()
