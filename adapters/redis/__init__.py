"""Redis adapters (redis-py asyncio): the flow store and the session cache."""
from adapters.redis.connection import RedisConnector
from adapters.redis.flows import RedisFlowStore
from adapters.redis.sessions import RedisSessionCache

__all__ = ["RedisConnector", "RedisFlowStore", "RedisSessionCache"]
