"""Column sizes shared by the settlement models: amounts in yuan (2 places), unit prices per minimum unit (4),
rates (4)."""

AMOUNT = {"max_digits": 16, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 14, "decimal_places": 4}
RATE = {"max_digits": 5, "decimal_places": 4}
