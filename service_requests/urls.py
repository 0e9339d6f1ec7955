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
    path("service-requests/<str:reference_number>/take/", views.request_assignment, {"step": "take"}, name="take"),
    path("service-requests/<str:reference_number>/release/", views.request_assignment, {"step": "release"},
         name="release"),
    path("service-requests/<str:reference_number>/assign/", views.request_assignment, {"step": "assign"},
         name="assign"),
    path("service-requests/<str:reference_number>/<slug:action>/", views.request_action, name="action"),
    path("staff/service-requests/", views.staff_queue, name="queue"),
    path("staff/my-requests/", views.staff_queue, {"mine": True}, name="mine"),
    path("staff/service-requests/export.csv", views.staff_queue_export, name="queue_export"),
    path("staff/service-requests/bulk/", views.staff_queue_bulk, name="queue_bulk"),
    path("staff/service-requests/saved-views/", views.saved_filter_save, name="saved_filter_save"),
    path("staff/service-requests/saved-views/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("staff/service-requests/absence/", views.officer_absence, name="absence"),
    path("staff/service-requests/new/", views.request_file_for_caller, name="file_for_caller"),
    path("staff/dashboard/", views.staff_dashboard, name="dashboard"),
]
