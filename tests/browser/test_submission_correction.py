"""A real browser: an IM officer corrects a select_multiple answer of a submission by
ticking its choices, after picking the field in the correction form (the page reloads
with that field chosen)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pick_a_field_then_tick_its_choices(chromium, live_server, reference, make_user, settings):
    settings.ALLOWED_HOSTS = ["*"]
    from puente.collect.models import Submission
    from puente.collect.services.publishing import form_publish, project_create
    from puente.collect.services.submissions import submission_receive
    from puente.collect.tests.conftest import DATA
    from puente.collect.tests.test_corrections import rich_xml
    from puente.reference.models import Country

    project = project_create(
        acting_user=None, code="fm-col", name="FM", country=Country.objects.get(iso3="COL")
    )
    form_publish(
        acting_user=None, project=project, name="rich.md", content=(DATA / "rich.md").read_bytes()
    )
    submission_receive(acting_user=None, project=project, xml=rich_xml("uuid:b1"), files=[])
    item = Submission.objects.get()
    officer = make_user("platform-im-officer", "country:COL", email="im@example.org")
    page = chromium.new_page(locale="en-US")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", officer.email)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Your roles")
    page.goto(f"{live_server.url}/forms/submissions/{item.pk}/")
    # when the officer picks the field "Needs": the page comes back with its choices
    with page.expect_navigation():
        page.select_option("#correction-form select[name=path]", "needs")
    assert "correct=needs" in page.url
    assert page.is_checked("#correction-form input[name=value][value=food]")
    page.check("#correction-form input[name=value][value=water]")
    page.fill("#correction-form textarea[name=reason]", "Both were said")
    page.click("#correction-form button[type=submit]")
    page.wait_for_selector("#corrections td:has-text('Both were said')")
    # then the answer holds both, and the correction is listed by the choices' labels
    row = page.inner_text("#corrections tbody tr")
    assert "Food\tFood, Water\tBoth were said" in row
    item.refresh_from_db()
    assert item.data["needs"] == ["food", "water"]
    page.close()
