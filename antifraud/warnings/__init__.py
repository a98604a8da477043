"""The daily warning: facts -> content -> text (jinja2) and poster (Pillow)."""
