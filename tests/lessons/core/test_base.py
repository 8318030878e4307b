"""Control specs validate input with clear messages; quiz questions check answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons.core.base import (
    BarData,
    Choice,
    MultipleChoice,
    NumericQuestion,
    Series,
    Slider,
    TableData,
    Toggle,
    Values,
    Vector,
)


def test_slider_accepts_numbers_in_range_and_refuses_the_rest() -> None:
    """Strings that are numbers are accepted; NaN, text and out-of-range values are not."""
    s = Slider("lr", "Learning rate", 0.001, 1.0, default=0.1, log=True)
    assert s.validate("0.5") == 0.5
    for bad, message in (
        (2, "outside"),
        ("fast", "not a number"),
        (math.nan, "not a finite"),
        (None, "not a number"),
    ):
        with pytest.raises(ValueError, match=message):
            s.validate(bad)


def test_integer_slider_rounds() -> None:
    """Integer sliders give ints."""
    assert Slider("n", "Neurons", 1, 8, default=4, integer=True).validate(3.6) == 4


def test_bad_specs_are_refused_when_declared() -> None:
    """A lesson author gets an error for an impossible spec."""
    with pytest.raises(ValueError):
        Slider("x", "X", 1.0, 0.0, default=0.5)
    with pytest.raises(ValueError):
        Slider("x", "X", 0.0, 1.0, default=0.5, log=True)
    with pytest.raises(ValueError):
        Choice("c", "C", ("a", "b"), default="z")


def test_choice_toggle_vector_validation() -> None:
    """Each control kind canonicalises good input and names itself in errors."""
    c = Choice("act", "Activation", ("relu", "tanh"))
    assert c.initial == "relu" and c.validate("tanh") == "tanh"
    with pytest.raises(ValueError, match="Activation: 'elu' is not one of"):
        c.validate("elu")
    t = Toggle("m", "Momentum")
    assert t.validate("on") is True and t.validate(0) is False
    with pytest.raises(ValueError):
        t.validate("maybe")
    v = Vector("z", "Scores", default=(1.0, 2.0), min_length=2, max_length=4)
    assert v.validate("1, 2.5; 3") == (1.0, 2.5, 3.0)
    with pytest.raises(ValueError, match="needs 2 to 4 numbers"):
        v.validate([1.0])
    with pytest.raises(ValueError, match="'x' is not a number"):
        v.validate("1, x")


def test_values_read_as_attributes() -> None:
    """Lessons read ``c.name``; unknown names raise AttributeError."""
    values = Values((Slider("lr", "LR", 0.0, 1.0, default=0.1),), {"lr": "0.2"})
    assert values.lr == 0.2 and dict(values) == {"lr": 0.2}
    with pytest.raises(AttributeError):
        _ = values.momentum


def test_multiple_choice_and_numeric_questions() -> None:
    """Right and wrong answers get the explanation; garbage gets a prompt."""
    q = MultipleChoice("q", "?", ("a", "b"), answer=1, explanations=("no", "yes"))
    assert q.check(1).correct and q.check(1).text == "yes"
    assert not q.check(0).correct and q.check(0).text == "no"
    assert not q.check("x").correct and not q.check(7).correct
    n = NumericQuestion("n", "?", answer=0.88, tolerance=0.01)
    assert n.check("0,885").correct and not n.check("0.9").correct
    assert not n.check("abc").correct and not n.check("inf").correct


def test_data_objects_check_their_shapes() -> None:
    """Mismatched lengths are caught where the data is made."""
    with pytest.raises(ValueError):
        BarData(np.array([1.0, 2.0]), ("a",))
    with pytest.raises(ValueError):
        Series("s", np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        TableData(("a", "b"), ((1,),))
