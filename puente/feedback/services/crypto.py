"""Field-level encryption of feedback contents (Fernet: AES-128-CBC with HMAC-SHA256).

Keys come from PUENTE_FEEDBACK_KEYS: the first encrypts, every one decrypts, so a new
key is put first and the old ones kept until `puente feedback-rotate-keys` has re-sealed
everything. Without keys, a development setup derives a key from SECRET_KEY; a server
refuses to seal anything rather than store plain text."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from puente.core.errors import ApplicationError

DEVELOPMENT_SECRET_PREFIX = "puente-insecure-"  # noqa: S105  (a prefix, not a secret)


def _development_setup() -> bool:
    return bool(settings.DEBUG) or settings.SECRET_KEY.startswith(DEVELOPMENT_SECRET_PREFIX)


def feedback_keys() -> list[bytes]:
    keys = [k.encode() for k in settings.PUENTE_FEEDBACK_KEYS]
    if keys:
        return keys
    if _development_setup():
        digest = hashlib.sha256(b"puente-feedback:" + settings.SECRET_KEY.encode()).digest()
        return [base64.urlsafe_b64encode(digest)]
    raise ApplicationError(
        _(
            "Feedback cannot be stored: no encryption key is configured "
            "(PUENTE_FEEDBACK_KEYS). Tell the platform administrator."
        ),
        code="encryption_key_missing",
    )


def feedback_fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in feedback_keys()])
    except ValueError as exc:
        raise ApplicationError(
            _("An encryption key in PUENTE_FEEDBACK_KEYS is not a valid Fernet key."),
            code="encryption_key_invalid",
        ) from exc


def seal(text: str) -> str:
    """A Fernet token for `text`; the empty string stays empty."""
    if not text:
        return ""
    return seal_bytes(text.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    if not token:
        return ""
    return unseal_bytes(token.encode("ascii")).decode("utf-8")


def seal_bytes(content: bytes) -> bytes:
    return feedback_fernet().encrypt(content)


def unseal_bytes(token: bytes) -> bytes:
    try:
        return feedback_fernet().decrypt(token)
    except InvalidToken as exc:
        raise ApplicationError(
            _("Stored feedback cannot be decrypted with the configured keys."),
            code="encryption_key_unknown",
        ) from exc


def reseal(token: str) -> str:
    """The same plain text under the first key (key rotation)."""
    if not token:
        return ""
    return reseal_bytes(token.encode("ascii")).decode("ascii")


def reseal_bytes(token: bytes) -> bytes:
    return feedback_fernet().rotate(token)
