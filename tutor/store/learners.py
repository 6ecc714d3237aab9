"""Learners and their API tokens, and the secrets this installation made for itself.

Every function takes the connection it works on (a transaction for writes); none commits.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from tutor.store.tables import InstanceSecret, Learner, utcnow

_learners = Learner.__table__
_secrets = InstanceSecret.__table__

_BY_ID = select(_learners.c.id).where(_learners.c.id == bindparam("learner_id"))
_BY_TOKEN = select(_learners.c.id).where(_learners.c.token_hash == bindparam("token_hash"))
_ADD = insert(_learners)
_SECRET = select(_secrets.c.value).where(_secrets.c.name == bindparam("name"))
_ADD_SECRET = insert(_secrets)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_learner_id() -> str:
    return uuid.uuid4().hex


def create(connection: Connection, *, with_token: bool) -> tuple[str, str | None]:
    """A new learner; with ``with_token``, also the API token (returned once, stored hashed)."""
    token = secrets.token_urlsafe(32) if with_token else None
    learner_id = new_learner_id()
    connection.execute(
        _ADD,
        {
            "id": learner_id,
            "token_hash": hash_token(token) if token else None,
            "created_at": utcnow(),
        },
    )
    return learner_id, token


def for_token(connection: Connection, *, token: str) -> str | None:
    """The learner a bearer token belongs to."""
    return connection.scalar(_BY_TOKEN, {"token_hash": hash_token(token)})


def exists(connection: Connection, *, learner_id: str) -> bool:
    """Whether a learner has a row (a browser learner has none until its first write)."""
    return connection.execute(_BY_ID, {"learner_id": learner_id}).first() is not None


def ensure(connection: Connection, *, learner_id: str) -> None:
    """Make the row for a browser learner, whose id lives in a signed cookie until it answers."""
    if not exists(connection, learner_id=learner_id):
        connection.execute(_ADD, {"id": learner_id, "token_hash": None, "created_at": utcnow()})


def instance_secret(connection: Connection, *, name: str) -> str:
    """A secret made once per installation and shared by every worker.

    Several workers starting at once may all try to make it: the first one's is kept, and
    the others read it back (their insert fails on the primary key, inside a savepoint).
    """
    found = connection.scalar(_SECRET, {"name": name})
    if found is not None:
        return found
    try:
        with connection.begin_nested():
            connection.execute(_ADD_SECRET, {"name": name, "value": secrets.token_urlsafe(48)})
    except IntegrityError:
        pass
    value = connection.scalar(_SECRET, {"name": name})
    assert value is not None
    return value
