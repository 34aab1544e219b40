from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from .models import Item
from .pagination import LimitOffsetArrayPagination
from .serializers import ItemSerializer


@extend_schema_view(
    list=extend_schema(summary="List items, newest first"),
    create=extend_schema(summary="Create an item"),
    retrieve=extend_schema(summary="Get an item"),
    update=extend_schema(summary="Replace an item's name and description"),
    destroy=extend_schema(summary="Delete an item"),
)
class ItemViewSet(viewsets.ModelViewSet[Item]):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = LimitOffsetArrayPagination
    # PUT replaces an item; partial updates (PATCH) are not part of this API.
    http_method_names = ("get", "post", "put", "delete", "head", "options")
