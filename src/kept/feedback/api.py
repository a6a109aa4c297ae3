"""/api/v1/surveys (SPEC 2.6)."""

from ninja import Router

router = Router(tags=["feedback"])
