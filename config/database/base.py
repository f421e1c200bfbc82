"""PostgreSQL ≥ 15, and the embedded server started on first use when the settings name one (DATABASE_URL unset)."""

from pathlib import Path

from django.core import checks
from django.db.backends.base.validation import BaseDatabaseValidation
from django.db.backends.postgresql import base, features

from .embedded import EmbeddedServer

# The oldest server the platform runs on (Debian stable's, CI's service). The SQL stays within it: nothing that needs
# 16+ (MERGE … RETURNING, JSON_TABLE, ANY_VALUE).
MINIMUM_VERSION = (15,)


class DatabaseFeatures(features.DatabaseFeatures):
    # Django refuses a connection to an older server with "PostgreSQL 15 or later is required (found …)".
    minimum_database_version = MINIMUM_VERSION


class DatabaseValidation(BaseDatabaseValidation):
    def check(self, **kwargs):
        """System check (run by migrate and `check --database default`): the server is new enough."""
        issues = super().check(**kwargs)
        found = self.connection.server_version()
        if found < MINIMUM_VERSION:
            issues.append(
                checks.Error(
                    f"PostgreSQL {found[0]}.{found[1]} is too old for the platform: it needs PostgreSQL "
                    f"{MINIMUM_VERSION[0]} or later (database '{self.connection.alias}').",
                    hint="Upgrade the server, or unset DATABASE_URL to use the embedded PostgreSQL (docs/database.md).",
                    id="database.E001",
                )
            )
        return issues


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    validation_class = DatabaseValidation

    def get_new_connection(self, conn_params):
        data_dir = self.settings_dict.get("EMBEDDED_DATA_DIR")
        if not data_dir:
            return super().get_new_connection(conn_params)
        # Connect first: the server is up nearly always, and then this costs nothing. When that fails, make sure the
        # server runs (starting it if it is down or not yet created — or finding it started meanwhile by another
        # process, which is why this does not ask who started it) and connect again; an error that was not the
        # server's (a missing database) comes back from the second attempt as it was.
        try:
            return super().get_new_connection(conn_params)
        except base.Database.OperationalError:
            EmbeddedServer(Path(data_dir)).ensure_running()
        return super().get_new_connection(conn_params)

    def server_version(self) -> tuple[int, int]:
        """(major, minor) of the server, asked on a connection of its own: the regular connection refuses an old
        server before it could be asked."""
        conn = self.get_new_connection(self.get_connection_params())
        try:
            return divmod(conn.info.server_version, 10000)
        finally:
            conn.close()
