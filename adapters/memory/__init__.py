"""In-process adapters for every port: the embedded default and the core tests' world."""
from adapters.memory.clock import ManualClock, SystemClock
from adapters.memory.database import MemoryDatabase
from adapters.memory.flows import MemoryFlowStore
from adapters.memory.ids import RandomIds, SequentialIds
from adapters.memory.microsoft import FakeMicrosoft
from adapters.memory.sessions import MemorySessionCache
from adapters.memory.tokens import MemoryTokenService
from adapters.memory.unit_of_work import MemoryUnitOfWork

__all__ = [
    "FakeMicrosoft",
    "ManualClock",
    "MemoryDatabase",
    "MemoryFlowStore",
    "MemorySessionCache",
    "MemoryTokenService",
    "MemoryUnitOfWork",
    "RandomIds",
    "SequentialIds",
    "SystemClock",
]
