from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views, views_auth, views_password, views_representation
from .health import ReadinessView

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("about/", views.about, name="about"),
    path("about/accessibility/", views.accessibility, name="accessibility"),
    path("about/privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/sent/", views.signup_sent, name="signup_sent"),
    path("accounts/signup/confirm/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", views_password.PasswordResetRequestView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", views_password.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path("accounts/password-reset/done/", views_password.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("accounts/password-reset/<uidb64>/<token>/", views_password.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/two-factor/", views_auth.two_factor, name="two_factor"),
    path("accounts/two-factor/setup/", views_auth.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/recovery-codes/", views_auth.recovery_codes_renew, name="recovery_codes"),
    path("accounts/tokens/<str:token_id>/revoke/", views_auth.token_revoke, name="token_revoke"),
    path("accounts/representation/", views_representation.representation_page, name="representation"),
    path("accounts/representation/<int:representation_id>/confirm/", views_representation.representation_confirm,
         name="representation_confirm"),
    path("accounts/representation/<int:representation_id>/withdraw/", views_representation.representation_withdraw,
         name="representation_withdraw"),
    path("staff/g28/", views_representation.g28_page, name="g28"),
]
