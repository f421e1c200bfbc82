"""The platform's database backend (config.database) with three changes that only matter to a test run.

**Test databases are clones of a migrated template.** Migrating an empty database renders every model state (seconds
of CPU); copying a migrated one is a copy inside PostgreSQL (`CREATE DATABASE … TEMPLATE …`, well under a second). The
first test process that needs a test database migrates `test_<name>_tpl_<digest>` exactly as Django makes a test
database, then marks it a template nobody connects to; every test process (each xdist worker, or the only one) clones
its own database from it. The digest covers every migration file of every app, Django's version and the installed
apps, so a new or changed migration makes a new template; the templates of other digests are dropped when it is
built. A database of that name left half-built by an interrupted run (not yet marked a template) is built again, and
`pytest --create-db` drops the templates first (tests/conftest.py). Processes take turns on an advisory lock: one
migrates, the others wait for it and clone.

**The demo province is seeded once per run.** `seed_demo` takes tens of seconds; the modules that read the demo
(`demo_province`, tests/conftest.py) each had it seeded anew. The first process that needs it clones the migrated
template into `test_<name>_demo_<digest>`, seeds it and marks it a template; each process clones it once
(`<test database>_demo`, dropped at the end of the run) and each module works on that clone in a transaction rolled
back after its last test. The digest adds to the migrations' the platform's code and data
files (outside tests/, docs, templates) and today's date, on which the demo's dates depend: a changed seeder makes a
new demo template, and the older ones are dropped when it is built.

**Transactional tests empty the tables with DELETE, not TRUNCATE.** Django's flush after each transactional test
truncates every table; TRUNCATE gives each table and index a new file, and each rebuilt index is synced to disk: about
400 syncs, seconds per test on a server with fsync on (CI's). The tables of a test hold a few rows, so DELETE is cheap;
it runs with `session_replication_role = replica` so that neither the foreign keys nor the ledger's append-only
triggers (settlement/migrations/0002) object, which needs a superuser. For any other user, and when sequences are to
be reset, it is TRUNCATE as before.

**A flush leaves the database as migrated.** The rows the data migrations loaded (regions, roles, periodic tasks,
content types, permissions), serialized once the database is cloned, come back right after each flush, not only at
the start of the next test with `serialized_rollback`: the tests that follow a transactional one on a process (in
whatever order xdist deals them) find them. Django saves them one by one (an UPDATE, then an INSERT: about 1,300
statements); here each model's rows are inserted with bulk_create (raw saves send no signals worth keeping either way:
history skips raw saves).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import defaultdict
from io import StringIO
from pathlib import Path

import django
from django.conf import settings
from django.core import serializers
from django.db import transaction
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.database import base

TEMPLATE_INFIX = "_tpl_"
DEMO_INFIX = "_demo_"
OWN_NAMES: dict[str, str] = {}  # alias → the configured database's name, kept when the test database replaces it
ROOT = Path(__file__).resolve().parents[2]
# What the demo does not depend on: the tests, the docs, the pages and their assets, local state.
NOT_DEMO = {".git", ".venv", "tests", "docs", "bench", "templates", "static", "staticfiles", "locale", "var"}
DEMO_SUFFIXES = {".py", ".json", ".csv", ".tsv", ".sql", ".txt", ".xlsx", ".yaml"}


def migrations_digest() -> str:
    """What a migrated database depends on: every migration file of every app, Django's version, the apps."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for part in (django.get_version(), repr(settings.INSTALLED_APPS), repr(settings.MIGRATION_MODULES)):
        digest.update(part.encode())
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
        digest.update(Path(sys.modules[type(loader.disk_migrations[key]).__module__].__file__).read_bytes())
    return digest.hexdigest()[:12]


def demo_digest() -> str:
    """What the seeded demo depends on: the migrated schema, the platform's code and data files, today's date."""
    digest = hashlib.sha256(f"{migrations_digest()} {timezone.localdate().isoformat()}".encode())
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in NOT_DEMO and not d.startswith("."))
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in DEMO_SUFFIXES:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class DatabaseCreation(base.DatabaseWrapper.creation_class):
    def template_prefix(self) -> str:
        return f"{TEST_DATABASE_PREFIX}{self._own_name()}{TEMPLATE_INFIX}"

    def _lock_key(self) -> int:
        return int.from_bytes(hashlib.sha256(self.template_prefix().encode()).digest()[:8], "big", signed=True)

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        """A fresh clone of the template for this process, whatever keepdb says (a kept database would have lost the
        rows of the data migrations to a transactional test's flush); keepdb only keeps it at the end."""
        quote = self.connection.ops.quote_name
        clone = self._get_test_db_name()
        OWN_NAMES.setdefault(self.connection.alias, self.connection.settings_dict["NAME"])
        template = self.template_prefix() + migrations_digest()
        with self._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [self._lock_key()])
            try:
                cursor.execute("SELECT datistemplate FROM pg_database WHERE datname = %s", [template])
                row = cursor.fetchone()
                if row is None or not row[0]:  # none, or left half-built
                    self._build_template(template, verbosity)
                    self.drop_templates(cursor, keep=template)
                if verbosity >= 1:
                    self.log(f"Cloning test database {clone} from {template}…")
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(clone)}")
                cursor.execute(f"CREATE DATABASE {quote(clone)} TEMPLATE {quote(template)}")
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self._lock_key()])
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = clone
        self.connection.settings_dict["NAME"] = clone
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        self.connection.ensure_connection()
        return clone

    def demo_prefix(self) -> str:
        return f"{TEST_DATABASE_PREFIX}{self._own_name()}{DEMO_INFIX}"

    def _own_name(self) -> str:
        """The configured database's name (the test databases and templates are named after it), also once the
        connection works on a test database."""
        return OWN_NAMES.get(self.connection.alias) or self.connection.settings_dict["NAME"]

    def create_demo_clone(self) -> str:
        """This process's database with the demo province: a clone of the demo template, which the first process to
        need it seeds (tests/conftest.py `demo_province` works on it in a transaction rolled back after each module)."""
        quote = self.connection.ops.quote_name
        template, clone = self.demo_prefix() + demo_digest(), f"{self.connection.settings_dict['NAME']}_demo"
        with self._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [self._lock_key()])
            try:
                cursor.execute("SELECT datistemplate FROM pg_database WHERE datname = %s", [template])
                row = cursor.fetchone()
                if row is None or not row[0]:
                    self._build_demo_template(cursor, template)
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(clone)}")
                cursor.execute(f"CREATE DATABASE {quote(clone)} TEMPLATE {quote(template)}")
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self._lock_key()])
        return clone

    def drop_database(self, name: str) -> None:
        with self._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {self.connection.ops.quote_name(name)}")

    def _build_demo_template(self, cursor, template: str) -> None:
        """Seed the demo on a clone of the migrated template, then mark it a template (older demo templates go)."""
        from django.core.management import call_command  # a backend loads before the app registry

        quote = self.connection.ops.quote_name
        migrated = self.template_prefix() + migrations_digest()
        self.drop_templates(cursor, prefix=self.demo_prefix())
        cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(migrated)}")
        test_name = self.connection.settings_dict["NAME"]
        self.switch_to(template)
        try:
            # Every statement logged, as `make run` does (DEBUG): the log formats each statement with its parameters,
            # which fails on a stray % that the database itself would have accepted.
            with CaptureQueriesContext(self.connection):
                call_command("seed_demo", "--quiet-logins", stdout=StringIO())
        finally:
            self.switch_to(test_name)
        cursor.execute(f"ALTER DATABASE {quote(template)} IS_TEMPLATE true ALLOW_CONNECTIONS false")

    def switch_to(self, name: str) -> None:
        """The connection works on database `name` from its next query."""
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        _forget_content_types()

    def _build_template(self, template: str, verbosity: int) -> None:
        """Migrate `template` as Django makes a test database (migrate, cache table), then mark it a template."""
        own_name, test_settings = self.connection.settings_dict["NAME"], self.connection.settings_dict["TEST"]
        clone_name = test_settings.get("NAME")
        if verbosity >= 1:
            self.log(f"Migrating the template test database {template}…")
        test_settings["NAME"] = template
        try:
            super().create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
        finally:
            test_settings["NAME"] = clone_name
            self.connection.close()
            settings.DATABASES[self.connection.alias]["NAME"] = own_name
            self.connection.settings_dict["NAME"] = own_name
        with self._nodb_cursor() as cursor:
            cursor.execute(
                f"ALTER DATABASE {self.connection.ops.quote_name(template)} IS_TEMPLATE true ALLOW_CONNECTIONS false"
            )

    def drop_templates(self, cursor, keep: str = "", prefix: str = "") -> None:
        """Drop this database's templates (but `keep`): those of older migrations, or all to build anew."""
        quote = self.connection.ops.quote_name
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
            [(prefix or self.template_prefix()).replace("_", r"\_") + "%", keep],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"ALTER DATABASE {quote(name)} IS_TEMPLATE false")
            cursor.execute(f"DROP DATABASE {quote(name)}")

    def drop_all_templates(self) -> None:
        with self._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [self._lock_key()])
            try:
                self.drop_templates(cursor)
                self.drop_templates(cursor, prefix=self.demo_prefix())
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self._lock_key()])

    def deserialize_db_from_string(self, data):
        """Django's reload of the serialized rows, with each model's rows in one INSERT."""
        alias = self.connection.alias
        rows, one_by_one = defaultdict(list), []
        for obj in serializers.deserialize("json", StringIO(data), using=alias):
            if obj.m2m_data or obj.deferred_fields or obj.object._meta.parents:
                one_by_one.append(obj)
            else:
                rows[type(obj.object)].append(obj.object)
        with transaction.atomic(using=alias), self.connection.constraint_checks_disabled():
            for model, objects in rows.items():
                # The rows are there still before the first transactional test (Django's saves update them then).
                model._base_manager.using(alias).bulk_create(objects, ignore_conflicts=True)
            for obj in one_by_one:
                obj.save()
            self.connection.check_constraints(
                table_names=[model._meta.db_table for model in rows] + [o.object._meta.db_table for o in one_by_one]
            )
        _forget_content_types()  # the restored rows' ids, not those of rows a flush removed


def _forget_content_types() -> None:
    from django.contrib.contenttypes.models import ContentType  # a backend loads before the app registry

    ContentType.objects.clear_cache()


class DatabaseOperations(base.DatabaseWrapper.ops_class):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or not self._superuser():
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [
            "SET LOCAL session_replication_role = replica",
            *(f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}" for table in tables),
            "SET LOCAL session_replication_role = origin",
        ]

    def execute_sql_flush(self, sql_list):
        """A flushed test database is left as migrated: the rows the data migrations loaded come back right away, so
        that whatever test follows a transactional one (on an xdist process, in any order) finds them. The content
        types cached by this process are forgotten: their rows were removed, or replaced."""
        super().execute_sql_flush(sql_list)
        contents = getattr(self.connection, "_test_serialized_contents", None)
        if contents:
            self.connection.creation.deserialize_db_from_string(contents)
        _forget_content_types()

    def _superuser(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            return cursor.fetchone()[0]


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    ops_class = DatabaseOperations
