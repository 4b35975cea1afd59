"""The statistics report forms to Bộ Nội vụ (domain/report_forms.py): computed for a year
and a scope, written as XLSX, converted to PDF."""
