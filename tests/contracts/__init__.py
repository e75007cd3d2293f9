"""Contract suites: one per port, importable, run against every adapter of that port.

Each `...Contract` class holds the tests and declares abstract fixtures; it is not
collected by itself. To check an adapter, subclass the contract in a `test_*.py` module and
provide the fixtures (see each class's docstring):

- `tests.contracts.flow_store.FlowStoreContract`: `flow_store`, `advance`
- `tests.contracts.session_cache.SessionCacheContract`: `session_cache`, `advance`
- `tests.contracts.unit_of_work.UnitOfWorkContract`: `uow_factory`, `row_counts`
- `tests.contracts.tokens.TokenContract`: `issuer`, `verifier`, `clock`, `advance`,
  optionally `foreign_issuer`
- `tests.contracts.microsoft.IdentityGatewayContract` / `ProfileReaderContract`:
  `gateway`, `profiles`, `sign_in`, `known_username`, optionally `authority`,
  `b2c_authority`, `redirect_uri`

`advance(seconds)` makes time pass for the adapter (a manual clock's `advance`, or a real
sleep); it may return an awaitable. `row_counts()` returns committed rows per table, read
out of band; it may be async too.
"""
