"""Model fields the apps share."""

from django_fsm import FSMField


class StatusField(FSMField):
    """A status moved by state-machine transitions (django-fsm-2's FSMField), which migrations record as the CharField it
    is in the database: the transitions and their protection are Python, the column is a varchar.

    Recorded as an FSMField, each model state that `migrate` renders (a few thousand renders for about a hundred
    models) connects a class_prepared receiver of its own, through which django-fsm collects transitions; every later
    render then calls all of them, a third of a fresh migrate's time.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)
        return name, "django.db.models.CharField", args, kwargs
