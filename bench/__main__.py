"""``python -m bench``: the whole suite, one table (see bench/suite.py)."""

import sys

from bench.suite import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
