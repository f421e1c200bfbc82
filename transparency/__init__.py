"""Transparency: public pages and API of tenders and listings (no sign-in), the public notice period of candidate
results, objections (异议) and appeals (申诉) against results and credit records."""
