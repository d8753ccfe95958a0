from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A page read in Spanish leaves Spanish active in the thread: the next test starts
    in the default language again."""
    yield
    translation.deactivate()
