"""`CreateModels`: an app's initial tables in one migration operation, with one rendering of the model states.

Django re-renders, after each `CreateModel`, the new model and every model related to it, recursively
(`ProjectState.add_model` → `reload_model(delay=False)`). Nearly every model of the platform is related to the
organisation, user or product tables, so an initial migration of n models renders the project's models about n times:
that was most of a fresh `migrate` (docs/database.md). `CreateModels` adds all its model states first and renders
only them, once, into the rendered models (their relations register themselves on the models they point to, as at
Django's startup); the tables are then created one by one, as `CreateModel` creates them, and the indexes and foreign
keys the schema editor defers are created when the operation ends, so that the `RunSQL`/`RunPython` after it in the
same migration (triggers, partitioning) find the tables complete. The order of the tables inside does not matter.

Only plain `CreateModel` operations go inside, each creating its model in its final form (fields, indexes and
constraints in its options): nothing in the same batch may change a model created in it.
"""

from django.db.migrations.operations import CreateModel
from django.db.migrations.operations.base import Operation


class CreateModels(Operation):
    """Several `CreateModel` operations whose model states are added together and rendered once."""

    reduces_to_sql = True
    reversible = True
    serialization_expand_args = ["operations"]

    def __init__(self, operations):
        for operation in operations:
            if type(operation) is not CreateModel:
                raise TypeError(f"CreateModels holds CreateModel operations only, not {operation!r}")
        self.operations = list(operations)

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operations], {})

    def state_forwards(self, app_label, state):
        # Without the rendered apps in its __dict__, ProjectState.add_model only records the model state.
        rendered = state.__dict__.pop("apps", None)
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        except BaseException:
            if rendered is not None:
                state.__dict__["apps"] = rendered
            raise
        if rendered is None:
            return
        if state.is_delayed:
            # An earlier operation re-rendered a model without the models related to it (`delay=True`: Django's own
            # and third-party apps' AlterField/AddField): every RunPython would render the whole project anew
            # (`clear_delayed_apps_cache`). Rendering all of it now, once, leaves the apps consistent for what follows.
            state.is_delayed = False
            state.apps  # noqa: B018 -- renders the models
            return
        state.__dict__["apps"] = rendered
        # Only the new models are rendered, into the rendered apps: as at Django's startup, each relation registers
        # itself on the model it points to (its reverse accessor, the cleared `_meta` caches), so the models they
        # point to need not be rendered again — which `reload_models` would do, with every model related to those,
        # i.e. most of the project for each app.
        rendered.render_multiple([state.models[app_label, op.name_lower] for op in self.operations])

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for operation in self.operations:
            operation.database_forwards(app_label, schema_editor, from_state, to_state)
        # The indexes and foreign keys the schema editor deferred to the end of the migration, now: the operations
        # after this one in the same migration (partitioning a table, triggers) see the tables complete.
        for statement in schema_editor.deferred_sql:
            schema_editor.execute(statement)
        schema_editor.deferred_sql.clear()

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for operation in reversed(self.operations):
            operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def references_model(self, name, app_label):
        return any(operation.references_model(name, app_label) for operation in self.operations)

    def reduce(self, operation, app_label):
        return False

    def describe(self):
        return f"Create {len(self.operations)} models: " + ", ".join(op.name for op in self.operations)

    @property
    def migration_name_fragment(self):
        return "initial"
