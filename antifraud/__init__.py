"""antifraud: anti-fraud early warning and outreach for community police rooms."""

__version__ = "0.1.0"
