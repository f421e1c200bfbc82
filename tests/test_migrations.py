"""The migrations: each squashed migration replaces its app's whole former chain (that it leaves the models' state is
`makemigrations --check`, tests/test_database.py), `CreateModels` leaves the state its `CreateModel`s leave,
migrations written on the replaced names still apply, and a database migrated by the former chain is recorded as
having the squashed migrations."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState

from common.migration_operations import CreateModels

SQUASHED = {
    "accounts": ("0001_squashed_0004_pharmacy_kind_and_role", "0004_pharmacy_kind_and_role"),
    "catalog": ("0001_squashed_0002_product_udi_di", "0002_product_udi_di"),
    "common": ("0001_squashed_0006_job_outcome_kept_as_message", "0006_job_outcome_kept_as_message"),
    "pricing": ("0001_squashed_0003_messages_kept_as_code_and_parameters", "0003_messages_kept_as_code_and_parameters"),
    "procurement": ("0001_squashed_0008_progress_run_changed_kind", "0008_progress_run_changed_kind"),
    "settlement": ("0001_squashed_0008_budgets_savings_scores", "0008_budgets_savings_scores"),
    "traceability": ("0001_squashed_0002_deliverycode_goods_return", "0002_deliverycode_goods_return"),
}


@pytest.mark.parametrize("app_label", sorted(SQUASHED))
def test_a_squashed_migration_replaces_its_app_chain(app_label):
    squashed, leaf = SQUASHED[app_label]
    loader = MigrationLoader(None, ignore_no_migrations=True)
    # the app's first migration, which every later one follows
    assert loader.graph.root_nodes(app_label) == [(app_label, squashed)]
    assert all((app_label, squashed) in loader.graph.forwards_plan(leaf) for leaf in loader.graph.leaf_nodes(app_label))
    replaces = loader.disk_migrations[app_label, squashed].replaces
    assert replaces[0] == (app_label, "0001_initial") and (app_label, leaf) in replaces
    # that it leaves the models' state is `makemigrations --check` (tests/test_database.py)


@pytest.mark.django_db
def test_the_migrations_on_disk_depend_on_no_replaced_name():
    """`sqlmigrate` (and `showmigrations --plan` without replacement) reads the graph as it is on disk, without the
    squashed migrations standing in for the names they replace: a migration of the project written on a replaced name
    breaks them (the replaced files are gone). Migrations from outside keep working through `replaces` (below)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    for app_label in SQUASHED:
        assert (app_label, SQUASHED[app_label][0]) in loader.graph.nodes
    out = io.StringIO()
    call_command("sqlmigrate", "qualifications", "0001", stdout=out)
    assert "CREATE TABLE" in out.getvalue()


class _LoaderWithProbe(MigrationLoader):
    """The migrations on disk plus one, written on the replaced leaves as a migration made before the squash is."""

    def load_disk(self):
        super().load_disk()
        probe = migrations.Migration("0099_probe", "procurement")
        probe.dependencies = [(app_label, leaf) for app_label, (_squashed, leaf) in SQUASHED.items()]
        self.disk_migrations["procurement", "0099_probe"] = probe


def test_a_migration_on_a_replaced_leaf_follows_the_squashed_one():
    graph = _LoaderWithProbe(None, ignore_no_migrations=True).graph
    assert ("procurement", "0099_probe") in graph.leaf_nodes("procurement")  # beside the later migrations
    parents = {node.key for node in graph.node_map["procurement", "0099_probe"].parents}
    assert parents == {(app_label, squashed) for app_label, (squashed, _leaf) in SQUASHED.items()}


def _created(*model_names):
    return [
        migrations.CreateModel(
            name=name,
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                *([("parent", models.ForeignKey("shop.Root", models.CASCADE))] if name != "Root" else []),
            ],
        )
        for name in model_names
    ]


def test_create_models_leaves_the_state_of_its_create_models_and_renders_them():
    one_by_one, together = ProjectState(), ProjectState()
    assert one_by_one.apps and together.apps  # rendered, as the executor has them
    for operation in _created("Root", "Leaf", "Branch"):
        operation.state_forwards("shop", one_by_one)
    CreateModels(_created("Root", "Leaf", "Branch")).state_forwards("shop", together)
    assert together.models == one_by_one.models
    root = together.apps.get_model("shop", "Root")
    assert {rel.related_model.__name__ for rel in root._meta.related_objects} == {"Leaf", "Branch"}


def test_create_models_holds_create_model_only():
    with pytest.raises(TypeError):
        CreateModels([migrations.AddField("root", "name", models.TextField())])


@pytest.mark.django_db
def test_the_test_database_records_the_squashed_migrations_as_applied():
    applied = MigrationRecorder(connection).applied_migrations()
    for app_label, (squashed, _leaf) in SQUASHED.items():
        assert (app_label, squashed) in applied
