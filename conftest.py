"""Fixtures shared by every test: reference data loaded once per test database, users
with roles, and small file builders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from puente.accounts.models import User
from puente.accounts.services import role_assign, scope_parse, user_create


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture(autouse=True)
def _settings_for_tests(settings: Any, tmp_path_factory: Any) -> None:
    settings.PUENTE_REQUIRE_2FA = False
    # Flow monitoring's figures at once, in the request (tests/ of the worker's path set
    # "worker" themselves).
    settings.PUENTE_FLOWS_FIGURES = "inline"
    # Each test its own columnar copy: files outlive the database's rollback.
    settings.PUENTE_COLUMNAR_DIR = tmp_path_factory.mktemp("columnar")
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    # Primary keys come again after a rollback (SQLite): versions and decisions kept by
    # one test are not another's.
    from puente.collect.identity import decisions_forget
    from puente.collect.services.submissions import published_versions_forget

    published_versions_forget()
    decisions_forget()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    """make_user("partner-reporter", "organisation:IOM") -> a user holding that role."""
    counter = {"n": 0}

    def make(role: str | None = None, scope: str | None = None, **kwargs: Any) -> User:
        counter["n"] += 1
        email = kwargs.pop("email", f"user{counter['n']}@example.org")
        user, _ = user_create(acting_user=None, email=email, password="pw-for-tests-1")
        if role and scope:
            role_assign(acting_user=None, user=user, role=role, scope=scope_parse(scope))
        for key, value in kwargs.items():
            setattr(user, key, value)
        if kwargs:
            user.save()
        return user

    return make


@pytest.fixture
def organisation(db: Any) -> Any:
    from puente.partners.models import Organisation
    from puente.reference.models import Country

    org = Organisation.objects.create(
        name="Fundación Prueba", acronym="FPRU", type="national-ngo", appealing=True
    )
    org.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
    return org
