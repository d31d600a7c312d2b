"""Vocabulary and table schemas: no files, no solvers."""
