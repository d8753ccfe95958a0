"""gunicorn's configuration for those who start gunicorn themselves:

    gunicorn -c deploy/gunicorn.conf.py puente.wsgi:application

It sets what `puente serve` sets, from the same environment variables (docs/settings.md),
since both read puente.site.serving.gunicorn_settings. `puente serve` also refuses unsafe
settings before it starts; the WSGI application refuses the development keys either way.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
django.setup()

from puente.site.serving import gunicorn_settings  # noqa: E402

globals().update(gunicorn_settings())
