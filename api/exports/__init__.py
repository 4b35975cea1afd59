"""Exports of the lists people see (dossiers, their nominees, the awards registry) as
XLSX or CSV: the list's own query and filter, streamed, each export an audit event."""
