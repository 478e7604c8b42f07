"""Alembic environment of clientcore's own revisions (run by ``upgrade`` or ``alembic``)."""

from typing import cast

from alembic import context
from alembic.runtime.environment import EnvironmentContext

from clientcore.adapters.sql.migrate import run_environment

run_environment(cast(EnvironmentContext, context))  # the module proxies the running context
