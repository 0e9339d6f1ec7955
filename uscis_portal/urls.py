from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The directory first: GET /api/v1/jurisdiction/ is the busiest public answer, and the resolver tries the
# patterns in order (no two of these apps' paths overlap).
api_v1 = [
    path("", include("offices.api.urls")),
    path("", include("core.api.urls")),
    path("", include("appointments.api.urls")),
    path("", include("service_requests.api.urls")),
    path("", include("inquiries.api.urls")),
    path("", include("contact_center.api.urls")),
]

urlpatterns = [
    # The API first: its requests are then resolved without trying every page pattern (~15 % of a
    # jurisdiction lookup's time); no page path starts with api/.
    path("api/v1/", include(api_v1)),
    path("", include("core.urls")),
    path("", include("offices.urls")),
    path("", include("appointments.urls")),
    path("", include("service_requests.urls")),
    path("", include("inquiries.urls")),
    path("", include("contact_center.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Prometheus scrapes /metrics (django-prometheus' counters and latency, our outbox and sweep gauges).
    path("", include("django_prometheus.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from a URL, so the page needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="core/swagger_ui.html"),
         name="api-docs"),
]

# Errors outside a view's control: 503 + Retry-After while the database is away, API errors as JSON.
handler500 = "core.error_views.server_error"
handler404 = "core.error_views.page_not_found"
