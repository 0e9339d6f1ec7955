from django.urls import path

from .views_auth import LogoutApi, MeApi, RegisterApi, TokenApi, TokenDetailApi, TokenListApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="api-register"),
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("auth/tokens/", TokenListApi.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_id>/", TokenDetailApi.as_view(), name="api-token-detail"),
    path("auth/me/", MeApi.as_view(), name="api-me"),
]
