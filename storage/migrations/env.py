"""Alembic environment: the URL comes from the caller's Config (see storage/migrate.py)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from storage.db import make_engine
from storage.models import Base, UTCDateTime

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations must not import the models: our column types are written as plain
    SQLAlchemy types (UTCDateTime is DateTime(timezone=True) in the database)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Indexes only PostgreSQL has, made by hand in their migration (an operator class of an
# extension: 0021's trigram index); the models do not declare them.
_POSTGRESQL_ONLY_INDEXES = frozenset({"ix_registry_awards_search_trgm"})


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "index" and reflected and name in _POSTGRESQL_ONLY_INDEXES)


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "storage.migrate sets sqlalchemy.url"
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=Base.metadata,
            render_as_batch=conn.dialect.name == "sqlite",
            render_item=_render_item,
            include_object=_include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
