"""Incidents: categories, validation and masking on entry, recording, spreadsheet import/export."""
