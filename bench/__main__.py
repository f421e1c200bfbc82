"""Runs every benchmark in bench/ and prints one table (each benchmark next to its floor)."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    names = [m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_") and m.name != "common"]
    if not names:
        print("no benchmarks yet")
        return 0
    for name in sorted(names):
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "main"):
            module.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
