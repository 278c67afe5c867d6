"""The next-items operation in the OpenAPI schema. It is a plain Django view (the labeling page's
hot path skips DRF), so drf-spectacular cannot see it; this hook describes it by hand from the same
limits the view enforces."""

from __future__ import annotations

from apps.labeling.api import MAX_PREFETCH

NEXT_ITEMS_PATH = "/api/jobs/{job_id}/next-items"

_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}


def _next_items_operation() -> dict:
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "index": {"type": "integer", "description": "the item's id on chain"},
            "media_type": {"type": "string"},
            "content_url": {"type": "string", "description": "GET it with the same session"},
            "width": {"type": "integer", "nullable": True, "description": "image pixels; null for text"},
            "height": {"type": "integer", "nullable": True, "description": "image pixels; null for text"},
        },
        "required": ["id", "index", "media_type", "content_url", "width", "height"],
    }
    return {
        "operationId": "jobs_next_items_create",
        "summary": "Lease the best-ranked items this labeler has not labelled",
        "description": (
            "Items are leased to the caller for a short time so two labelers do not both get an item that "
            "needs one more label; gold honeypots are mixed in and look like any other item."
        ),
        "tags": ["labeling"],
        "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "count": {"type": "integer", "minimum": 1, "maximum": MAX_PREFETCH, "default": 1}
                        },
                    }
                }
            }
        },
        "security": [{"cookieAuth": []}],
        "responses": {
            "200": {
                "description": "leased items, possibly none",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": item}},
                            "required": ["items"],
                        }
                    }
                },
            },
            "400": {"description": "bad count or body", "content": {"application/json": {"schema": _ERROR}}},
            "403": {
                "description": "not signed in, job not open, or labeler not admitted",
                "content": {"application/json": {"schema": _ERROR}},
            },
            "404": {"description": "unknown job", "content": {"application/json": {"schema": _ERROR}}},
        },
    }


def add_next_items(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("paths", {})[NEXT_ITEMS_PATH] = {"post": _next_items_operation()}
    return result
