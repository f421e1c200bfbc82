"""Pages every portal shares, one module per area: the inbox (inbox) and long jobs' progress (jobs)."""
