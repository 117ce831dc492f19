"""Offline demo network: fake member-paper websites built from Wikinews articles."""
