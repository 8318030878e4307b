"""Words of lesson 6.2: each step's narrative built from the engine's numbers, notes and quiz."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lessons.ch6_convnets.relu_pooling import model as m
from lessons.core.base import MultipleChoice

CELL = ("top left", "top right", "bottom left", "bottom right")


def _n(x: float) -> str:
    """A whole number for $...$ math."""
    return f"{x + 0.0:.0f}"


def feature_text(label: int, kernel: str, z: np.ndarray) -> str:
    neg = int(np.count_nonzero(z < 0))
    pos = int(np.count_nonzero(z > 0))
    return (
        f"This is a real handwritten {label} from the 8x8 digits set (top left), each pixel an "
        f"intensity from 0 to 16. The engine slides the 3x3 kernel <i>{kernel}</i> (bottom "
        "right) over it with one ring of zero padding, so the feature map $z$ (top right) is "
        "8x8 too: $z_{yx} = \\sum_{i,j} k_{ij}\\, x_{y+i-1,\\,x+j-1}$. An edge kernel answers "
        f"with a sign: {pos} cells are positive, {neg} negative (marked 1 bottom left), from "
        f"${_n(float(z.min()))}$ to ${_n(float(z.max()))}$."
    )


def relu_text(z: np.ndarray) -> str:
    neg = int(np.count_nonzero(z < 0))
    zero = int(np.count_nonzero(z == 0))
    return (
        "ReLU keeps a positive cell and replaces everything else by 0: $a = \\max(0, z)$. "
        f"Here it zeroed {neg} of the 64 cells (marked bottom left); {zero} were already 0 and "
        f"{64 - neg - zero} passed unchanged. For an edge kernel this keeps one sign of "
        "answer (for Sobel and Prewitt: edges going dark to bright) and drops the other; the "
        "negative half carried no less information, it is simply not passed on."
    )


def pool_text(
    window: np.ndarray, at: tuple[int, int], p: np.ndarray, won: np.ndarray, a: np.ndarray
) -> str:
    flat = window.reshape(-1)
    k = int(np.argmax(flat))
    ties = int(np.count_nonzero(flat == flat[k]))
    tie = (
        f" {ties} cells share that maximum; like argmax, the engine lets the first one win."
        if ties > 1
        else ""
    )
    return (
        "Max pooling cuts $a$ into 2x2 windows that do not overlap and keeps the largest value "
        "of each: $P_{rc} = \\max_{i,j \\in \\{0,1\\}} a_{2r+i,\\,2c+j}$. "
        f"The boxed window ({at[0]}, {at[1]}) holds "
        + ", ".join(_n(float(v)) for v in flat)
        + f"; its {CELL[k]} cell wins with {_n(float(flat[k]))}.{tie} Bottom left marks "
        f"each window's winner: {int(won.sum())} winners, one per window, become the 4x4 map "
        "$P$ (bottom right)."
    )


def route_text(b: m.Backward, won: np.ndarray) -> str:
    nonzero = int(np.count_nonzero(b.grad_a))
    return (
        "Backward now. Say the layers above compute $L = \\sum_{rc} V_{rc} P_{rc}$ with the "
        "whole-number weights $V$ (bottom right); the engine's backward pass gives "
        f"$\\partial L / \\partial P = V$ (here $L = {_n(b.loss)}$). A window's maximum only "
        "depends on its winner, so the winner receives $V_{rc}$ and its three neighbours "
        f"receive 0. In $\\partial L / \\partial a$ (top right) only {nonzero} of 64 cells are "
        f"non-zero, all of them winners (marked bottom left)."
    )


def relu_back_text(b: m.Backward, won: np.ndarray, z: np.ndarray) -> str:
    blocked = int(np.count_nonzero(won & (z <= 0)))
    passed = int(np.count_nonzero(b.grad_z))
    why = (
        f" {blocked} winners had $z \\le 0$: their window was all zeros after ReLU, the first "
        "cell won the tie, and ReLU stops its gradient, so nothing of it reaches the kernel."
        if blocked
        else " Every winner here had $z > 0$, so ReLU lets all of them through."
    )
    return (
        "ReLU's slope is 1 where $z > 0$ and 0 elsewhere, so $\\partial L / \\partial z = "
        "\\partial L / \\partial a \\cdot [z > 0]$. Bottom left: the winners whose $z > 0$; "
        f"{passed} cells of $\\partial L / \\partial z$ (top right) are "
        f"non-zero.{why} From here the convolution's backward turns it into the kernel's "
        "gradient."
    )


def _relative(after: np.ndarray, before: np.ndarray) -> float:
    """|after - before| / |before| (Frobenius norms over the whole batch)."""
    return float(np.linalg.norm(after - before)) / max(float(np.linalg.norm(before)), 1e-12)


@dataclass(frozen=True)
class ShiftStats:
    """How many values a shift leaves in place, in the ReLU map and in the pooled map."""

    kept_pool: int  # this digit: non-zero pooled values equal after the shift
    of_pool: int  # this digit: non-zero pooled values before the shift
    kept_map: int  # this digit: non-zero ReLU-map values equal after the shift
    of_map: int
    all_pool: float  # over the whole set: fraction of non-zero pooled values kept
    all_map: float  # over the whole set: fraction of non-zero ReLU-map values kept
    change_pool: float  # over the whole set: |P' - P| / |P|
    change_map: float  # over the whole set: |a' - a| / |a|
    digits: int

    @staticmethod
    def measure(f: m.Forward, fs: m.Forward, every: m.Forward, moved: m.Forward) -> ShiftStats:
        def kept(before: np.ndarray, after: np.ndarray) -> tuple[int, int]:
            live = before > 0
            return int(np.count_nonzero(live & (after == before))), int(np.count_nonzero(live))

        kp, op = kept(f.p, fs.p)
        km, om = kept(f.a, fs.a)
        ap, np_ = kept(every.p, moved.p)
        am, nm = kept(every.a, moved.a)
        return ShiftStats(
            kp,
            op,
            km,
            om,
            ap / max(np_, 1),
            am / max(nm, 1),
            _relative(moved.p, every.p),
            _relative(moved.a, every.a),
            int(every.a.shape[0]),
        )

    def figures(self) -> dict[str, float]:
        return {
            "kept_pool": self.kept_pool,
            "of_pool": self.of_pool,
            "kept_map": self.kept_map,
            "of_map": self.of_map,
            "all_pool": self.all_pool,
            "all_map": self.all_map,
            "change_pool": self.change_pool,
            "change_map": self.change_map,
        }


def same_caption(p: np.ndarray, ps: np.ndarray) -> str:
    """Caption: how many non-zero pooled values a shift left unchanged."""
    kept = int(np.count_nonzero((ps == p) & (p > 0)))
    return f"{kept} of {int(np.count_nonzero(p > 0))} non-zero values unchanged"


def shift_text(shift: str, s: ShiftStats) -> str:
    """Step 6: size and shift tolerance, with the verdict read off the measured fractions."""
    if s.all_pool > s.all_map:
        part = "most" if s.all_pool > 0.5 else "only part"
        verdict = f"Tolerance to small shifts, then, for {part} of the values, not all."
    else:
        verdict = "Here pooling kept no more values than the map itself."
    return (
        f"Pooling makes the map 4 times smaller: 64 numbers become 16. Moved {shift}, this "
        f"digit keeps {s.kept_pool} of its {s.of_pool} non-zero pooled values exactly, the "
        f"ReLU map only {s.kept_map} of {s.of_map}. Over all {s.digits} digits: "
        f"{s.all_pool:.0%} of pooled values kept against {s.all_map:.0%}; relative change "
        f"$\\|P' - P\\| / \\|P\\| = {s.change_pool:.2f}$, for $a$ {s.change_map:.2f}. {verdict}"
    )


FEATURE_NOTES = (
    "The digits are scikit-learn's 8x8 set (1,797 scans from the UCI repository), kept at their "
    "raw intensities 0..16 so that every cell of every map is a whole number you can read. The "
    "kernel is applied as deep-learning frameworks do, without flipping it "
    "(cross-correlation). Zero padding of one pixel keeps the map at 8x8, Keras's "
    "padding='same'. Lesson 6.1 takes the convolution itself apart; here it is only the "
    "source of a realistic feature map with both signs."
)
RELU_NOTES = (
    "In a real network the convolution has many kernels and a bias; ReLU is applied to each "
    "feature map cell by cell. The negative answers are not lost to the network as a whole: a "
    "second kernel with the opposite sign would detect the opposite edge. The zeros are what "
    "make the next step interesting: a window of four zeros still has to pick a winner."
)
POOL_NOTES = (
    "Pool size 2 and stride 2 (Keras's MaxPooling2D() default): windows tile the map without "
    "overlap, so an 8x8 map becomes 4x4. Pooling has no weights to learn. The engine computes "
    "it as four strided views of the map, one per window offset, and takes their element-wise "
    "maximum; the winners are the cells equal to the maximum, the first one on a tie "
    "(MaxPooling2D.winners). Hover a cell to read its exact value."
)
ROUTE_NOTES = (
    "The loss L = sum(V * P) stands in for the rest of a network (dense layers, softmax, "
    "cross-entropy), which would hand back some upstream gradient dL/dP; whole-number weights "
    "keep every number short. Whatever dL/dP is, max pooling's backward copies each entry "
    "to the winning cell of its window and writes 0 to the other three: the derivative of "
    "max(u1, u2, u3, u4) is 1 for the largest u and 0 for the rest. Average pooling, by "
    "contrast, would give each of the four cells a quarter. The tests check these numbers "
    "against a NumPy recomputation and central differences."
)
RELU_BACK_NOTES = (
    "ReLU's derivative at exactly 0 is a convention; the engine uses 0 (z > 0 passes). The "
    "gradient that survives flows on into the convolution, where it becomes the kernel's "
    "gradient: each kernel weight collects the surviving gradients times the input pixels "
    "under it. Only a quarter of the cells at most carry gradient after max pooling, and "
    "ReLU can remove more: that is why a feature map's gradient is so sparse."
)
SHIFT_NOTES = (
    "The shift moves every pixel by one and fills the incoming row or column with zeros. The "
    "ReLU map moves along with the digit, so at a fixed position almost every non-zero value "
    "changes. A pooled value stays the same when its window's maximum is still inside the "
    "same window after the move and nothing larger moves in; with 2x2 windows and a one-pixel "
    "move that happens for part of the windows, not all. Larger pools, or pooling again after "
    "the next convolution, widen this tolerance; a shift of 2 pixels moves every window's "
    "content to the next window."
)

QUIZ = (
    MultipleChoice(
        "route",
        "A 2x2 window holds 3, 0, 7, 2 after ReLU and its pooled output receives gradient 5. "
        "What do the four cells receive?",
        ("5/4 each", "5 each", "5 for the cell holding 7, 0 for the others"),
        2,
        (
            "That is average pooling's rule, not max pooling's.",
            "Only one cell decided the output; the other three did not affect it.",
            "Right: the maximum depends only on its winner, so only the winner gets gradient.",
        ),
    ),
    MultipleChoice(
        "zeros",
        "All four cells of a window had $z < 0$, so after ReLU they are all 0. Does any of the "
        "window's gradient reach the kernel?",
        (
            "Yes, shared equally among the four cells",
            "No: the first cell wins the tie, but ReLU's slope at $z < 0$ is 0",
            "Yes, all of it goes to the first cell and on to the kernel",
        ),
        1,
        (
            "Max pooling never shares; it picks one winner.",
            "Right: the pool routes it to the first cell, and ReLU blocks it there.",
            "The pool does send it to the first cell, but ReLU stops it.",
        ),
    ),
    MultipleChoice(
        "size",
        "2x2 max pooling with stride 2 on an 8x8 feature map: how many numbers come out, and "
        "at most how many of the 64 cells get a non-zero gradient back?",
        ("16 and 16", "16 and 64", "32 and 16"),
        0,
        (
            "Right: one number and one winner per window, 16 windows.",
            "Only a window's winner gets gradient, one cell per window.",
            "8x8 / (2x2) = 16 windows.",
        ),
    ),
)
