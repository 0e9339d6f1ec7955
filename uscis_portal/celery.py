import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uscis_portal.settings.local")

app = Celery("uscis_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
