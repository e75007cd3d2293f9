"""The load and fault harness of issue 16 (`make loadtest`, `make loadtest-smoke`): never
collected by `make test` (pytest ignores this folder; the scenarios are run as a module)."""
