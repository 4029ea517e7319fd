"""The data layer: built-in sets, CSV files, splits, shuffling and initial values.

Imports nothing else of nodeflow but its errors.
"""
from .builtin import BUILTIN, is_builtin  # noqa: F401
from .dataset import Data, default_split, load_data, resolve_source  # noqa: F401
from .split import epoch_order, fold_indices, split_indices  # noqa: F401
