"""Outreach: weekly factory talks and weekend street stalls, planned fairly, published as rotas."""
