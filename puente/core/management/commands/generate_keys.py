"""`puente generate-keys`: new keys for a server, as environment lines."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand
from django.core.management.utils import get_random_secret_key


class Command(BaseCommand):
    help = (
        "Print a new PUENTE_SECRET_KEY and PUENTE_FEEDBACK_KEYS, one environment line "
        "each, for a server. Keep them secret; the feedback key cannot be made again."
    )
    # It must run where the keys are missing, which is when the checks fail.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"PUENTE_SECRET_KEY={get_random_secret_key()}")
        self.stdout.write(f"PUENTE_FEEDBACK_KEYS={Fernet.generate_key().decode()}")
