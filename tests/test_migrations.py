"""The migrations: each squashed migration leaves the state its replaced chain leaves, `CreateModels` leaves the state
its `CreateModel`s leave, migrations written on the replaced leaves still apply, and a database migrated by the
former chain is recorded as having the squashed migrations."""

import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState

from common.migration_operations import CreateModels

SQUASHED = {
    "procurement": ("0001_squashed_0005_listing_applications", "0005_listing_applications"),
    "settlement": ("0001_squashed_0005_generate_daily", "0005_generate_daily"),
}


def _app_models(state, app_label):
    return {name: model for (app, name), model in state.models.items() if app == app_label}


@pytest.mark.parametrize("app_label", sorted(SQUASHED))
def test_a_squashed_migration_leaves_the_state_of_the_chain_it_replaces(app_label):
    squashed, leaf = SQUASHED[app_label]
    chain = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    squash = MigrationLoader(None, ignore_no_migrations=True)
    assert (app_label, squashed) in squash.graph.nodes
    assert squash.disk_migrations[app_label, squashed].replaces[-1] == (app_label, leaf)
    before = _app_models(chain.project_state((app_label, leaf)), app_label)
    after = _app_models(squash.project_state((app_label, squashed)), app_label)
    assert sorted(after) == sorted(before)
    for name, model_state in before.items():
        assert after[name] == model_state, name


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
