"""Kept: know every customer, promise carefully, keep every promise."""

__version__ = "0.1.0"
