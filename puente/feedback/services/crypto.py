"""Field-level encryption of feedback contents (Fernet: AES-128-CBC with HMAC-SHA256).

Keys come from PUENTE_FEEDBACK_KEYS: the first encrypts, every one decrypts, so a new
key is put first and the old ones kept until `puente feedback-rotate-keys` has re-sealed
everything. Keys are never derived from SECRET_KEY. Without keys, a development setup
(debug mode, or the development secret key: a server refuses to start on either, see
puente.core.checks) uses the development feedback key: made at random on first use and kept
in PUENTE_DEV_FEEDBACK_KEY_FILE on that machine only. Anywhere else nothing is sealed
rather than plain text stored."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from puente.feedback.codes import FeedbackCode


def _development_setup() -> bool:
    return bool(settings.DEBUG) or settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY


def development_feedback_key() -> bytes:
    """This machine's development feedback key, made on first use (never a server's)."""
    path = Path(settings.PUENTE_DEV_FEEDBACK_KEY_FILE)
    if not path.exists():
        # Written whole beside it, then linked in place: two processes starting together
        # both read the first one's key, never a half-written file.
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()


def _legacy_development_key() -> bytes:
    """Development databases made before the development key existed sealed feedback with
    a key derived from the (development) secret key. Kept last, so it only ever opens those
    old tokens (MultiFernet seals with the first key) until `puente feedback-rotate-keys`
    re-seals them; never used outside a development setup."""
    digest = hashlib.sha256(b"puente-feedback:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def feedback_keys() -> list[bytes]:
    keys = [k.encode() for k in settings.PUENTE_FEEDBACK_KEYS]
    if keys:
        return keys
    if _development_setup():
        return [development_feedback_key(), _legacy_development_key()]
    raise FeedbackCode.ENCRYPTION_KEY_MISSING.error()


def feedback_fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in feedback_keys()])
    except ValueError as exc:
        raise FeedbackCode.ENCRYPTION_KEY_INVALID.error() from exc


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
        raise FeedbackCode.ENCRYPTION_KEY_UNKNOWN.error() from exc


def reseal(token: str) -> str:
    """The same plain text under the first key (key rotation)."""
    if not token:
        return ""
    return reseal_bytes(token.encode("ascii")).decode("ascii")


def reseal_bytes(token: bytes) -> bytes:
    return feedback_fernet().rotate(token)
