"""One table of the in-memory database: rows by primary key, unique indexes, and cheap
copy-on-write forks that give a unit of work its private working set."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from core.errors import DuplicateKey

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

UniqueKeys = Callable[[V], Iterable[Hashable]]
"""The values a row holds for one unique key (none, one, or several: a provider's domains)."""


class Table(Generic[K, V]):
    """Rows (frozen dataclasses) by primary key, with unique keys enforced on every write.

    `fork()` is O(1): the fork shares the rows until its first write, which copies them
    (O(rows)). The table it came from is never written again by anyone, so readers of the
    committed state and a unit's working set cannot see each other's changes.
    """

    def __init__(
        self, name: str, primary: Callable[[V], K], uniques: Mapping[str, UniqueKeys[V]] | None = None
    ) -> None:
        self.name = name
        self._primary = primary
        self._uniques = dict(uniques or {})
        self._rows: dict[K, V] = {}
        self._index: dict[tuple[str, Hashable], K] = {}
        self._owned = True

    def fork(self) -> Table[K, V]:
        twin: Table[K, V] = Table(self.name, self._primary, self._uniques)
        twin._rows, twin._index, twin._owned = self._rows, self._index, False
        return twin

    def get(self, key: K) -> V | None:
        return self._rows.get(key)

    def find(self, unique: str, value: Hashable) -> V | None:
        """The row holding `value` for unique key `unique`."""
        key = self._index.get((unique, value))
        return None if key is None else self._rows[key]

    def rows(self) -> list[V]:
        """Every row, in insertion order (a new list)."""
        return list(self._rows.values())

    def __len__(self) -> int:
        return len(self._rows)

    def insert(self, row: V) -> None:
        """Add a new row; `DuplicateKey` when its primary or any unique key is taken."""
        key = self._primary(row)
        if key in self._rows:
            raise DuplicateKey(f"{self.name}: primary key already taken")
        entries = self._unique_entries(row, key)
        self._own()
        self._rows[key] = row
        self._index.update(dict.fromkeys(entries, key))

    def replace(self, row: V) -> V:
        """Replace the row with the same primary key and return the old one; `KeyError` when
        there is none, `DuplicateKey` when the new values take another row's unique key."""
        key = self._primary(row)
        old = self._rows[key]
        entries = self._unique_entries(row, key)
        self._own()
        for entry in self._entries_of(old):
            del self._index[entry]
        self._rows[key] = row
        self._index.update(dict.fromkeys(entries, key))
        return old

    def delete(self, key: K) -> None:
        """Remove the row with primary key `key`, if any."""
        old = self._rows.get(key)
        if old is None:
            return
        self._own()
        for entry in self._entries_of(old):
            del self._index[entry]
        del self._rows[key]

    def _entries_of(self, row: V) -> list[tuple[str, Hashable]]:
        return [(name, value) for name, keys in self._uniques.items() for value in keys(row)]

    def _unique_entries(self, row: V, key: K) -> list[tuple[str, Hashable]]:
        entries = self._entries_of(row)
        if len(set(entries)) != len(entries):
            raise DuplicateKey(f"{self.name}: a row repeats one of its own unique values")
        for entry in entries:
            holder = self._index.get(entry)
            if holder is not None and holder != key:
                raise DuplicateKey(f"{self.name}: unique key {entry[0]!r} already taken")
        return entries

    def _own(self) -> None:
        if not self._owned:
            self._rows = dict(self._rows)
            self._index = dict(self._index)
            self._owned = True
