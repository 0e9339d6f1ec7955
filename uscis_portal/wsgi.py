import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uscis_portal.settings.local")
application = get_wsgi_application()

# Read the ZIP code database (about 42,800 records, a second or more) while the worker boots, not
# on the first customer's request.
from offices.zipdata import zip_places  # noqa: E402

zip_places()
