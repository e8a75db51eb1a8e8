"""The unit of work: one attributed, all-or-nothing transaction per user action."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from services.errors import DatabaseUnavailable
from services.persistence import audit as _audit  # noqa: F401  (registers the audit listeners)


@contextmanager
def unit_of_work(engine: Engine, actor: str) -> Iterator[Session]:
    """One all-or-nothing transaction, attributed to `actor`: commits on normal exit, rolls back
    on any exception (imports and form saves rely on this: nothing is half-saved). A database that
    cannot be reached, or drops the connection mid-way, raises `DatabaseUnavailable` (a plain
    message for the page), not a driver traceback."""
    if not actor or not actor.strip():
        raise PermissionError("Every write must be attributed to a named user.")
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        session.info["actor"] = actor.strip()
        try:
            yield session
            session.commit()
        except (OperationalError, InterfaceError) as exc:
            _rollback_quietly(session)
            raise DatabaseUnavailable() from exc
        except DBAPIError as exc:
            _rollback_quietly(session)
            if exc.connection_invalidated:
                raise DatabaseUnavailable() from exc
            raise
        except BaseException:
            session.rollback()
            raise


def _rollback_quietly(session: Session) -> None:
    with suppress(DBAPIError):  # the connection is gone: nothing to roll back on the server
        session.rollback()
