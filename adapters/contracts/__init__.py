"""Contract suites: one per port, shipped in the wheel, run against every adapter of a port.

Each `...Contract` class holds the tests of one port and declares the fixtures it needs as
abstract ones; its name does not start with `Test`, so pytest never collects it on its own.
To check an adapter, subclass the contract in a `test_*.py` module (its class name starting
with `Test`) and provide the fixtures the contract's docstring names:

- `adapters.contracts.flow_store.FlowStoreContract`: `flow_store`, `advance`
- `adapters.contracts.session_cache.SessionCacheContract`: `session_cache`, `advance`
- `adapters.contracts.handoff.TokenHandoffContract`: `handoff`, `advance`, `raw_store`
- `adapters.contracts.revocation_feed.RevocationFeedContract`: `feeds`
- `adapters.contracts.unit_of_work.UnitOfWorkContract`: `uow_factory`, `row_counts`
- `adapters.contracts.tokens.TokenContract`: `issuer`, `verifier`, `clock`, `advance`,
  `foreign_issuer`
- `adapters.contracts.microsoft.IdentityGatewayContract` / `ProfileReaderContract`:
  `gateway`, `profiles`, `sign_in`, `known_username`, `disable_account`, and the
  optional `authority`, `b2c_authority`, `redirect_uri`, `b2c_username`,
  `federated_username`

`advance(seconds)` makes time pass for the adapter (a manual clock's `advance`, or a real
sleep); it may return an awaitable. `row_counts()` returns committed rows per table, read
out of band; it may be async too. A fixture a contract calls optional has a default that
skips its tests naming what goes unchecked, and fails them under `CI=true`.

The package needs pytest and pytest-asyncio (`pip install 'azure-signin[contracts]'`); the
product itself never imports it. Installing the wheel registers `adapters.contracts.plugin`
as a pytest plugin (entry point `pytest11`), which provides the fixtures every suite may
share (`manual_clock`, `contract_namespace`). docs/integrators.md is the guide.
"""
