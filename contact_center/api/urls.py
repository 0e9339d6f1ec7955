from django.urls import path

from .views import CaseReadsApi, IdentityCheckApi, LookupApi

urlpatterns = [
    path("identity-checks/", IdentityCheckApi.as_view(), name="api-identity-checks"),
    path("identity-checks/<int:check_id>/lookup/", LookupApi.as_view(), name="api-lookup"),
    path("case-reads/", CaseReadsApi.as_view(), name="api-case-reads"),
]
