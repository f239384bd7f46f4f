"""Growable column stores (numpy arrays with spare capacity): the simulation's registries of patients and stays."""

from __future__ import annotations

import numpy as np


class Columns:
    """Named numpy columns of one length that grow by appending (capacity doubles)."""

    def __init__(self, spec: dict[str, tuple[np.dtype, tuple[int, ...]]], capacity: int = 16):
        self._spec = spec
        self._data = {name: np.zeros((max(16, capacity), *shape), dtype=dtype) for name, (dtype, shape) in spec.items()}
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][: self.size]

    def names(self) -> tuple[str, ...]:
        return tuple(self._spec)

    def append(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """Append rows (every column given); returns their indices."""
        n = len(next(iter(values.values())))
        need = self.size + n
        capacity = len(next(iter(self._data.values())))
        if need > capacity:
            grown = max(need, capacity + capacity // 2)  # 1.5x: large runs preallocate (``capacity``) anyway
            for name, array in self._data.items():
                bigger = np.zeros((grown, *array.shape[1:]), dtype=array.dtype)
                bigger[: self.size] = array[: self.size]
                self._data[name] = bigger
        for name in self._spec:
            self._data[name][self.size : need] = values[name]
        index = np.arange(self.size, need)
        self.size = need
        return index

    def set(self, name: str, index: np.ndarray | tuple[np.ndarray, int], values: np.ndarray | int) -> None:
        self._data[name][index] = values

    def export(self) -> dict[str, np.ndarray]:
        return {name: self[name].copy() for name in self._spec}

    @classmethod
    def restore(cls, spec: dict[str, tuple[np.dtype, tuple[int, ...]]], data: dict[str, np.ndarray]) -> Columns:
        store = cls(spec)
        if data:
            store.append(data) if len(next(iter(data.values()))) else None
        return store
