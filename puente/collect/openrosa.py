"""The OpenRosa protocol's own parts: reading a submission's identity from its XML, the
XML documents the server answers with (form list, manifest, OpenRosaResponse), and HTTP
Digest (RFC 2617) with a server nonce. No database writes here (docs/collect.md,
docs/security.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
XFORMS_MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"


# --- Submissions ---------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionMeta:
    """What a submission says about itself: its form, version and instance, and the
    instance it replaces when it is an edit."""

    form_id: str
    version: str
    instance_id: str
    deprecated_id: str


class UnreadableSubmission(ValueError):
    pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def submission_meta(xml: bytes) -> SubmissionMeta:
    """Read the form ID (`id` of the root, or `xmlns` for old forms), the version and
    `meta/instanceID`, `meta/deprecatedID`. Document type declarations are refused: a
    submission has none, and entities are a way to make a parser work for an attacker."""
    if re.search(rb"<!(?:DOCTYPE|ENTITY)", xml, re.IGNORECASE):
        raise UnreadableSubmission("document type declarations are not accepted")
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 (no DTD: refused above)
    except ElementTree.ParseError as exc:
        raise UnreadableSubmission(str(exc)) from exc
    form_id = root.get("id") or root.get("xmlns") or ""
    instance_id = deprecated_id = ""
    for element in root.iter():
        name = _local(element.tag)
        if name == "instanceID" and not instance_id:
            instance_id = (element.text or "").strip()
        elif name == "deprecatedID" and not deprecated_id:
            deprecated_id = (element.text or "").strip()
    return SubmissionMeta(
        form_id=form_id.strip(),
        version=(root.get("version") or "").strip(),
        instance_id=instance_id,
        deprecated_id=deprecated_id,
    )


# --- Documents the server sends -----------------------------------------------------


@dataclass(frozen=True)
class FormListEntry:
    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str | None


def form_list_xml(entries: list[FormListEntry]) -> str:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="{XFORMS_LIST_NS}">']
    for entry in entries:
        parts.append(
            "<xform>"
            f"<formID>{escape(entry.form_id)}</formID>"
            f"<name>{escape(entry.name)}</name>"
            f"<version>{escape(entry.version)}</version>"
            f"<hash>md5:{entry.md5}</hash>"
            f"<downloadUrl>{escape(entry.download_url)}</downloadUrl>"
            + (
                f"<manifestUrl>{escape(entry.manifest_url)}</manifestUrl>"
                if entry.manifest_url
                else ""
            )
            + "</xform>"
        )
    parts.append("</xforms>")
    return "".join(parts)


@dataclass(frozen=True)
class ManifestEntry:
    filename: str
    md5: str
    download_url: str


def manifest_xml(entries: list[ManifestEntry]) -> str:
    """Sorted by file name, so that the manifest (and Enketo's hash of it) is stable."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{XFORMS_MANIFEST_NS}">']
    for entry in sorted(entries, key=lambda e: e.filename):
        parts.append(
            "<mediaFile>"
            f"<filename>{escape(entry.filename)}</filename>"
            f"<hash>md5:{entry.md5}</hash>"
            f"<downloadUrl>{escape(entry.download_url)}</downloadUrl>"
            "</mediaFile>"
        )
    parts.append("</manifest>")
    return "".join(parts)


def response_xml(message: str, *, nature: str) -> str:
    """The OpenRosaResponse body: ODK Collect shows `message` to the collector."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OpenRosaResponse xmlns="{RESPONSE_NS}">'
        f"<message nature={quoteattr(nature)}>{escape(message)}</message>"
        "</OpenRosaResponse>"
    )


# --- HTTP Digest (RFC 2617) ----------------------------------------------------------


def _nonce_signature(timestamp: str) -> str:
    key = f"puente.collect.digest-nonce:{settings.SECRET_KEY}".encode()
    return hmac.new(key, timestamp.encode(), hashlib.sha256).hexdigest()


def nonce_make(now: float | None = None) -> str:
    """A nonce the server can check without storing it: the time it was made and an HMAC
    of that time under the secret key."""
    timestamp = str(int(now if now is not None else time.time()))
    raw = f"{timestamp}:{_nonce_signature(timestamp)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def nonce_state(nonce: str, now: float | None = None) -> str:
    """ "valid", "stale" (ours but older than PUENTE_COLLECT_NONCE_SECONDS) or "invalid"."""
    try:
        padded = nonce + "=" * (-len(nonce) % 4)
        timestamp, _sep, signature = base64.urlsafe_b64decode(padded).decode().partition(":")
        made = int(timestamp)
    except (ValueError, UnicodeDecodeError):
        return "invalid"
    if not hmac.compare_digest(signature, _nonce_signature(timestamp)):
        return "invalid"
    age = (now if now is not None else time.time()) - made
    if age < -60 or age > settings.PUENTE_COLLECT_NONCE_SECONDS:
        return "stale"
    return "valid"


def authenticate_challenge(*, stale: bool = False) -> str:
    """The `WWW-Authenticate` value: Digest first (preferred), then Basic, as two
    challenges of one header (RFC 7235 section 4.1)."""
    realm = settings.PUENTE_COLLECT_DIGEST_REALM
    digest = (
        f'Digest realm="{realm}", qop="auth", nonce="{nonce_make()}", '
        f'opaque="{hashlib.md5(realm.encode(), usedforsecurity=False).hexdigest()}", '
        f"algorithm=MD5"
    )
    if stale:
        digest += ", stale=true"
    return f'{digest}, Basic realm="{realm}", charset="UTF-8"'


_DIGEST_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def digest_params(header: str) -> dict[str, str]:
    """The parameters of an `Authorization: Digest ...` header."""
    return {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
        for m in _DIGEST_PARAM.finditer(header)
    }


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def digest_expected(params: dict[str, str], *, ha1: str, method: str) -> str:
    """The `response` a client knowing the password sends (RFC 2617 3.2.2.1), with
    qop=auth or without qop (RFC 2069)."""
    ha2 = _md5(f"{method}:{params.get('uri', '')}")
    if params.get("qop"):
        return _md5(
            f"{ha1}:{params.get('nonce', '')}:{params.get('nc', '')}:"
            f"{params.get('cnonce', '')}:{params['qop']}:{ha2}"
        )
    return _md5(f"{ha1}:{params.get('nonce', '')}:{ha2}")


def digest_check(params: dict[str, str], *, ha1: str, method: str, path: str) -> str:
    """ "valid", "stale" or "invalid" for the parameters a client sent: the nonce is ours
    and fresh, the `uri` is the one requested, the response matches."""
    required = ("username", "nonce", "uri", "response")
    if not ha1 or any(not params.get(name) for name in required):
        return "invalid"
    if params.get("qop") not in (None, "auth"):
        return "invalid"
    if params.get("algorithm", "MD5").upper() != "MD5":
        return "invalid"
    if params["uri"] != path and params["uri"].split("?", 1)[0] != path.split("?", 1)[0]:
        return "invalid"
    if not hmac.compare_digest(digest_expected(params, ha1=ha1, method=method), params["response"]):
        return "invalid"
    return nonce_state(params["nonce"])
