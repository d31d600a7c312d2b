"""Journeys for a scenario: snapping, times, placement-only tables, partitioned (Dask)."""
