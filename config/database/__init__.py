"""The platform's database backend (PostgreSQL, and nothing else) and the embedded server it starts when
DATABASE_URL is unset. ENGINE = "config.database"; see docs/database.md."""
