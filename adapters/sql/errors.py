"""Database failures, in the core's words.

Unique-key violations become `DuplicateKey` (the core re-runs its decision); anything that
says "the database cannot be reached or answered too late" becomes
`SignInError(temporarily_unavailable)`. Messages name the kind of failure only: the driver's
own text may quote parameters, which can include tokens or email addresses.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from core.errors import DuplicateKey, ErrorCode, SignInError

_UNIQUE_SQLITE = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}
# PostgreSQL SQLSTATE classes meaning "try again later": connection exceptions (08),
# insufficient resources (53), operator intervention incl. statement timeout (57),
# transaction rollback (40: serialization failure, deadlock), lock not available (55P03).
_UNAVAILABLE_CLASSES = ("08", "53", "57", "40")
_UNAVAILABLE_STATES = {"55P03"}
_UNAVAILABLE_SQLITE = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL"}


def _sqlstate(error: BaseException | None) -> str | None:
    return getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)


def _sqlite_name(error: BaseException | None) -> str:
    return getattr(error, "sqlite_errorname", "") or ""


def is_unique_violation(error: exc.DBAPIError) -> bool:
    orig = error.orig
    if _sqlstate(orig) == "23505":
        return True
    name = _sqlite_name(orig)
    return any(name.startswith(prefix) for prefix in _UNIQUE_SQLITE)


def is_unavailable(error: BaseException) -> bool:
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError | OSError | TimeoutError):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.InterfaceError):
            return True
        state = _sqlstate(error.orig)
        if state is not None:
            return state.startswith(_UNAVAILABLE_CLASSES) or state in _UNAVAILABLE_STATES
        name = _sqlite_name(error.orig)
        if name:
            return any(name.startswith(prefix) for prefix in _UNAVAILABLE_SQLITE)
        return isinstance(error, exc.OperationalError)
    return False


def translate(error: BaseException) -> BaseException | None:
    """The core's exception for a database error, or None when it is not one we map."""
    if isinstance(error, exc.IntegrityError) and is_unique_violation(error):
        return DuplicateKey("a unique key is already taken")
    if is_unavailable(error):
        return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "the database cannot be reached")
    return None


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise database errors as core errors (the original kept as `__cause__`)."""
    try:
        yield
    except (exc.SQLAlchemyError, OSError, TimeoutError) as error:
        mapped = translate(error)
        if mapped is None:
            raise
        raise mapped from error
