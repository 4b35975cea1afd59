"""Delegations (ủy quyền, giao quyền): the API and its service."""
