import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
application = get_wsgi_application()

# Outside debug mode, no server on the development secret key or without feedback keys.
from puente.core.checks import refuse_to_start_without_keys  # noqa: E402

refuse_to_start_without_keys()

# The URLs, and with them every view's modules, are read while the process starts, before
# it takes a request: otherwise the first requests a new process answers wait a second or
# more for those imports (after each restart, and each time gunicorn renews a process).
# So are the URL names, in each language (Django keeps one table of them per language):
# the first `reverse()` of a language builds its table, and when the first requests come
# together every thread builds it at once.
from django.conf import settings  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import translation  # noqa: E402

_resolver = get_resolver()
_resolver.url_patterns  # noqa: B018
for _code, _name in settings.LANGUAGES:
    with translation.override(_code):
        _resolver.reverse_dict  # noqa: B018
