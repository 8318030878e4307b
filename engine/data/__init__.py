"""Data for models: Dataset and DataLoader, shipped data sets, synthetic sets, the learner's files.

`engine.data` keeps the names it had as a module (Dataset, DataLoader, StandardScaler,
train_validation_split, k_fold); the loaders live in `engine.data.loading`.
"""

from engine.data.loading import DataLoader, Dataset, StandardScaler, k_fold, train_validation_split

__all__ = ["DataLoader", "Dataset", "StandardScaler", "k_fold", "train_validation_split"]
