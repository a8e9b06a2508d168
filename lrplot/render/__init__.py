"""Renderers: data (CSV/JSON), the terminal table, and figures (the only matplotlib user)."""
