"""Python's cyclic garbage collector paused around one bulk pass over a file.

A 20.000-household import keeps hundreds of thousands of objects alive (rows, cells, households, members, history
entries) and allocates millions more; every few thousand allocations the collector walks them all again, though
the pass creates no garbage cycles worth collecting before it ends. Paused, the dry run of such a file took about
28 % less CPU (docs/performance.md). Reference counting still frees everything as usual; the collector runs again,
as before, as soon as the pass ends.
"""

import gc
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused():
    """Pause the cyclic collector for the block; leave it as it was (a caller may have paused it already)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
