"""Every feedback page renders in the three languages, translated."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# page -> a phrase the page shows in en, es, pt
PAGES = {
    "feedback:list": ("Log feedback", "Registrar retroalimentación", "Registrar feedback"),
    "feedback:overdue": ("Overdue feedback", "Retroalimentación vencida", "Feedback atrasado"),
    "feedback:log": ("What the person said", "Lo que dijo la persona", "O que a pessoa disse"),
    "feedback:item": ("Next step", "Próximo paso", "Próximo passo"),
    "feedback:dashboard": ("Median days to close", "Mediana de días", "Mediana de dias"),
    "feedback:code-list": ("New channel", "Nuevo canal", "Novo canal"),
    "feedback:public-status": ("Check status", "Consultar estado", "Consultar situação"),
}


@pytest.mark.parametrize("language_index,language", list(enumerate(["en", "es", "pt"])))
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_render_in_each_language(
    client, make_user, make_feedback, name, language_index, language
):
    item, _code = make_feedback("question")
    operator = make_user("cfm-operator", "country:COL")
    if name == "feedback:code-list":
        operator = make_user("regional-admin", "region")
    client.force_login(operator)
    args = [item.pk] if name == "feedback:item" else []
    response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in body
    assert PAGES[name][language_index] in body
