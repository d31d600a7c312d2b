"""Freed arrays go back to the system (glibc's mmap threshold is fixed, not self-raising)."""

from __future__ import annotations

import platform

import pytest

from solver.placement.memory import return_freed_arrays


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_mmap_threshold_is_set_on_glibc() -> None:
    assert return_freed_arrays() is True
