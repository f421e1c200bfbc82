"""Pages: `public` (no sign-in) and `objections` (companies, officials, supervisors)."""
