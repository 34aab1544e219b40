from django.urls import re_path

from .views import (
    LogoutView,
    MeView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
    RefreshView,
    RegisterView,
    ResendVerificationView,
    TokenView,
    VerifyEmailView,
)

# Both spellings, /api/auth/token and /api/auth/token/, with no redirect (as for items).
urlpatterns = [
    re_path(r"^auth/register/?$", RegisterView.as_view(), name="register"),
    re_path(r"^auth/token/?$", TokenView.as_view(), name="token"),
    re_path(r"^users/me/?$", MeView.as_view(), name="me"),
    re_path(r"^auth/refresh/?$", RefreshView.as_view(), name="refresh"),
    re_path(r"^auth/logout/?$", LogoutView.as_view(), name="logout"),
    re_path(r"^auth/password-reset/?$", PasswordResetView.as_view(), name="password-reset"),
    re_path(
        r"^auth/password-reset/confirm/?$",
        PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    re_path(r"^users/me/password/?$", PasswordChangeView.as_view(), name="password-change"),
    re_path(r"^auth/verify-email/?$", VerifyEmailView.as_view(), name="verify-email"),
    re_path(
        r"^auth/verify-email/resend/?$",
        ResendVerificationView.as_view(),
        name="verify-email-resend",
    ),
]
