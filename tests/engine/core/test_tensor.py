"""Tests for engine.core.tensor: micrograd-style scalars, graph walking, and every op's gradient."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor, backward_steps, no_grad, topological_order

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]


def test_scalar_expression_matches_hand_derivatives() -> None:
    """A micrograd-style expression gives the value and gradients worked out by hand."""
    a = Tensor(2.0, requires_grad=True, name="a", dtype="float64")
    b = Tensor(-3.0, requires_grad=True, name="b", dtype="float64")
    c = Tensor(10.0, requires_grad=True, name="c", dtype="float64")
    e = a * b
    d = e + c
    f = Tensor(-2.0, requires_grad=True, name="f", dtype="float64")
    loss = d * f
    loss.backward()
    assert loss.item() == -8.0
    assert (a.grad, b.grad, c.grad, f.grad) == (6.0, -4.0, -2.0, 4.0)
    assert d.grad == -2.0 and e.grad == -2.0


def test_tanh_neuron_matches_micrograd_numbers() -> None:
    """The classic neuron o = tanh(x1 w1 + x2 w2 + b) has micrograd's gradients."""
    x1, x2 = Tensor(2.0, dtype="float64"), Tensor(0.0, dtype="float64")
    w1 = Tensor(-3.0, requires_grad=True, dtype="float64")
    w2 = Tensor(1.0, requires_grad=True, dtype="float64")
    b = Tensor(6.8813735870195432, requires_grad=True, dtype="float64")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.item() == pytest.approx(math.sqrt(0.5), abs=1e-12)
    assert float(w1.grad) == pytest.approx(1.0, abs=1e-9)
    assert float(w2.grad) == pytest.approx(0.0, abs=1e-12)
    assert float(b.grad) == pytest.approx(0.5, abs=1e-9)


def test_nodes_expose_op_parents_value_and_name() -> None:
    """Each node records its op and parents; Python numbers become "const" leaves."""
    a = Tensor(3.0, requires_grad=True, name="a")
    out = a * 2 + 1
    assert out.op == "add"
    mul, one = out.parents
    assert mul.op == "mul" and one.op == "const" and one.item() == 1.0
    assert mul.parents[0] is a and a.op == "input" and a.name == "a"
    assert out.item() == 7.0 and out.dtype == np.float32


def test_topological_order_lists_inputs_first_and_each_node_once() -> None:
    """A node used twice appears once, after all of its parents."""
    a = Tensor(1.5, requires_grad=True)
    b = a * a
    c = b + a
    order = topological_order(c)
    assert order[-1] is c
    assert len(order) == len({id(n) for n in order}) == 3
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)


def test_gradients_accumulate_over_uses_and_calls() -> None:
    """a + a sends gradient twice; a second backward adds to .grad until zero_grad."""
    a = Tensor(1.0, requires_grad=True)
    (a + a).backward()
    assert float(a.grad) == 2.0
    (a * 3).backward()
    assert float(a.grad) == 5.0
    a.zero_grad()
    assert a.grad is None


def test_backward_steps_show_the_chain_rule_and_equal_backward() -> None:
    """Stepping the reverse pass yields upstream, local derivative and contribution per parent."""
    a = Tensor(2.0, requires_grad=True, dtype="float64", name="a")
    b = Tensor(-3.0, requires_grad=True, dtype="float64", name="b")
    out = a * b + a
    steps = list(backward_steps(out))
    assert [s.node.op for s in steps] == ["add", "mul", "input", "input"]
    mul_step = steps[1]
    assert float(mul_step.upstream) == 1.0
    (to_a, to_b) = mul_step.parents
    assert to_a.parent is a and float(to_a.local) == -3.0 and float(to_a.contribution) == -3.0
    assert to_b.parent is b and float(to_b.local) == 2.0 and float(to_b.contribution) == 2.0
    streamed = (float(a.grad), float(b.grad))
    a.zero_grad(), b.zero_grad()
    out.backward()
    assert streamed == (float(a.grad), float(b.grad)) == (-2.0, 2.0)


def test_backward_steps_local_derivative_is_none_for_matrix_product() -> None:
    """Ops that are not elementwise report no local derivative, only contributions."""
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 1)), requires_grad=True)
    steps = list(backward_steps((x @ w).sum()))
    matmul = next(s for s in steps if s.node.op == "matmul")
    assert all(p.local is None for p in matmul.parents)
    assert matmul.parents[1].contribution.shape == (3, 1)


def test_constants_get_no_gradient() -> None:
    """Inputs without requires_grad are left alone by backward."""
    x = Tensor(np.array([1.0, 2.0]))
    w = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(to_numpy(w.grad), [1.0, 2.0])


def test_no_grad_records_no_graph() -> None:
    """Inside no_grad, results have no parents and need no gradient."""
    a = Tensor(1.0, requires_grad=True)
    with no_grad():
        b = a * 2
    assert b.parents == () and not b.requires_grad


def test_default_dtype_is_float32_and_float64_is_kept() -> None:
    """Numbers and lists become float32; float64 arrays or dtype="float64" stay float64."""
    assert Tensor(1.0).dtype == np.float32
    assert Tensor([1, 2]).dtype == np.float32
    assert Tensor(np.zeros(2)).dtype == np.float64
    assert (Tensor(1.0, dtype="float64") * 2).dtype == np.float64


# -- gradients of every op, checked against central differences in float64 --------------------


@pytest.mark.parametrize(
    ("name", "fn", "shapes"),
    [
        ("add broadcast", lambda a, b: a + b, [(3, 4), (4,)]),
        ("add column", lambda a, b: a + b, [(3, 1), (1, 4)]),
        ("sub broadcast", lambda a, b: a - b, [(2, 3), (2, 1)]),
        ("mul broadcast", lambda a, b: a * b, [(2, 3, 4), (3, 1)]),
        ("mul scalar tensor", lambda a, b: a * b, [(3,), ()]),
        ("div broadcast", lambda a, b: a / (b * b + 1.0), [(2, 3), (3,)]),
        ("radd rsub rmul", lambda a: 2.0 - (3.0 * a + 1.0), [(4,)]),
        ("rtruediv", lambda a: 1.0 / (a * a + 1.0), [(4,)]),
        ("neg", lambda a: -a, [(2, 2)]),
        ("pow", lambda a: (a * a + 1.0) ** 1.5, [(3,)]),
        ("pow integer", lambda a: a**3, [(3,)]),
        ("exp", lambda a: a.exp(), [(2, 3)]),
        ("log", lambda a: (a * a + 0.5).log(), [(2, 3)]),
        ("matmul", lambda a, b: a @ b, [(3, 4), (4, 2)]),
        ("matmul batched", lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
        ("matmul vector right", lambda a, b: a @ b, [(3, 4), (4,)]),
        ("matmul vector left", lambda a, b: a @ b, [(4,), (4, 2)]),
        ("matmul dot", lambda a, b: a @ b, [(4,), (4,)]),
        ("sum all", lambda a: a.sum(), [(2, 3)]),
        ("sum axis", lambda a: a.sum(axis=1), [(2, 3, 4)]),
        ("sum axes keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True), [(2, 3, 4)]),
        ("mean all", lambda a: a.mean(), [(2, 3)]),
        ("mean axis", lambda a: a.mean(axis=-1), [(2, 3)]),
        ("max axis", lambda a: a.max(axis=1), [(3, 4)]),
        ("max all keepdims", lambda a: a.max(keepdims=True), [(3, 4)]),
        ("reshape", lambda a: a.reshape(3, 4) * a.reshape((3, 4)), [(2, 6)]),
        ("transpose", lambda a: a.transpose(2, 0, 1), [(2, 3, 4)]),
        ("T", lambda a: a.T, [(2, 3)]),
        ("getitem slice", lambda a: a[1:, ::2], [(3, 4)]),
        ("getitem fancy repeated", lambda a: a[np.array([0, 2, 0])], [(3, 2)]),
        ("getitem mixed", lambda a: a[np.array([1, 1]), np.array([0, 2])], [(2, 3)]),
    ],
)
def test_op_gradient_matches_central_differences(
    name: str, fn: object, shapes: list[tuple[int, ...]], gradcheck: GradCheck
) -> None:
    """backward() of each op (with broadcasting) equals the numerical gradient in float64."""
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    inputs = [rng.uniform(0.5, 1.5, size) * rng.choice([-1, 1], size) for size in shapes]
    gradcheck(fn, *inputs)


def test_max_gradient_is_split_between_ties() -> None:
    """Tied maxima share the gradient equally."""
    a = Tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    a.max().backward()
    np.testing.assert_array_equal(to_numpy(a.grad), [0.0, 0.5, 0.5])


# -- bad arguments ---------------------------------------------------------------------------


def test_matmul_shape_mismatch_names_both_shapes() -> None:
    """Misaligned matrix products raise ValueError with both shapes."""
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_backward_of_non_scalar_needs_a_gradient() -> None:
    """backward() on a vector without a gradient says so."""
    a = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="explicit gradient"):
        (a * 2).backward()
    (a * 2).backward(np.ones(3))
    np.testing.assert_array_equal(to_numpy(a.grad), [2.0, 2.0, 2.0])


def test_backward_without_requires_grad_is_an_error() -> None:
    """A graph with nothing to differentiate raises ValueError."""
    with pytest.raises(ValueError, match="requires_grad"):
        (Tensor(1.0) * 2).backward()


def test_bad_reshape_transpose_pow_and_item_raise_value_error() -> None:
    """Invalid shape arguments and a tensor exponent are ValueErrors with the shapes."""
    a = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        a.reshape(4, 2)
    with pytest.raises(ValueError, match="permutation"):
        a.transpose(0, 0)
    with pytest.raises(ValueError, match="constant"):
        a ** Tensor(2.0)  # type: ignore[operator]
    with pytest.raises(ValueError, match="one value"):
        a.item()


def test_every_op_has_its_backward_beside_its_forward() -> None:
    """Each op-table entry gives local derivatives (elementwise) or one gradient per input."""
    from engine.core import ops

    assert ops.OPS and all(name == op.name for name, op in ops.OPS.items())
    for op in ops.OPS.values():
        assert (op.local is None) != (not op.grads), op.name
    a = Tensor(np.array([[1.0, -2.0]]), requires_grad=True)
    built = [a + 1, a - 1, a * 2, a / 2, -a, a**2, a.exp(), a.tanh(), a.sigmoid(), a.relu()]
    built += [a @ a.T, a.sum(), a.mean(), a.max(), a.reshape(2), a.T, a[0]]
    assert {t.op for t in built} <= set(ops.OPS)
    assert all(t._fn is ops.OPS[t.op] for t in built)
