"""The garbage collector and the import: the objects a process holds when it first imports, kept out of the full
collections the import's rows set off.

A worker holds about 340,000 objects the collector tracks once Django and the catalog are loaded (models, URL
patterns, translation catalogs, pypinyin's dictionaries). An import allocates objects for every row; enough of them
outlive a young collection that, in a process that has not run a full collection since it started, an import of
10,000 rows sets one off, and a full collection walks every one of those 340,000 objects: 0.15 s of the process's CPU,
a quarter of that import's (``bench.catalog_import``'s child, measured with ``gc.callbacks``). They live as long as
the process; ``gc.freeze`` moves them to the permanent generation, which full collections skip. Done once per process,
at its first import: garbage that happens to be waiting then (a cycle not yet collected) stays, once; every object
made after it is collected as before.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = False


def freeze_start_up() -> None:
    """Move the objects the process holds now out of the collector's full collections, the first time only."""
    global _frozen
    if _frozen:
        return
    with _lock:
        if not _frozen:
            gc.freeze()
            _frozen = True
