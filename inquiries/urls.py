from django.urls import path

from . import views

app_name = "inquiries"

urlpatterns = [
    path("contact/guide/", views.contact_guide, name="guide"),
    path("staff/inquiries/", views.inquiry_list, name="list"),
    path("staff/inquiries/mine/", views.inquiry_list, {"mine": True}, name="mine"),
    path("staff/inquiries/new/", views.inquiry_new, name="new"),
    path("staff/inquiries/reports/", views.inquiry_reports, name="reports"),
    path("staff/inquiries/<int:pk>/", views.inquiry_detail, name="detail"),
    path("staff/inquiries/<int:pk>/<slug:action>/", views.inquiry_action, name="action"),
]
