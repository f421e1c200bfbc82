"""`makemessages` that also extracts `_l(...)`, the name the views give gettext_lazy (column headers, labels)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
