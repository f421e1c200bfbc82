"""医保直接结算: every write use case, one module per area.

- `calendar` — China's working days (the confirmation window) and dates typed by people;
- `prepayments` — prepayments to hospitals and their even offset over the cycle;
- `corrections` — price corrections of listings (and the adjustments of lines already settled), ledger corrections;
- `statements` — the statement workflow: claim, invoices, confirm or dispute, generation on demand;
- `review` — the fund's review: approve (whole, with reductions, or in bulk) or return to the manufacturer;
- `payments` — payments to manufacturers, one by one or from a bank file;
- `deadlines` — the daily check: deemed confirmations, overdue and due-soon flags and their notices;
- `deductions` — what is withheld from each hospital each month;
- `budgets` — 总额预算: budgets, insurance claims, the monthly settlement against the budget (year end: `yearend`);
- `savings` — 结余留用 awards: assessed, reviewed, paid;
- `scores` — 综合绩效: the yearly score per hospital and what it links to.

Generation of statements is in `settlement.generation`; who may take which step of a statement is decided in
`settlement.policies`. Each function checks the user's capability and organisation, locks the rows it changes (by
pk), raises a `settlement.errors` code naming the field on a broken rule (nothing is written then), and leaves a
`StatementEvent` for each transition. The numbers policy sets (payment term, claim day, confirmation window,
prepayment floor) are read through `common.rules.settlement()`.
"""
