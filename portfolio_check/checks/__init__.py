"""Checks: pure functions over the extracted portfolio and the catalogue, returning findings."""
