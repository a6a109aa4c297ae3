"""/api/v1/tickets (SPEC 2.6)."""

from ninja import Router

router = Router(tags=["servicedesk"])
