from tests.service_fixtures import backend, make_service, sandbox, service  # noqa: F401
