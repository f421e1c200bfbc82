"""Write use cases of procurement, one module per area: tenders (lifecycle, demand, bids, opening, evaluation,
awards). Each function runs in a transaction, locks what it changes and leaves an audit event."""
