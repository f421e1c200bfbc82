"""Province-scale benchmarks, each next to its floor; see docs/benchmarks.md. Run with `make bench` or `python -m bench`."""
