"""The test suite's database backend: the platform's own (config.database), with test databases cloned from a migrated
template and tables emptied faster between transactional tests (see base.py). ENGINE = "tests.backend" in
config/settings/test.py."""
