"""The demo: a static frontend (`server.py`) and `launcher.py`, which runs the Azure sandbox,
the service and that frontend together for `azure-signin demo` / `make run`."""
