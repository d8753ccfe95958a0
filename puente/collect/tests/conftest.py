"""Fixtures of the collect tests: a project in Colombia with the tiny form published and
its choice list attached, a data collector, and submissions as ODK Collect writes them."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from puente.collect.models import Project
from puente.collect.services.publishing import form_media_add, form_publish, project_create
from puente.reference.models import Country

DATA = Path(__file__).parent / "data"
PASSWORD = "collect-pass-1"


def submission_xml(
    instance_id: str,
    *,
    form_id: str = "tiny",
    version: str = "1",
    name: str = "Ana",
    deprecated_id: str = "",
    photo: str = "photo.jpg",
) -> bytes:
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
        f' id="{form_id}" version="{version}">'
        f"<name>{name}</name><age>34</age><photo>{photo}</photo><town>cucuta</town>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()


def basic(email: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def project(db: Any) -> Project:
    return project_create(
        acting_user=None,
        code="fm-col",
        name="Flow monitoring Colombia",
        country=Country.objects.get(iso3="COL"),
    )


@pytest.fixture
def other_project(db: Any) -> Project:
    return project_create(
        acting_user=None,
        code="fm-per",
        name="Flow monitoring Peru",
        country=Country.objects.get(iso3="PER"),
    )


@pytest.fixture
def published(project: Project) -> Any:
    publication = form_publish(
        acting_user=None, project=project, name="tiny.md", content=(DATA / "tiny.md").read_bytes()
    )
    form_media_add(
        acting_user=None,
        form=publication.version.form,
        filename="towns.csv",
        content=(DATA / "towns.csv").read_bytes(),
    )
    return publication.version


@pytest.fixture
def collector(make_user: Any, project: Project) -> Any:
    user = make_user("data-collector", "project:fm-col", email="collector@example.org")
    user.set_password(PASSWORD)
    user.save()
    return user
