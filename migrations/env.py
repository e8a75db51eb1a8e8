"""Alembic environment: runs on the connection `services.persistence.database.migrate` hands over, or on
DATABASE_URL when called from the `alembic` command line."""

from alembic import context

from services.persistence.database import database_url, make_engine
from services.persistence.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
