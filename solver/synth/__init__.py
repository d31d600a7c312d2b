"""Synthetic instances for tests, demos and benchmarks."""
