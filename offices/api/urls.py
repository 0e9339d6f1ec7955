from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AgencyViewSet, ContactChannelViewSet, JurisdictionApi, OfficeViewSet

router = SimpleRouter()
router.register("offices", OfficeViewSet, basename="office")
router.register("contact-channels", ContactChannelViewSet, basename="contact-channel")
router.register("agencies", AgencyViewSet, basename="agency")

urlpatterns = [
    path("jurisdiction/", JurisdictionApi.as_view(), name="api-jurisdiction"),
    *router.urls,
]
