"""Surge detection per station and category: the CDC EARS methods on daily counts, and a weekly
Poisson limit for stations with few cases (see docs/detection.md)."""
