from .notifications import unread_count


def inbox(request):
    """The unread count for the header badge, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": lambda: unread_count(user)}
