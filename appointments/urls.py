from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("appointments/", views.appointment_list, name="list"),
    path("appointments/book/", views.appointment_book, name="book"),
    path("appointments/<int:pk>/", views.appointment_detail, name="detail"),
    path("appointments/<int:pk>/booked/", views.appointment_booked, name="booked"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="cancel"),
    path("appointments/<int:pk>/reschedule/", views.appointment_reschedule, name="reschedule"),
    path("appointments/<int:pk>/calendar.ics", views.appointment_calendar, name="calendar"),
    path("staff/appointments/", views.staff_day, name="staff_day"),
    path("staff/appointments/print/", views.staff_day_print, name="staff_day_print"),
    path("staff/appointments/<int:pk>/no-show/confirm/", views.staff_no_show_confirm, name="staff_no_show_confirm"),
    path("staff/appointments/<int:pk>/<slug:action>/", views.staff_action, name="staff_action"),
]
