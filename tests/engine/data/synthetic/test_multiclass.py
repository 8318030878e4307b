"""k-class point sets for the playground: blobs and k-arm spirals, seeded and balanced."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data.synthetic import sets as syn


@pytest.mark.parametrize("name", syn.MULTICLASS_SETS)
@pytest.mark.parametrize("k", [2, 3, 6])
def test_k_class_sets_are_balanced_seeded_and_split(name: syn.MultiClass, k: int) -> None:
    """Labels 0..k-1 in near-equal numbers; the same seed gives the same points."""
    a = syn.make_multiclass(name, 600, k, noise=0.05, test_fraction=0.5, seed=3)
    b = syn.make_multiclass(name, 600, k, noise=0.05, test_fraction=0.5, seed=3)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    labels = np.concatenate([a.y_train, a.y_test])
    assert np.bincount(labels).tolist() == [600 // k + (c < 600 % k) for c in range(k)]
    assert abs(len(a.x_test) - 300) <= k and a.x_train.dtype == np.float32
    c = syn.make_multiclass(name, 600, k, seed=4)
    assert not np.array_equal(a.x_train, c.x_train)
    assert np.abs(np.concatenate([a.x_train, a.x_test])).max() < 1.6


def test_blob_centres_lie_on_a_circle() -> None:
    """Each blob's mean is about 0.6 from the origin, one class per angle."""
    ps = syn.make_multiclass("blobs", 1200, 4, test_fraction=0.2, seed=0)
    x = np.concatenate([ps.x_train, ps.x_test])
    y = np.concatenate([ps.y_train, ps.y_test])
    radii = [np.linalg.norm(x[y == c].mean(axis=0)) for c in range(4)]
    assert np.allclose(radii, 0.6, atol=0.03)


def test_bad_class_counts_are_refused() -> None:
    """One class, or more than the palette holds, is a ValueError naming the range."""
    for k in (1, 9):
        with pytest.raises(ValueError, match="classes"):
            syn.make_multiclass("arms", 100, k)
    with pytest.raises(ValueError, match="unknown"):
        syn.make_multiclass("moons", 10)  # type: ignore[arg-type]
