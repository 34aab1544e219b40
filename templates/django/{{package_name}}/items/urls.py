from rest_framework.routers import SimpleRouter

from .views import ItemViewSet


class OptionalSlashRouter(SimpleRouter):
    """Accepts both /api/items and /api/items/ for every method, with no redirect.

    DRF's `trailing_slash` argument only switches the slash on or off; the URL patterns are
    regular expressions, so an optional slash is set after initialisation.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("items", ItemViewSet, basename="item")

urlpatterns = router.urls
