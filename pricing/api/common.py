"""What the pricing API modules share: validating a request body."""

from __future__ import annotations


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
