"""Freed arrays handed back to the system at once, so a national run's peak is its live data.

glibc serves blocks under its (self-raising, up to 32 MB) mmap threshold from the heap, where
the chunk-sized arrays of a national solve fragment it: 1.9 GB of a half-national solve's
8.9 GB peak was freed memory the heap kept. A fixed threshold of 1 MB returns them.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: glibc's mallopt parameter for the mmap threshold (malloc.h).
_M_MMAP_THRESHOLD = -3
#: Blocks at least this large are mapped on their own and unmapped when freed.
MMAP_THRESHOLD_BYTES = 1 << 20


def return_freed_arrays(threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Map blocks of `threshold` bytes or more on their own; False where libc is not glibc."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        return False
    return bool(mallopt and mallopt(_M_MMAP_THRESHOLD, threshold) == 1)
