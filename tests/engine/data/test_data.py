"""Tests for engine.data.loading: DataLoader batching and shuffling, scaling, splits and k-fold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data.loading import DataLoader, Dataset, StandardScaler, k_fold, train_validation_split

pytestmark = pytest.mark.usefixtures("backend")


def _dataset(n: int = 10) -> Dataset:
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    return Dataset(x, np.arange(n))


def test_batches_cover_every_row_in_order_without_shuffle() -> None:
    """Without shuffling, batches are consecutive rows; the last may be short."""
    batches = list(DataLoader(_dataset(), batch_size=4))
    assert [list(yb) for _, yb in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(DataLoader(_dataset(), batch_size=4)) == 3


def test_drop_last_drops_the_short_batch() -> None:
    """drop_last keeps only full batches."""
    loader = DataLoader(_dataset(), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(yb) for _, yb in loader] == [4, 4]


def test_shuffle_uses_its_own_seed_and_reshuffles_each_pass() -> None:
    """Same seed, same order; each pass a new permutation; all rows every pass."""
    a = DataLoader(_dataset(), batch_size=10, shuffle=True, seed=3)
    b = DataLoader(_dataset(), batch_size=10, shuffle=True, seed=3)
    first, second = next(iter(a))[1], next(iter(a))[1]
    np.testing.assert_array_equal(first, next(iter(b))[1])
    assert not np.array_equal(first, second)
    assert sorted(first) == sorted(second) == list(range(10))


def test_augment_hook_transforms_each_batch() -> None:
    """The augmentation function receives each batch and the loader's generator."""

    def flip(xb: np.ndarray, yb: np.ndarray, rng: np.random.Generator) -> tuple:
        assert isinstance(rng, np.random.Generator)
        return -xb, yb

    xb, _ = next(iter(DataLoader(_dataset(), batch_size=3, augment=flip)))
    np.testing.assert_array_equal(xb, -np.arange(6).reshape(3, 2))


def test_dataset_and_loader_validate_their_arguments() -> None:
    """Mismatched lengths and bad batch sizes raise ValueError with the shapes."""
    with pytest.raises(ValueError, match=r"x has 3 rows.*y has 2"):
        Dataset(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_dataset(), batch_size=0)


def test_standard_scaler_centres_scales_and_inverts(rng: np.random.Generator) -> None:
    """Each column gets mean 0 and std 1; inverse_transform undoes it; constants stay finite."""
    x = rng.normal(5, 3, (100, 3))
    x[:, 2] = 7.0
    scaler = StandardScaler()
    z = scaler.fit_transform(x)
    np.testing.assert_allclose(z[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z[:, :2].std(axis=0), 1)
    np.testing.assert_array_equal(z[:, 2], 0)
    np.testing.assert_allclose(scaler.inverse_transform(z), x)
    with pytest.raises(ValueError, match="fitted on features of shape"):
        scaler.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="fit"):
        StandardScaler().transform(x)


def test_train_validation_split_holds_out_the_fraction() -> None:
    """A 0.2 split of 10 rows gives 8 + 2 rows that together are all rows."""
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    x_tr, y_tr, x_val, y_val = train_validation_split(x, y, 0.2, seed=1)
    assert len(x_tr) == 8 and len(x_val) == 2
    assert sorted([*y_tr, *y_val]) == list(range(10))
    np.testing.assert_array_equal(x_val[:, 0] // 2, y_val)
    with pytest.raises(ValueError, match="validation_split"):
        train_validation_split(x, y, 1.5)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 60), k=st.integers(2, 10), shuffle=st.booleans())
def test_k_fold_validates_every_sample_exactly_once(n: int, k: int, shuffle: bool) -> None:
    """Across the k folds each sample is validated once and trained on k - 1 times."""
    if k > n:
        with pytest.raises(ValueError, match="folds need at least"):
            k_fold(n, k)
        return
    folds = k_fold(n, k, shuffle=shuffle, seed=4)
    assert len(folds) == k
    validated = np.concatenate([val for _, val in folds])
    assert sorted(validated) == list(range(n))
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert len(set(train) & set(val)) == 0 and len(train) + len(val) == n


def test_k_fold_rejects_fewer_than_two_folds() -> None:
    """k must be at least 2."""
    with pytest.raises(ValueError, match="k must be"):
        k_fold(10, 1)


def test_a_dataset_gives_the_rows_numpy_indexing_gives() -> None:
    """Integer index arrays (taken with `take`), masks, lists, slices and single rows."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 3)).astype(np.float32), rng.integers(0, 4, 50)
    data = Dataset(x, y)
    for index in (rng.permutation(50)[:8], np.arange(5, dtype=np.uint8), x[:, 0] > 0, [3, 1], 7):
        xb, yb = data[index]
        np.testing.assert_array_equal(xb, x[index])
        np.testing.assert_array_equal(yb, y[index])
    np.testing.assert_array_equal(data[2:9][0], x[2:9])
