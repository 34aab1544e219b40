from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotFound

from .models import Item


class StrictCharField(serializers.CharField):
    """A CharField that accepts JSON strings only: DRF's own turns 5 into "5"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ItemSerializer(serializers.ModelSerializer[Item]):
    # Trimmed first, then required to be 1-100 characters.
    name = StrictCharField(max_length=100)
    # A default (rather than "not required") makes PUT a full replace: an omitted description
    # is reset to "" instead of keeping the old one.
    description = StrictCharField(
        max_length=2000, allow_blank=True, trim_whitespace=False, default=""
    )

    class Meta:
        model = Item
        fields = ("id", "name", "description", "created_at")
        read_only_fields = ("id", "created_at")

    def update(self, instance: Item, validated_data: dict[str, Any]) -> Item:
        # Model.save() falls back to an INSERT when its UPDATE matches no row, so a PUT that
        # loses a race with a DELETE would bring the deleted item back. A conditional UPDATE
        # changes the row only if it still exists, and its row count says whether it did.
        if not Item.objects.filter(pk=instance.pk).update(**validated_data):
            raise NotFound()
        for field, value in validated_data.items():
            setattr(instance, field, value)
        return instance
