from django.urls import re_path

from .views import MeView, RegisterView, TokenView

# Both spellings, /api/auth/token and /api/auth/token/, with no redirect (as for items).
urlpatterns = [
    re_path(r"^auth/register/?$", RegisterView.as_view(), name="register"),
    re_path(r"^auth/token/?$", TokenView.as_view(), name="token"),
    re_path(r"^users/me/?$", MeView.as_view(), name="me"),
]
