"""`{% order_contracts order %}`: the contracts of the commitments an order buys against, for the order page (the
procurement template loads this library; procurement's code does not import contracts)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("contracts/_order_contracts.html", takes_context=True)
def order_contracts(context, order):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"contracts": selectors.contracts_for_order(user, order) if user is not None else []}
