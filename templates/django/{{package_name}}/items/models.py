from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # Newest first; the id breaks ties between items created in the same instant.
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name
