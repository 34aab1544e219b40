from django.contrib import admin

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    list_display = ("name", "created_at")
    list_filter = ("created_at",)
    search_fields = ("name", "description")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
