"""Briefings: run a news network's site and its curated daily newsletter."""

__version__ = "0.1.0"
