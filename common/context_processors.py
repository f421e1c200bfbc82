from .formmemory import recall
from .notifications import unread_count


def inbox(request):
    """The unread count for the header badge (counted only when a page shows it), and what the user typed into a
    form the last request refused (common.formmemory)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": lambda: unread_count(user), "form_memory": recall(request)}
