"""Surveys (SPEC 2.6): CSAT and NPS asked after a delivery or a resolved ticket."""
