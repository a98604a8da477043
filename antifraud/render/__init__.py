"""Drawing posters: fonts with fallbacks and Chinese line breaking."""
