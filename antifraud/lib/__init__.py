"""Small helpers that two or more packages need; nothing here knows about incidents, warnings or rotas."""
