"""The locks page shows only the locks of the countries the user may lock."""

import datetime as dt

from django.urls import reverse

from puente.reference.models import Country
from puente.reporting.services.workflow import period_lock


def test_country_im_officer_sees_only_the_locks_of_their_scope(client, make_user):
    # given: January locked in Colombia and in Peru by a regional admin
    admin = make_user("regional-admin", "region")
    month = dt.date(2025, 1, 1)
    for iso3 in ("COL", "PER"):
        period_lock(acting_user=admin, country=Country.objects.get(iso3=iso3), month=month)
    colombia = Country.objects.get(iso3="COL").name
    peru = Country.objects.get(iso3="PER").name
    # when: Colombia's IM officer opens the locks page
    client.force_login(make_user("platform-im-officer", "platform:colombia"))
    page = client.get(reverse("reporting:locks")).content.decode()
    # then: Colombia's lock only
    table = page[page.index("<table>") :]
    assert colombia in table
    assert peru not in table
    # and the regional admin sees both
    client.force_login(admin)
    table = client.get(reverse("reporting:locks")).content.decode()
    table = table[table.index("<table>") :]
    assert colombia in table and peru in table
