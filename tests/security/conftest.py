"""Security tests run on the embedded backend (SQLite, in-process stores): what they check
lives in the web layer and the core, which are the same whatever the storage."""
import pytest

from tests.service_fixtures import make_service, sandbox, service  # noqa: F401


@pytest.fixture
def backend(tmp_path):
    return {"SIGNIN_DATABASE_URL": f"sqlite:///{tmp_path / 'signin.db'}"}
