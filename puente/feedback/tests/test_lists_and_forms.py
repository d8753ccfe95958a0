"""What people pick and read on the feedback pages: filters that say when they are
mistyped, names instead of codes, the areas of the country chosen, organisations by
name, and the dashboard's charts."""

import json
import re

import pytest
from django.urls import reverse

from puente.feedback.models import Feedback, FeedbackStatus
from puente.feedback.services.workflow import feedback_acknowledge
from puente.partners.models import Organisation
from puente.reference.models import Country, Sector

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "params,message",
    [
        ({"country": "XYZ"}, "is not a country of the response"),
        ({"sector": "NOPE"}, "is not a sector code"),
        ({"type": "gossip"}, "is not a feedback type of the code list"),
        ({"channel": "pigeon"}, "is not a channel of the code list"),
        ({"status": "lost"}, "Select a valid choice"),
    ],
)
def test_a_mistyped_list_filter_is_an_error_never_every_item(
    client, make_user, make_feedback, params, message
):
    make_feedback("question")
    client.force_login(make_user("cfm-operator", "country:COL"))
    for name in ("feedback:list", "feedback:overdue"):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page.replace("&quot;", '"')
        assert 'id="feedback-items"' not in page


def test_the_list_reads_codes_in_any_case_and_shows_names(client, make_user, make_feedback):
    # given a question in Peru about health and one in Colombia
    make_feedback("question", country="PER", sector=Sector.objects.get(code="HEA"))
    make_feedback("question", country="COL")
    client.force_login(make_user("regional-admin", "region"))
    # when the list is filtered by a lower-case code, in Spanish
    response = client.get(reverse("feedback:list"), {"country": "per"}, HTTP_ACCEPT_LANGUAGE="es")
    # then Peru's item only, with the country and sector named in Spanish
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index('id="feedback-items"') :]
    assert table.count('<a href="/feedback/') == 1
    assert "<td>Perú</td>" in table and "<td>Salud</td>" in table
    assert "<td>PER</td>" not in table and "<td>HEA</td>" not in table


def test_countries_are_offered_by_name_in_the_readers_language(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("feedback:list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    select = re.search(r'<select name="country".*?</select>', page, re.S).group(0)
    names = re.findall(r'<option value="[A-Z]{3}">([^<]+)</option>', select)
    assert len(names) == 17
    # "Curazao", "México" and "Perú" sort where a Spanish reader looks for them
    assert names.index("Curazao") < names.index("Ecuador") < names.index("México")
    assert names.index("Perú") < names.index("República Dominicana")


def test_areas_are_grouped_under_their_country_and_a_mismatch_is_the_areas_error(client):
    form = client.get(reverse("feedback:public-form"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<optgroup label="Colombia">' in form and '<optgroup label="Perú">' in form
    assert "feedback_form.js" in form
    # an area of another country is refused, and the error is the area field's
    response = client.post(
        reverse("feedback:public-form"),
        {
            "feedback_type": "question",
            "country": "PER",
            "admin1": "CO-NSA",
            "text": "¿Dónde hay atención médica?",
            "website": "",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    page = response.content.decode()
    field = re.search(
        r'<div class="field has-errors">\s*<label for="id_admin1">.*?</div>', page, re.S
    )
    assert field and "no está en el país" in field.group(0)
    assert Feedback.objects.count() == 0


def test_refer_offers_organisations_by_name_the_items_country_first(
    client, make_user, make_feedback, organisation
):
    # given an organisation working in Peru only, and one (FPRU) in Colombia and Ecuador
    elsewhere = Organisation.objects.create(
        name="Aaa Ayuda Andina", acronym="AAA", type="national-ngo"
    )
    elsewhere.countries.set([Country.objects.get(iso3="PER")])
    item, _code = make_feedback("question", country="COL")
    operator = make_user("cfm-operator", "country:COL")
    feedback_acknowledge(acting_user=operator, item=item)
    client.force_login(operator)
    url = reverse("feedback:item", args=[item.pk])
    page = client.get(url).content.decode()
    # then the suggestions name each organisation, Colombia's first
    refer = page[page.index('id="refer"') : page.index("</form>", page.index('id="refer"'))]
    options = re.findall(r'<option value="([^"]+)"></option>', refer)
    assert options.index("FPRU — Fundación Prueba") < options.index("AAA — Aaa Ayuda Andina")
    assert 'list="id_organisation-options"' in refer
    # and a suggestion picked as shown refers the item
    response = client.post(url, {"action": "refer", "organisation": "FPRU — Fundación Prueba"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.referred_to_org) == (FeedbackStatus.REFERRED, organisation)


def test_refer_to_an_unknown_organisation_is_refused(client, make_user, make_feedback):
    item, _code = make_feedback("question", country="COL")
    operator = make_user("cfm-operator", "country:COL")
    feedback_acknowledge(acting_user=operator, item=item)
    client.force_login(operator)
    url = reverse("feedback:item", args=[item.pk])
    response = client.post(url, {"action": "refer", "organisation": "Nobody at all"})
    assert response.status_code == 400
    assert "is not the acronym of an organisation" in response.content.decode()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.ACKNOWLEDGED


def test_dashboard_charts_by_type_status_and_month(client, make_user, make_feedback):
    # given three questions, one acknowledged, and two sensitive complaints (under 5)
    operator = make_user("cfm-operator", "country:COL")
    items = [make_feedback("question")[0] for _i in range(3)]
    feedback_acknowledge(acting_user=operator, item=items[0])
    for _i in range(2):
        make_feedback("sensitive", text="no debe verse")
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("feedback:dashboard"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    data = json.loads(
        re.search(
            r'<script id="feedback-chart-data" type="application/json">(.*?)</script>', page
        ).group(1)
    )
    by_status = {r["label"]: (r["count"], r["sensitive"]) for r in data["by_status"]}
    # statuses in Spanish, the two sensitive complaints suppressed (null, never 2)
    assert by_status["Nuevo"] == (2, None)
    assert by_status["Con acuse de recibo"] == (1, 0)
    assert [r["count"] for r in data["by_month"]][-1] == 3
    assert data["by_month"][-1]["sensitive"] is None
    assert len(data["by_month"]) == 12
    assert {r["label"]: r["count"] for r in data["by_type"]}[
        "Pregunta o solicitud de información"
    ] == 3
    assert "feedback_charts.js" in page and "echarts.min.js" in page
    assert "no debe verse" not in page


def test_dashboard_months_are_written_as_each_language_writes_them(
    client, make_user, make_feedback
):
    import datetime as dt

    from puente.core.templatetags.figures import date_format_long

    make_feedback("question")
    client.force_login(make_user("regional-admin", "region"))
    this_month = dt.date.today().replace(day=1)
    for language, expected in [("en", "%b %Y"), ("pt", None)]:
        page = client.get(
            reverse("feedback:dashboard"), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
        data = json.loads(
            re.search(
                r'<script id="feedback-chart-data" type="application/json">(.*?)</script>', page
            ).group(1)
        )
        label = data["by_month"][-1]["label"]
        if expected:
            assert label == this_month.strftime(expected)
        else:
            # Portuguese month names are lower case ("dez. de 2025"), never Django's "Dez"
            assert label == date_format_long(this_month, "short_month", language="pt")
            assert label[0].islower() and label in page


def test_dashboard_trend_names_the_organisations(client, make_user, make_feedback, organisation):
    make_feedback("question", organisation=organisation)
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("feedback:dashboard"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<th>FPRU — Fundación Prueba</th>" in page


def test_code_list_names_a_channels_country_and_type(client, make_user):
    from puente.feedback.models import FeedbackChannel, FeedbackType

    FeedbackChannel.objects.filter(code="hotline").update(
        country=Country.objects.get(iso3="PER"),
        default_type=FeedbackType.objects.get(code="question"),
    )
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("feedback:code-list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<td>Perú</td><td>Pregunta o solicitud de información</td>" in page
    assert "<code>hotline</code>" in page
