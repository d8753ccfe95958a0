# Spanish as written across most of the response's countries (Colombia, Argentina, Chile,
# Ecuador, Uruguay, Paraguay, Bolivia, Venezuela): 1.297.760,5. Django's generic Spanish
# format uses a non-breaking space for thousands, which partners do not type or read.
from django.conf.locale.es.formats import *  # noqa: F403

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
