"""The contracts app plugs into procurement here (dependencies point one way: procurement ← contracts)."""

from procurement.hooks import register_tender_awarded

from .services.generation import contracts_generate


@register_tender_awarded
def generate_for_tender(tender_id: int) -> None:
    """The award's commitments each get their draft contract, in the award's transaction."""
    contracts_generate(tender_id=tender_id)
