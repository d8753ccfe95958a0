"""The demo's data-collection project: both shipped flow-monitoring forms published, so
that the demo's flow monitoring can submit surveys and daily tally sheets to it."""

from pathlib import Path
from typing import Any

import pytest

from puente.collect.models import Form, FormVersion
from puente.demo.services import DEMO_COLLECT_PROJECT, demo_collect_project_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_project_publishes_the_survey_and_the_daily_tally_sheet_once():
    demo_collect_project_create()
    demo_collect_project_create()
    forms = Form.objects.filter(project__code=DEMO_COLLECT_PROJECT)
    assert sorted(forms.values_list("form_id", flat=True)) == [
        "flow_monitoring_daily_count",
        "flow_monitoring_survey",
    ]
    assert FormVersion.objects.filter(form__in=forms).count() == 2
