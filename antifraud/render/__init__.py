"""Drawing primitives: one canvas, fonts and glyph coverage, Chinese line breaking, layout files, PNG.

Imports nothing from the domain packages; the warning poster and the rota image are drawn by
warnings/ and outreach/ with these.
"""
