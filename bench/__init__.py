"""Province-scale benchmarks; see README. Run with `make bench` or `python -m bench`."""
