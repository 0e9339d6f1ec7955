from django.urls import path

from . import views

app_name = "contact_center"

urlpatterns = [
    path("staff/lookup/", views.identity_check, name="identity_check"),
    path("staff/lookup/<int:check_id>/", views.lookup, name="lookup"),
    path("staff/case-reads/", views.case_read_report, name="case_reads"),
]
