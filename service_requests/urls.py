from django.urls import path

from . import views

app_name = "service_requests"

urlpatterns = [
    path("service-requests/", views.request_list, name="list"),
    path("service-requests/new/", views.request_file, name="file"),
    path("service-requests/<str:reference_number>/", views.request_detail, name="detail"),
    path("service-requests/<str:reference_number>/filed/", views.request_filed, name="filed"),
    path("service-requests/<str:reference_number>/service-center-inquiry/", views.request_inquiry,
         {"step": "service-center-inquiry"}, name="service_center_inquiry"),
    path("service-requests/<str:reference_number>/hq-inquiry/", views.request_inquiry, {"step": "hq-inquiry"},
         name="hq_inquiry"),
    path("service-requests/<str:reference_number>/<slug:action>/", views.request_action, name="action"),
    path("staff/service-requests/", views.staff_queue, name="queue"),
    path("staff/service-requests/new/", views.request_file_for_caller, name="file_for_caller"),
    path("staff/dashboard/", views.staff_dashboard, name="dashboard"),
]
