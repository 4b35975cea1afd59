"""The leaf of the project: settings and process helpers that every other package may import.

It imports nothing of the project, so nothing below the composition root reaches up into
`tdkt/` for its configuration.
"""
