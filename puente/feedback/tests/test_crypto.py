"""Contents are sealed at rest: no column holds what the person wrote, and keys rotate."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from puente.core.errors import ApplicationError
from puente.feedback.models import Feedback
from puente.feedback.selectors import feedback_contents_read
from puente.feedback.services.crypto import seal, unseal, unseal_bytes
from puente.feedback.services.intake import Upload
from puente.feedback.services.workflow import feedback_acknowledge, feedback_respond

pytestmark = pytest.mark.django_db

SECRET_TEXT = "El guardia del albergue me pidió dinero para entrar"
NAME = "Yelitza Carrasquel"
CONTACT = "whatsapp:+573001234567"
ANSWER = "Hablamos con la organización responsable del albergue"


def _raw_row(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM feedback_feedback WHERE id = %s", [pk])
        row = cursor.fetchone()
    return " ".join(str(value) for value in row)


@pytest.mark.parametrize("type_code", ["sensitive", "complaint"])
def test_no_plaintext_in_the_database(make_feedback, make_user, type_code):
    # given
    item, code = make_feedback(type_code, text=SECRET_TEXT, name=NAME, contact=CONTACT)
    handler = make_user(
        "psea-focal-point" if type_code == "sensitive" else "cfm-operator", "country:COL"
    )
    feedback_acknowledge(acting_user=handler, item=item)
    feedback_respond(acting_user=handler, item=item, answer=ANSWER)
    # when: the row as the database holds it
    raw = _raw_row(item.pk)
    # then
    for plain in (SECRET_TEXT, "albergue", NAME, "Carrasquel", CONTACT, "573001234567", ANSWER):
        assert plain not in raw
    assert code not in raw
    # and the contents still read back for whoever may read them
    contents = feedback_contents_read(user=handler, item=Feedback.objects.get(pk=item.pk))
    assert (contents.text, contents.name, contents.contact, contents.answer) == (
        SECRET_TEXT,
        NAME,
        CONTACT,
        ANSWER,
    )


def test_keys_from_the_environment_and_rotation(settings, make_feedback):
    # given: an item sealed with the old key
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PUENTE_FEEDBACK_KEYS = [old]
    pdf = b"%PDF-1.4 acta de la denuncia"
    item, _code = make_feedback(
        "sensitive", text=SECRET_TEXT, attachments=[Upload("acta.pdf", pdf)]
    )
    token = Feedback.objects.get(pk=item.pk).text_sealed
    assert Fernet(old.encode()).decrypt(token.encode()).decode() == SECRET_TEXT
    # when: the new key is put first and everything is re-sealed
    settings.PUENTE_FEEDBACK_KEYS = [new, old]
    call_command("feedback_rotate_keys")
    # then: the new key alone reads it
    settings.PUENTE_FEEDBACK_KEYS = [new]
    assert unseal(Feedback.objects.get(pk=item.pk).text_sealed) == SECRET_TEXT
    with item.attachments.get().file.open("rb") as handle:
        assert unseal_bytes(handle.read()) == pdf
    settings.PUENTE_FEEDBACK_KEYS = [old]
    with pytest.raises(ApplicationError) as exc_info:
        unseal(Feedback.objects.get(pk=item.pk).text_sealed)
    assert exc_info.value.code == "encryption_key_unknown"


def test_a_server_without_keys_refuses_to_store_feedback(settings, make_feedback):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-server-secret-key-0123456789"
    settings.PUENTE_FEEDBACK_KEYS = []
    with pytest.raises(ApplicationError) as exc_info:
        make_feedback("sensitive", text=SECRET_TEXT)
    assert exc_info.value.code == "encryption_key_missing"
    assert not Feedback.objects.exists()


def test_a_broken_key_is_reported(settings):
    settings.PUENTE_FEEDBACK_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ApplicationError) as exc_info:
        seal("x")
    assert exc_info.value.code == "encryption_key_invalid"


def test_development_key_is_not_derived_from_the_secret_key(settings, tmp_path):
    import base64
    import hashlib

    # given: a debug laptop without feedback keys, on the public development secret key
    settings.DEBUG = True
    settings.PUENTE_FEEDBACK_KEYS = []
    settings.PUENTE_DEV_FEEDBACK_KEY_FILE = tmp_path / "dev-feedback-key"
    # when
    token = seal("hola")
    # then: the key is the one made at random in the local file, not one from SECRET_KEY
    local_key = settings.PUENTE_DEV_FEEDBACK_KEY_FILE.read_bytes().strip()
    assert Fernet(local_key).decrypt(token.encode()) == b"hola"
    assert settings.PUENTE_DEV_FEEDBACK_KEY_FILE.stat().st_mode & 0o077 == 0
    public = hashlib.sha256(b"puente-feedback:" + settings.SECRET_KEY.encode()).digest()
    with pytest.raises(InvalidToken):
        Fernet(base64.urlsafe_b64encode(public)).decrypt(token.encode())
    settings.SECRET_KEY = "puente-insecure-another-laptop"
    assert unseal(token) == "hola"


def test_a_development_database_sealed_before_the_development_key_still_opens(settings, tmp_path):
    import base64
    import hashlib

    # given: a debug laptop whose feedback was sealed with the key once derived from the
    # development secret key
    settings.DEBUG = True
    settings.PUENTE_FEEDBACK_KEYS = []
    settings.PUENTE_DEV_FEEDBACK_KEY_FILE = tmp_path / "dev-feedback-key"
    old = hashlib.sha256(b"puente-feedback:" + settings.SECRET_KEY.encode()).digest()
    token = Fernet(base64.urlsafe_b64encode(old)).encrypt(b"hola").decode()
    # then: it still opens (nothing submitted is lost), and anything sealed now is sealed
    # with the development key, never the derived one
    assert unseal(token) == "hola"
    local_key = settings.PUENTE_DEV_FEEDBACK_KEY_FILE.read_bytes().strip()
    assert Fernet(local_key).decrypt(seal("adiós").encode()) == "adiós".encode()
    # and outside a development setup the derived key opens nothing
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-server-secret-key-0123456789"
    settings.PUENTE_FEEDBACK_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ApplicationError):
        unseal(
            Fernet(
                base64.urlsafe_b64encode(
                    hashlib.sha256(b"puente-feedback:" + settings.SECRET_KEY.encode()).digest()
                )
            )
            .encrypt(b"x")
            .decode()
        )


def test_deploy_check_asks_for_keys(settings):
    from puente.feedback.apps import feedback_keys_check

    settings.PUENTE_FEEDBACK_KEYS = []
    assert [m.id for m in feedback_keys_check()] == ["feedback.W001"]
    settings.PUENTE_FEEDBACK_KEYS = ["nope"]
    assert [m.id for m in feedback_keys_check()] == ["feedback.E001"]
    settings.PUENTE_FEEDBACK_KEYS = [Fernet.generate_key().decode()]
    assert feedback_keys_check() == []
