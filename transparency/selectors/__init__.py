"""Reads of the transparency app: `public` (what anyone may see, no sign-in) and `objections` (scoped queues)."""
