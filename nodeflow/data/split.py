"""Which rows train, which test, and in what order: all drawn from the seed."""
from __future__ import annotations

import numpy as np

from ..errors import DataError


def split_indices(n: int, split: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle the rows from the seed; the first ``split`` share is the training set."""
    order = np.random.default_rng([seed, 0]).permutation(n)
    n_train = n if split >= 1.0 else min(n - 1, max(1, round(split * n)))
    return np.sort(order[:n_train]), np.sort(order[n_train:])


def fold_indices(n: int, k: int, folds: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """K-fold cross-validation: shuffle from the seed, cut into ``folds`` parts, test on part ``k``."""
    if not 2 <= folds <= n:
        raise DataError(f"cross-validation needs between 2 and {n} folds, not {folds}")
    parts = np.array_split(np.random.default_rng([seed, 0]).permutation(n), folds)
    test = np.sort(parts[k])
    return np.sort(np.concatenate([p for i, p in enumerate(parts) if i != k])), test


def epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The order the training samples are served in epoch ``epoch`` (0-based)."""
    return np.random.default_rng([seed, 1, epoch]).permutation(n)
