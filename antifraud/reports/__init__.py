"""Reports for the station and its superiors: `antifraud stats` (counts, losses, alarms, a weekly chart)
and `antifraud report --month` (a Chinese monthly workbook and a one-page summary as PNG and PDF)."""
