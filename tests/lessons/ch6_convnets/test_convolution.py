"""Lesson 6.1 (convolution): the stepped windows equal the engine's Conv2D, an independent NumPy
recomputation agrees, the size formula holds, and the click and task work."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lessons.ch6_convnets.convolution import model as m
from lessons.ch6_convnets.convolution import views as v
from lessons.ch6_convnets.convolution.lesson import Convolution
from lessons.core.base import ImageData, PlotData, TableData
from lessons.core.runner import LessonRun


def numpy_conv(image: np.ndarray, kernels: np.ndarray, s: int, p: int) -> np.ndarray:
    """Plain NumPy cross-correlation with zero padding, written without the engine."""
    padded = np.pad(image, ((0, 0), (p, p), (p, p)))
    _, hp, wp = padded.shape
    k = kernels.shape[-1]
    ho, wo = (hp - k) // s + 1, (wp - k) // s + 1
    out = np.zeros((ho, wo))
    for r in range(ho):
        for c in range(wo):
            out[r, c] = float(np.sum(padded[:, r * s : r * s + k, c * s : c * s + k] * kernels))
    return out


def images() -> list[np.ndarray]:
    return [m.mnist_digit(3), m.colour_picture(np.random.default_rng(0))]


@pytest.mark.parametrize(("stride", "padding"), list(itertools.product((1, 2, 3), (0, 1, 2))))
def test_every_window_equals_conv2d(stride: int, padding: int) -> None:
    """At every position, for grey and RGB input: patch * kernel = products, their sum is the
    Conv2D output there, and the patch is the padded input under the window."""
    for image in images():
        kernels = np.stack([m.kernel_of("Sobel (vertical edges)", ())] * len(image))
        kernels *= np.arange(1, len(image) + 1)[:, None, None]  # channels differ
        run = m.convolve(image, kernels, stride, padding)
        ho, wo = run.shape
        assert len(run.windows) == ho * wo
        for r in range(ho):
            for c in range(wo):
                w = run.window(r, c)
                assert (w.y, w.x) == (r, c)
                r0, c0 = run.origin(r, c)
                np.testing.assert_array_equal(w.patch, run.padded[:, r0 : r0 + 3, c0 : c0 + 3])
                np.testing.assert_allclose(w.products, w.patch * kernels, rtol=0, atol=1e-15)
                assert abs(float(w.products.sum()) - run.fmap[r, c]) < 1e-12


@pytest.mark.parametrize("name", m.KERNEL_NAMES)
def test_feature_map_matches_plain_numpy(name: str) -> None:
    """The engine's map equals an independent NumPy loop for every preset, grey and RGB."""
    custom = (0.5, -1, 2, 0, 3, -0.25, 1, 1, -4)
    base = m.kernel_of(name, custom)
    for image, (s, p) in itertools.product(images(), ((1, 0), (2, 1), (3, 2))):
        kernels = np.stack([base * (i + 1) for i in range(len(image))])
        run = m.convolve(image, kernels, s, p)
        np.testing.assert_allclose(run.fmap, numpy_conv(image, kernels, s, p), atol=1e-12)


def test_a_few_pixels_by_hand() -> None:
    """Three output pixels of the digit with the horizontal-edge kernel, summed explicitly."""
    img = m.mnist_digit(3)[0]
    k = m.kernel_of("horizontal edges", ())
    run = m.convolve(img[None], k[None], 1, 0)
    for r, c in ((0, 0), (10, 12), (15, 14)):
        expected = sum(img[r + i, c + j] * k[i, j] for i in range(3) for j in range(3))
        assert run.fmap[r, c] == pytest.approx(expected, abs=1e-12)
    # Horizontal edges: top row of the window minus bottom row.
    assert run.fmap[15, 14] == pytest.approx(img[15, 14:17].sum() - img[17, 14:17].sum())


@pytest.mark.parametrize(
    ("n", "p", "s", "out"),
    [
        (28, 0, 1, 26),
        (28, 1, 1, 28),
        (28, 1, 2, 14),
        (28, 0, 2, 13),
        (28, 2, 3, 10),
        (20, 0, 3, 6),
        (5, 0, 1, 3),
    ],
)
def test_output_size_formula(n: int, p: int, s: int, out: int) -> None:
    """floor((n + 2p - k) / s) + 1, and the engine's map has that size."""
    assert m.size_formula(n, 3, p, s) == out
    image = np.ones((1, n, n))
    assert m.convolve(image, np.ones((1, 3, 3)), s, p).shape == (out, out)


def test_click_picks_the_pixel_under_it() -> None:
    """A click at plot point (x, y) means output pixel (round(-y), round(x)); outside: None."""
    assert v.picked_pixel((4.2, -7.4), (26, 26)) == (7, 4)
    assert v.picked_pixel((-1.0, 1.0), (26, 26)) is None
    assert v.picked_pixel((30.0, -3.0), (26, 26)) is None


def test_explore_step_shows_the_clicked_pixel() -> None:
    """Setting the pick control (as a click does) moves the window, the table and the text."""
    run = LessonRun(Convolution, strict=True, values={"pick": (5.0, -9.0)})
    while run.next():
        pass
    step = next(s for s in run.steps_so_far() if s.title == "Click any output pixel")
    assert (step.figures["row"], step.figures["col"]) == (9, 5)
    table = step.data["sum"]
    assert isinstance(table, TableData)
    assert table.rows[-1][1] == pytest.approx(step.figures["output"])
    patch = step.data["patch"]
    assert isinstance(patch, ImageData)
    digit = m.mnist_digit(3)[0]
    np.testing.assert_array_equal(patch.image, digit[9:12, 5:8])
    window = step.data["input"]
    assert isinstance(window, PlotData)
    box = window.series[-1]
    assert (box.x.min(), box.x.max()) == (4.5, 7.5)


def test_rgb_step_adds_three_channel_sums() -> None:
    """R + G + B sums equal the engine's output pixel on the colour step."""
    run = LessonRun(Convolution, strict=True, values={"channel_weights": (1.0, -1.0, 0.5)})
    while run.next():
        pass
    step = next(s for s in run.steps_so_far() if s.title.startswith("A colour image"))
    f = step.figures
    assert f["r"] + f["g"] + f["b"] == pytest.approx(f["output"], abs=1e-12)
    assert f["g"] != 0 or f["r"] != 0


def test_task_is_done_only_for_half_width() -> None:
    """Stride 2 with padding 1 halves the 28-pixel digit; the default does not."""
    done = LessonRun(Convolution, strict=True, values={"stride": 2, "padding": 1})
    assert done.current.task is not None and done.current.task.done
    assert done.current.figures["width"] == 14
    default = LessonRun(Convolution, strict=True)
    assert default.current.task is not None and not default.current.task.done


def test_quiz_size_answer_matches_the_lesson() -> None:
    """The quiz's output size is what the lesson computes for stride 2, no padding."""
    run = LessonRun(Convolution, strict=True, values={"stride": 2, "padding": 0})
    question = next(q for q in Convolution.quiz if q.id == "size")
    assert question.check(str(run.current.figures["width"])).correct
