"""Writes of the transparency app, one module per use case: `objections` (file, answer), `appeals` (file, decide),
`holds` (the notice period and what it holds back: awards, credit records), `deadlines` (the periodic check)."""
