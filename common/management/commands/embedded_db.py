"""`manage.py embedded_db status|start|stop|url`: the embedded PostgreSQL server (DATABASE_URL unset)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.database.embedded import EmbeddedServer


class Command(BaseCommand):
    help = "Status, start or stop of the embedded PostgreSQL server (var/postgres/), used when DATABASE_URL is unset."
    # The system checks may connect to the database, which would start the server this command may be stopping.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "start", "stop", "url"])

    def handle(self, *args, action: str, **options):
        data_dir = settings.DATABASES["default"].get("EMBEDDED_DATA_DIR")
        server = EmbeddedServer(Path(data_dir)) if data_dir else EmbeddedServer()
        if action == "stop":
            stopped = server.stop()
            self.stdout.write("嵌入式 PostgreSQL 已停止" if stopped else "嵌入式 PostgreSQL 未在运行")
            return
        if data_dir is None and action != "url":
            # Stopping needs no such guard: a server left running before DATABASE_URL was set is still stopped.
            raise CommandError("DATABASE_URL is set: this process uses that server, not the embedded one")
        if action == "start":
            started = server.ensure_running()
            self.stdout.write("嵌入式 PostgreSQL 已启动" if started else "嵌入式 PostgreSQL 已在运行")
        elif action == "url":
            self.stdout.write(server.url())
        else:
            for name, value in server.status().items():
                self.stdout.write(f"{name:12} {value}")
