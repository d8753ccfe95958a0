"""A partners file changes only organisations within the importer's scope: a row that
adds or changes an organisation needs the partners role over every country the row names
and every country the organisation already works in; a row changing nothing needs none.
A written file is audited (who, file name, counts)."""

import pytest

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes
from puente.partners.models import Organisation
from puente.partners.services import organisations_import
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

HEADER = ["name", "acronym", "type", "migrant_led", "women_led", "countries", "appealing"]


def _import(user, *rows):
    return organisations_import(
        source=csv_bytes([HEADER, *rows]), filename="socios.csv", acting_user=user
    )


def test_an_officer_adds_an_organisation_of_the_country_and_it_is_audited(make_user):
    officer = make_user("platform-im-officer", "country:COL")
    report = _import(officer, ["Red Local", "REDLOC", "national-ngo", "no", "yes", "COL", "yes"])
    assert report.errors == []
    assert Organisation.objects.get(acronym="REDLOC").countries.get().iso3 == "COL"
    record = AuditRecord.objects.get(action="import.partners")
    assert record.actor == officer
    assert (record.data["file"], record.data["imported"]) == ("socios.csv", 1)


def test_an_organisation_in_another_country_refuses_the_file(make_user):
    officer = make_user("platform-im-officer", "country:COL")
    report = _import(
        officer,
        ["Red Local", "REDLOC", "national-ngo", "no", "yes", "COL", "yes"],
        ["Red Peruana", "REDPER", "national-ngo", "no", "no", "COL; PER", "yes"],
    )
    assert [(e.row, e.code) for e in report.errors] == [(None, "import_not_allowed")]
    assert "REDPER" in str(report.errors[0].message)
    assert not Organisation.objects.filter(acronym__in=["REDLOC", "REDPER"]).exists()
    assert not AuditRecord.objects.filter(action="import.partners").exists()


def test_changing_an_organisation_that_works_elsewhere_is_refused(make_user):
    # given an organisation of Colombia and Peru
    org = Organisation.objects.create(name="Binacional", acronym="BINA", type="national-ngo")
    org.countries.set(Country.objects.filter(iso3__in=["COL", "PER"]))
    officer = make_user("platform-im-officer", "country:COL")
    # when a Colombian officer's file takes Peru away from it
    report = _import(officer, ["Binacional", "BINA", "national-ngo", "no", "no", "COL", "no"])
    # then
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert set(org.countries.values_list("iso3", flat=True)) == {"COL", "PER"}


def test_a_row_that_changes_nothing_needs_no_scope(make_user):
    org = Organisation.objects.create(name="Binacional", acronym="BINA", type="national-ngo")
    org.countries.set(Country.objects.filter(iso3__in=["COL", "PER"]))
    officer = make_user("platform-im-officer", "country:COL")
    report = _import(
        officer,
        ["Binacional", "BINA", "national-ngo", "no", "no", "COL; PER", "no"],
        ["Red Local", "REDLOC", "national-ngo", "no", "yes", "COL", "yes"],
    )
    assert report.errors == []
    assert (report.imported, report.updated) == (1, 0)


def test_a_role_without_partner_imports_is_refused(make_user, organisation):
    reporter = make_user("partner-reporter", "organisation:FPRU")
    report = _import(reporter, ["Red Local", "REDLOC", "national-ngo", "no", "yes", "COL", "yes"])
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert not Organisation.objects.filter(acronym="REDLOC").exists()
