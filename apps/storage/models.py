from django.db import models


class StoredBlob(models.Model):
    """A blob this platform put in the store: what the store itself does not keep (size, media type,
    when), and the list an operator or a cleanup job walks without listing the store."""

    cid = models.CharField(max_length=100, unique=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.cid} ({self.size} bytes)"
