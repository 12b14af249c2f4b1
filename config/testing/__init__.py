"""A test-only app (installed by config/test_settings.py, never in production): the suite's
``flush`` command, which can empty the append-only tables that PostgreSQL refuses to TRUNCATE."""
