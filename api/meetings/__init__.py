"""Meetings that vote (domain/meetings.py): API and use cases."""
