"""Lesson 4.7's narrative: every sentence that states a result is built from the run's numbers.

The verdicts ("sharper", "about as flat", "falls without a bump") come from :func:`compare`
and :func:`bumps`, so the text never claims what the numbers on screen do not show.
"""

from __future__ import annotations

import numpy as np

from lessons.ch4_training.loss_landscapes import model as m
from lessons.ch4_training.loss_landscapes import slices as sl
from lessons.markup.numbers import plain, tex

SAME = 0.2  # two values within 20% of the larger one count as "about the same"
FLOOR = 0.025  # ... and so do two losses closer than this (noise of 150 validation points)
WIGGLE = 0.002  # a rise smaller than this along the line is rounding, not a bump
CLOSE = 0.15  # the plane's loss "nearly matches" within this share of the real loss's range


def compare(a: float, b: float) -> int:
    """+1 if a is clearly larger than b, -1 if clearly smaller, 0 if about the same."""
    if abs(a - b) <= max(SAME * max(abs(a), abs(b)), FLOOR):
        return 0
    return 1 if a > b else -1


def percent(x: float) -> str:
    return f"{100 * x:.2g}%" if x < 0.01 else f"{100 * x:.1f}%"


def intro(ex: m.Experiment, params: int, plane: sl.Plane) -> str:
    s = ex.small
    return (
        f"This network has {params} weights and biases, so its loss is a landscape over "
        f"{params} dimensions. After {m.EPOCHS} epochs (batches of {s.batch}) its training "
        f"loss is {plain(s.end.train, 3)} and its validation loss {plain(s.end.val, 3)}. We can "
        "only look at slices: two directions $\\delta$ and $\\eta$ and the loss "
        "$$L(\\theta_1 + \\alpha\\delta + \\beta\\eta)$$ on a grid of $\\alpha, \\beta$. "
        f"The trained weights $\\theta_1$ sit at the centre (the star); towards the edges the "
        f"loss climbs to {plain(float(np.nanmax(plane.losses)), 3)}."
    )


INTRO_NOTES = (
    "A loss landscape is the loss as a function of all the weights at once. With two weights "
    "it is a surface you can draw (lesson 1.1); with hundreds it is a surface in hundreds of "
    "dimensions, and every picture of it is a cut through it. The grid is evaluated by the "
    "engine in batches: each layer computes the outputs for many weight settings with one "
    "stacked matrix product. The 3-D view turns with the mouse (drag), zooms with the wheel "
    "or + and -, and turns with the arrow keys. Change the number of grid points or the size "
    "of the square with the controls; the trained network is reused, only the slice is "
    "recomputed."
)


def cuts(rows: list[tuple[int, int, float, float, float]], extent: float) -> str:
    worst = max(max(abs(d - w), abs(e - w)) for _, _, w, d, e in rows)
    return (
        "Where do $\\delta$ and $\\eta$ come from? Each is a random Gaussian vector, rescaled "
        "<b>filter by filter</b> (Li et al., 2018): the weights into each neuron get the same "
        "length as that neuron's trained weights, and biases are not moved. The table shows "
        f"the lengths side by side (largest difference {plain(worst, 2)}). The plot shows the "
        f"two axes of the slice: the loss along $\\delta$ alone and $\\eta$ alone, out to "
        f"{plain(extent)}."
    )


CUTS_NOTES = (
    "Why rescale? The same step in weight space means little to a neuron with large weights and "
    "a lot to one with small weights; and networks with ReLU units can scale one layer up and "
    "the next down without changing what they compute. A raw random direction would therefore "
    "make some networks look sharp and others flat for no real reason. Scaling each filter (the "
    "weights into one neuron; for a convolution, one output channel) to the norm of the same "
    'filter of the weights makes a distance of 0.5 mean "half the size of every filter", for '
    "any network. That is what makes the sharpness comparison at the end fair."
)


def bumps(curve: np.ndarray) -> float:
    """The largest rise between neighbouring points (0 if the curve never goes up)."""
    rises = np.diff(curve)
    return float(max(rises.max(initial=0.0), 0.0))


def line(l: sl.Line) -> tuple[str, dict[str, float]]:
    a = l.alphas
    i0, i1 = int(np.argmin(np.abs(a))), int(np.argmin(np.abs(a - 1)))
    seg = l.train[i0 : i1 + 1]
    rise = bumps(seg)
    half = (seg[0] + seg[-1]) / 2
    a_half = float(a[i0 + int(np.argmax(seg <= half))])
    best_t, best_v = int(np.argmin(l.train)), int(np.argmin(l.val))
    shape = (
        "falls without a single rise"
        if rise <= WIGGLE
        else f"falls, with a bump of {plain(rise, 2)} on the way"
    )
    text = (
        "Now a 1-D slice through two points we know: the initial weights $\\theta_0$ and the "
        "trained $\\theta_1$, along $(1-a)\\,\\theta_0 + a\\,\\theta_1$. Between them the "
        f"training loss {shape}, from {plain(seg[0], 3)} to {plain(seg[-1], 3)}; half the drop "
        f"is done by $a = {tex(a_half)}$. "
    )
    if a[best_t] > 1:
        text += (
            f"Past $\\theta_1$ it keeps falling, to {plain(l.train[best_t], 3)} at "
            f"$a = {tex(float(a[best_t]))}$: training had not reached the bottom of this line. "
        )
    else:
        text += f"Its lowest point on the line is at $a = {tex(float(a[best_t]))}$. "
    if a[best_v] < 1:
        text += (
            f"The validation loss (dashed) is lowest earlier, at $a = {tex(float(a[best_v]))}$ "
            f"({plain(l.val[best_v], 3)})."
        )
    else:
        text += f"The validation loss (dashed) is lowest at $a = {tex(float(a[best_v]))}$."
    figures = {
        "line_bump": rise,
        "line_half_drop_at": a_half,
        "line_train_min_at": float(a[best_t]),
        "line_val_min_at": float(a[best_v]),
    }
    return text, figures


LINE_NOTES = (
    "Goodfellow, Vinyals and Saxe (2015) drew this line for many networks and found the loss "
    "usually drops smoothly from start to end, without hills in between, even though the "
    "optimizer did not travel along a straight line. A smooth line does not prove there are "
    "no obstacles elsewhere; it shows only this one path. Beyond a = 1 the line extrapolates: "
    "larger weights make the sigmoid outputs more confident, which helps on training points "
    "and hurts on validation points the network gets wrong."
)


def random_path(p: sl.Projection, params: int, above: float) -> str:
    """``above``: the share of epochs whose real loss lies above the plane's loss below them."""
    reach = float(np.max(np.abs(p.coords)))
    where = "it hangs above the surface" if above >= 0.8 else "it leaves the surface"
    return (
        "The vermillion line is the training path: the weights after every epoch, minus "
        "$\\theta_1$, projected onto the plane of $\\delta$ and $\\eta$ by least squares. The "
        f"plane keeps only {percent(p.total)} of the path's squared length (best epoch: "
        f"{percent(float(np.nanmax(p.captured)))}); the projection stays within "
        f"{plain(reach, 2)} of the centre. Two random directions among {params} are almost at "
        "right angles to any given one. In 3-D the path is drawn at its real training loss: "
        f"{where}, off this plane."
    )


RANDOM_PATH_NOTES = (
    "The projection solves, for each epoch, the least-squares problem "
    "min over (a, b) of |theta_t - theta_1 - (a delta + b eta)|. The share kept is the squared "
    "length of the projection over the squared length of theta_t - theta_1. For a plane "
    "picked uniformly at random in P dimensions that share averages 2/P; the filter-normalised "
    "directions are not uniform, but the order of magnitude is the same. Random slices show "
    "the shape of the loss near a point well; they cannot show how training got there."
)


def pca_path(p: sl.Projection, first_share: float, gap: float, spread: float) -> str:
    """``gap``: the largest |plane loss - real loss|; ``spread``: the real loss's range."""
    close = gap <= CLOSE * spread
    return (
        "To see the path, choose the plane from the path itself: the two <b>principal "
        "directions</b> of the steps $\\theta_t - \\theta_1$ (Li et al.'s trick). This plane "
        f"keeps {percent(p.total)} of the path's squared length, the first direction alone "
        f"{percent(first_share)}. "
        + (
            "Now the plane's loss nearly matches the real one"
            if close
            else "Yet the plane's loss still differs from the real one"
        )
        + ": in the plot the dots (the plane's loss below each epoch) stay within "
        f"{plain(gap, 2)} of the line (the real training loss)."
    )


PCA_NOTES = (
    "The principal directions are the first two singular vectors of the matrix whose rows are "
    "theta_t - theta_1, one row per saved epoch. They are not filter-normalised: the axes are "
    "plain distances in weight space, and the rectangle is fitted to the path. Most of the "
    "path runs along one direction: Adam first moves quickly, then creeps along a valley "
    "while the weights keep growing. A path that fits almost entirely into two dimensions is "
    "typical; it is one reason the optimizer can be drawn at all."
)


def sharp_word(c: int) -> str:
    return {1: "sharper", -1: "flatter", 0: "about as sharp"}[c]


def size_word(c: int) -> str:
    return {1: "larger", -1: "smaller", 0: "about the same"}[c]


def batches(
    ex: m.Experiment, small: sl.Sharpness, large: sl.Sharpness
) -> tuple[str, dict[str, float]]:
    s, lb = ex.small, ex.large
    sharp = compare(large.rise, small.rise)
    gap = compare(lb.end.gap, s.end.gap)
    text = (
        f"Same start, same {s.updates} updates, but each update of the <b>large-batch</b> run "
        f"averages all {ex.data.n_train} training points instead of {s.batch}. At distance "
        f"{plain(sl.RADIUS)} its loss rises by {plain(large.rise, 3)}, the small batch's by "
        f"{plain(small.rise, 3)}: the large-batch minimum is <b>{sharp_word(sharp)}</b>, and "
        f"its gap (validation − training loss) is {plain(lb.end.gap, 3)} against "
        f"{plain(s.end.gap, 3)}. "
    )
    if sharp > 0 and gap > 0:
        text += "That is the textbook picture (Keskar et al., 2017). "
    elif sharp > 0:
        text += "Sharper, yet no worse on new points: here sharpness does not predict the gap. "
    else:
        text += "This run does not show the textbook picture of a sharper large-batch minimum. "
    if compare(lb.end.train, s.end.train) < 0:
        text += (
            f"But it also went deeper: training loss {plain(lb.end.train, 3)} against "
            f"{plain(s.end.train, 3)}."
        )
    figures = {
        "rise_small": small.rise,
        "rise_large": large.rise,
        "gap_small": s.end.gap,
        "gap_large": lb.end.gap,
        "sharper": float(sharp),
    }
    return text, figures


BATCH_NOTES = (
    "Keskar et al. (2017) trained the same networks with small and with large batches and "
    "found the large-batch minima sharper and worse on test data; the noise of small batches "
    "seemed to keep the optimizer out of narrow valleys. Li et al. (2018) showed that such "
    "comparisons need filter-normalised directions: without them, a network with larger "
    "weights looks flatter for no real reason. Here the rise at a fixed distance is the "
    "measure of sharpness: the mean of the two sides over four random directions, the same "
    "random numbers for both networks, each scaled to its own filters. Values within 20% of "
    "each other are called about the same."
)


def matched(
    ex: m.Experiment, small: sl.Sharpness, large: sl.Sharpness, early: sl.Sharpness | None
) -> tuple[str, dict[str, float]]:
    s, lb = ex.small, ex.large
    if early is None or lb.matched_scores is None:
        text = (
            f"Batch or depth? The large-batch run never got down to the small "
            f"batch's training loss ({plain(s.end.train, 3)}) in {lb.updates} updates, so there "
            "is no point of equal depth to compare. Try a smaller batch for the small run."
        )
        return text, {"matched_update": 0.0}
    got = lb.matched_scores
    sharp = compare(early.rise, small.rise)
    gap = compare(got.gap, s.end.gap)
    text = (
        "Batch or depth? Stop the large-batch run where its training loss first reached the "
        f"small batch's ({plain(s.end.train, 3)}): after {lb.matched_update} of {lb.updates} "
        f"updates (purple). There its loss rises by {plain(early.rise, 3)} at distance "
        f"{plain(sl.RADIUS)} (small batch: {plain(small.rise, 3)}) and its gap is "
        f"{plain(got.gap, 3)} ({plain(s.end.gap, 3)}). "
    )
    end_sharp = compare(large.rise, small.rise)  # the verdict of the step before
    end_gap = compare(lb.end.gap, s.end.gap)
    if end_sharp > 0 and sharp <= 0:
        what = "sharper, worse minimum" if end_gap > 0 and gap <= 0 else "sharper minimum"
        text += (
            f"At equal depth it is {sharp_word(sharp)}, its gap {size_word(gap)}: the {what} "
            "of the last step came from training further, not from the batch size itself."
        )
    elif sharp > 0:
        text += (
            f"Even at equal depth it is sharper (gap {size_word(gap)}): here the batch size "
            "itself made a difference."
        )
    else:
        text += (
            f"At equal depth it is {sharp_word(sharp)} too, its gap {size_word(gap)}: with "
            "these batch sizes the batch made no clear difference to sharpness."
        )
    figures = {
        "matched_update": float(lb.matched_update),
        "rise_matched": early.rise,
        "gap_matched": got.gap,
        "sharper_matched": float(sharp),
    }
    return text, figures


MATCHED_NOTES = (
    "A flat minimum is often said to generalise better: if the validation loss surface is a "
    "slightly shifted copy of the training one, a wide valley keeps its floor under the shift "
    "and a narrow one does not. But sharpness depends on how it is measured (Dinh et al., "
    "2017, showed that a network can be reparametrised to make any minimum look sharp), and "
    "with large batches the number of updates and how deep training goes change too. Compare "
    "at equal depth, with filter-normalised directions, before drawing a conclusion. Move the "
    "batch-size control and read the verdicts again."
)
