"""Redis adapters (redis-py asyncio): the flow store, the session cache and the token hand-off."""
from adapters.redis.connection import RedisConnector
from adapters.redis.flows import RedisFlowStore
from adapters.redis.handoff import RedisTokenHandoff
from adapters.redis.sessions import RedisSessionCache

__all__ = ["RedisConnector", "RedisFlowStore", "RedisSessionCache", "RedisTokenHandoff"]
