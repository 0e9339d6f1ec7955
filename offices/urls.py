from django.urls import path

from . import views

app_name = "offices"

urlpatterns = [
    path("offices/", views.office_directory, name="directory"),
    path("offices/find/", views.office_find, name="find"),
    path("offices/<str:code>/", views.office_detail, name="detail"),
    path("contact/", views.contact_us, name="contact"),
    path("agencies/", views.agency_list, name="agencies"),
]
