"""Every page renders in the three languages, translated."""

import re

import pytest
from django.urls import reverse

from puente.partners.models import Organisation

pytestmark = pytest.mark.django_db

# page -> a word the page's body shows in en, es, pt
PAGES = {
    "home": ("Sign in", "Iniciar sesión", "Entrar"),
    "accounts:login": ("Password", "Contraseña", "Senha"),
}
SIGNED_IN_PAGES = {
    "home": ("Your roles", "Sus roles", "Suas funções"),
    "partners:directory": ("Partner directory", "Directorio de socios", "Diretório de parceiros"),
    "organisation": ("Countries of operation", "Países", "Países"),
    "reference:countries": (
        "Countries and platforms",
        "Países y plataformas",
        "Países e plataformas",
    ),
    "reference:country": ("ISO 3166-2", "ISO 3166-2", "ISO 3166-2"),
    "reference:sectors": ("Population groups", "Grupos de población", "Grupos populacionais"),
    "accounts:users": ("Users and roles", "Usuarios y roles", "Usuários e funções"),
    "accounts:two_factor": ("authenticator", "autenticación", "autenticador"),
}
ARGS = {"organisation": ["TST"], "reference:country": ["COL"]}


def _url(name):
    return reverse(name, args=ARGS.get(name, []))


@pytest.mark.parametrize("language_index,language", list(enumerate(["en", "es", "pt"])))
@pytest.mark.parametrize("name", list(PAGES))
def test_public_pages_render_in_each_language(client, name, language_index, language):
    response = client.get(_url(name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert PAGES[name][language_index] in response.content.decode()


@pytest.mark.parametrize("language_index,language", list(enumerate(["en", "es", "pt"])))
@pytest.mark.parametrize("name", list(SIGNED_IN_PAGES))
def test_signed_in_pages_render_in_each_language(client, make_user, name, language_index, language):
    Organisation.objects.create(name="Test", acronym="TST", type="ingo")
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(_url(name), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in body
    assert SIGNED_IN_PAGES[name][language_index] in body


def test_language_switch_is_remembered(client):
    response = client.post(reverse("set_language"), {"language": "pt", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="pt">' in client.get("/").content.decode()


def test_numbers_are_formatted_for_the_locale(client, make_user):
    from django.utils import formats, translation

    with translation.override("es"):
        assert formats.number_format(1297760, force_grouping=True) == "1.297.760"
    with translation.override("pt"):
        assert formats.number_format(1297760.5, 1, force_grouping=True) == "1.297.760,5"
    with translation.override("en"):
        assert formats.number_format(1297760, force_grouping=True) == "1,297,760"


def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_cookies_are_secure_outside_debug():
    import subprocess
    import sys

    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='puente.settings';"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    env = {"PATH": "/usr/bin:/bin", "PUENTE_DEBUG": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True", "True"]


# 5W pages, seen by a partner reporter (who may also add rows and upload).
REPORTER_PAGES = {
    "reporting:rows": ("5W reports", "Reportes 5W", "Relatórios 5W"),
    "reporting:upload": ("Upload a 5W file", "Cargar un archivo 5W", "Enviar um arquivo 5W"),
    "reporting:row_new": ("Add a row", "Agregar una fila", "Adicionar uma linha"),
    "reporting:review": ("Review and submissions", "Revisión y envíos", "Revisão e envios"),
}


@pytest.mark.parametrize("language_index,language", list(enumerate(["en", "es", "pt"])))
@pytest.mark.parametrize("name", list(REPORTER_PAGES))
def test_reporting_pages_render_in_each_language(client, make_user, name, language_index, language):
    org = Organisation.objects.create(name="Test", acronym="TST", type="ingo")
    client.force_login(make_user("partner-reporter", f"organisation:{org.acronym}"))
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in body
    assert REPORTER_PAGES[name][language_index] in body


@pytest.mark.parametrize(
    "language,title",
    [("en", "Locked months"), ("es", "Meses bloqueados"), ("pt", "Meses bloqueados")],
)
def test_locks_page_renders_in_each_language(client, make_user, language, title):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    response = client.get(reverse("reporting:locks"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and title in response.content.decode()


@pytest.mark.parametrize(
    "language,title",
    [("en", "People reached"), ("es", "Personas alcanzadas"), ("pt", "Pessoas alcançadas")],
)
def test_dashboards_render_in_each_language(client, make_user, language, title):
    assert (
        title
        in client.get(reverse("public-dashboard"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    )
    client.force_login(make_user("platform-im-officer", "country:COL"))
    for url in (
        reverse("analytics:dashboard") + "?country=COL",
        reverse("analytics:explain") + "?country=COL",
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()


def test_favicon_is_served_and_linked(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("puente/favicon.svg")
    assert finders.find("puente/favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Figures as of November 30, 2025."),
        ("es", "30 de noviembre de 2025"),
        ("pt", "30 de novembro de 2025"),
    ],
)
def test_long_dates_are_written_as_each_language_writes_them(client, language, expected):
    import datetime as dt

    from puente.plans.models import Plan

    Plan.objects.create(
        code="rmrp-test",
        name_en="RMRP",
        kind=Plan.Kind.INTER_AGENCY,
        start_year=2025,
        end_year=2026,
        status=Plan.Status.PUBLISHED,
        figures_as_of=dt.date(2025, 11, 30),
    )
    page = client.get(reverse("public-plan", args=["rmrp-test"]), HTTP_ACCEPT_LANGUAGE=language)
    body = page.content.decode()
    assert expected in body
    assert "Novembro" not in body


def test_only_check_the_file_box_sits_before_its_label(client, make_user):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    page = client.get(reverse("funding:funding")).content.decode()
    assert re.search(
        r'<div class="check"><label for="id_dry_run"><input type="checkbox" name="dry_run"[^>]*>'
        r"\s*Only check the file",
        page,
    )
