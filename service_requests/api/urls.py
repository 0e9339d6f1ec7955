from rest_framework.routers import SimpleRouter

from .views import SavedFilterViewSet, ServiceRequestViewSet

router = SimpleRouter()
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("saved-views", SavedFilterViewSet, basename="saved-view")

urlpatterns = router.urls
