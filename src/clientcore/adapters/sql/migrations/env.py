"""Alembic environment of clientcore's own revisions (run by ``upgrade`` or ``alembic``)."""

from alembic import context

from clientcore.adapters.sql.migrate import run_environment

run_environment(context)
