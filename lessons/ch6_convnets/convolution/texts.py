"""Words of the convolution lesson: what each preset detects, the quiz and the speaker notes."""

from __future__ import annotations

from lessons.ch6_convnets.convolution.model import KERNEL, size_formula
from lessons.core.base import MultipleChoice, NumericQuestion

DETECTS: dict[str, str] = {
    "horizontal edges": "horizontal edges: positive where the window's top row is brighter "
    "than its bottom row, negative the other way round",
    "vertical edges": "vertical edges: positive where the window's left column is brighter "
    "than its right column",
    "Sobel (vertical edges)": "vertical edges like the plain vertical kernel, but the middle "
    "row counts twice, which smooths a little along the edge",
    "blur": "nothing in particular: it averages the 9 pixels, so the map is a softer copy of "
    "the image",
    "sharpen": "contrast: 5 times the centre minus its 4 neighbours, so a pixel that differs "
    "from its surroundings stands out more",
}


def fmt(x: float) -> str:
    """A number for $...$ math (the renderer draws the minus sign)."""
    return f"{x:.3f}"


def num(x: float) -> str:
    """A number for running text, with a true minus sign."""
    return f"{x:.3f}".replace("-", "−")


NOTES_SLIDE = (
    "Deep-learning libraries call this operation convolution, but strictly it is "
    "cross-correlation: the kernel is not flipped before it slides. Nothing changes for a "
    "network, since the kernel is learned either way. The engine lays every window out as one "
    "column of a matrix (im2col) and computes the whole map with one matrix product; the "
    "numbers on screen are read from that same product."
)

NOTES_SIZE = (
    "Padding adds a border of zeros so the kernel can also centre on edge pixels; with a 3 × 3 "
    "kernel, padding 1 and stride 1 keep the size ('same' padding in Keras). A stride of 2 "
    "skips every other position, which halves the map and the work. When (n + 2p − k) is not a "
    "multiple of s, the last pixels of the row cannot hold a full window and are dropped: hence "
    "the rounding down."
)

NOTES_RGB = (
    "A filter always spans every input channel: for an RGB input a 3 × 3 filter has "
    "3 × 3 × 3 = 27 weights (plus one bias in a real layer). The three per-channel sums are "
    "added into one number, so one filter makes one feature map whatever the number of input "
    "channels. A layer with 32 filters makes 32 maps, which are the channels of the next layer."
)

QUIZ = (
    NumericQuestion(
        "size",
        "A 28 × 28 digit, a 3 × 3 kernel, stride 2 and no padding: how many pixels wide is "
        "the feature map? (Check it with the sliders.)",
        answer=float(size_formula(28, KERNEL, 0, 2)),
        tolerance=0.0,
        explanation="⌊(28 + 0 − 3) / 2⌋ + 1 = ⌊12.5⌋ + 1 = 13: the last column cannot hold a "
        "full window.",
    ),
    NumericQuestion(
        "weights",
        "One 3 × 3 filter on an RGB image: how many weights does it have (no bias)?",
        answer=27.0,
        tolerance=0.0,
        explanation="One 3 × 3 kernel per channel: 3 × 9 = 27. Their three sums are added "
        "into one output pixel.",
    ),
    MultipleChoice(
        "blur",
        "The blur kernel (nine weights of 1/9) lies over a patch where every pixel is 0.6. "
        "What output pixel does it make?",
        ("0", "0.6", "5.4"),
        answer=1,
        explanations=(
            "0 is what an edge kernel, whose weights add up to 0, gives on a flat patch.",
            "Right: nine products of 0.6 × 1/9 add up to 0.6. Weights that add up to 1 keep "
            "flat regions as they are.",
            "That would be the sum without the 1/9 weights.",
        ),
    ),
)
