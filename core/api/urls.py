from django.urls import path

from .views_auth import (
    LogoutApi,
    MeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
    RegisterApi,
    RegisterConfirmApi,
    TokenApi,
    TokenDetailApi,
    TokenListApi,
)
from .views_representation import G28Api, RepresentationConfirmApi, RepresentationListApi, RepresentationWithdrawApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="api-register"),
    path("auth/register/confirm/", RegisterConfirmApi.as_view(), name="api-register-confirm"),
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("auth/password-reset/", PasswordResetApi.as_view(), name="api-password-reset"),
    path("auth/password-reset/confirm/", PasswordResetConfirmApi.as_view(), name="api-password-reset-confirm"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("auth/tokens/", TokenListApi.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_id>/", TokenDetailApi.as_view(), name="api-token-detail"),
    path("auth/me/", MeApi.as_view(), name="api-me"),
    path("representations/", RepresentationListApi.as_view(), name="api-representations"),
    path("representations/g28/", G28Api.as_view(), name="api-representation-g28"),
    path("representations/<int:representation_id>/confirm/", RepresentationConfirmApi.as_view(),
         name="api-representation-confirm"),
    path("representations/<int:representation_id>/withdraw/", RepresentationWithdrawApi.as_view(),
         name="api-representation-withdraw"),
]
