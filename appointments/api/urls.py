from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AppointmentViewSet, AvailabilityApi

router = SimpleRouter()
router.register("appointments", AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("offices/<str:code>/availability/", AvailabilityApi.as_view(), name="api-availability"),
    *router.urls,
]
