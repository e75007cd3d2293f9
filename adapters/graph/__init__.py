"""The Microsoft Graph adapter: the signed-in person's profile, as the core's identity."""
from adapters.graph.reader import GraphProfileReader

__all__ = ["GraphProfileReader"]
