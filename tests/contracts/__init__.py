"""The project's memory adapters run the contract suites of adapters/contracts; the suites
themselves ship in the wheel (docs/integrators.md)."""
