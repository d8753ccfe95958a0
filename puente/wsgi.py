import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
application = get_wsgi_application()

# Outside debug mode, no server on the development secret key or without feedback keys.
from puente.core.checks import refuse_to_start_without_keys  # noqa: E402

refuse_to_start_without_keys()
