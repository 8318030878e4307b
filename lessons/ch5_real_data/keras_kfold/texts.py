"""Narratives and speaker notes of lesson 5.2; every number in them is passed in from the runs."""

from __future__ import annotations

import math

from lessons.ch5_real_data.keras_kfold import model as md
from lessons.ch5_real_data.keras_kfold.views import percent
from lessons.markup.numbers import plain


def data(v: md.Votes, missing: float) -> str:
    """Step 1: the table, the encoding of y / n / ?."""
    dem, rep = int((v.y == 0).sum()), int((v.y == 1).sum())
    share = md.yes_share(v)
    apart = int((abs(share[0] - share[1]) > 0.5).sum())
    return (
        f"Each row is one of the {v.size} members of the US House in 1984 ({dem} democrats, "
        f"{rep} republicans), each column one of 16 recorded votes. A vote is <b>y</b> (yea), "
        f"<b>n</b> (nay) or <b>?</b> (present, abstained or absent: {percent(missing)} of all "
        "cells, shaded). The network reads each as one number: "
        "$\\mathrm{y} \\to +1$, $\\mathrm{n} \\to -1$, $? \\to 0$, half way between. "
        f"The task: guess the party from the votes. On {apart} of the 16 bills the two "
        "parties' yea shares (right) differ by more than 50 points."
    )


DATA_NOTES = (
    "The data set is the UCI Congressional Voting Records (donated by Jeff Schlimmer, 1987), "
    "taken from the Congressional Quarterly Almanac of the 98th Congress, 2nd session. Our "
    "asset file stores each vote as a code: 0 for nay, 1 for yea, 2 for '?'. Fed to a network "
    "as they are, those codes would claim that '?' is 'more than yea'. The lesson recodes: yea "
    "+1, nay -1, '?' 0, so a missing vote pushes no neuron either way. The '?' is not a hole in "
    "the data: it records that the member did not vote yea or nay, which can itself say "
    "something about the member. The plot shows, for every bill, which share of each party "
    "voted yea; bills where the two markers sit far apart are the ones that give a party away."
)


def summary(layers: list[tuple[int, int, str]], total: int, loss0: float) -> str:
    """Step 2: the Sequential model and its parameter count; the untrained outputs."""
    return (
        "The seed's model, built with the engine's <code>Sequential</code>: "
        + ", ".join(f"Dense {b} {act}" for _, b, act in layers)
        + f". A Dense layer with $n$ inputs and $m$ units has $n\\cdot m$ weights and $m$ "
        f"biases, $n\\cdot m + m$ parameters: {total} in all, as the engine's summary counts. "
        f"Untrained, every output sits near 0.5 (plot, right): the loss on all members is "
        f"${plain(loss0, 4)}$, close to $\\ln 2 = {plain(math.log(2), 4)}$, a coin toss."
    )


SUMMARY_NOTES = (
    "Keras made this kind of model quick to write: a Sequential stack of Dense layers, one "
    "compile call that names the loss (binary cross-entropy for a yes/no answer) and the "
    "optimizer (Adam), and fit. It started as its own library and has shipped inside "
    "TensorFlow as its high-level API since version 1.9. Its selling point is speed of "
    "experiment: the sooner you can try an idea, the more ideas you try, and that is what "
    "makes results good. The code panels below write the model with the current settings in "
    "Keras and in PyTorch; both have the same parameter count as the engine's summary. The "
    "seed's own code set input_dim=4 for a four-feature set; the votes have 16 features, so the "
    "first layer here has 16 inputs. kernel_initializer='normal' is Keras's RandomNormal with "
    "standard deviation 0.05: tiny starting weights, hence outputs close to 0.5."
)


def split(run: md.FoldRun, n_val: int, baseline: float, rate: float) -> str:
    """Step 3: training curves of one split; the verdict is read off the run."""
    end, b = len(run.loss) - 1, run.best_epoch
    if run.diverged:
        return (
            f"With learning rate ${plain(rate, 3)}$ the loss became NaN or infinite: the engine "
            "stopped training and the curves end there. Lower the learning rate."
        )
    acc = float(run.val_acc[-1])
    head = (
        f"Fold 1 ({n_val} members) is held out for validation and the model trains {end} "
        f"epochs on the rest (solid: training, dashed: validation). "
    )
    if acc <= baseline:
        return head + (
            f"It ends at {percent(acc)} validation accuracy, no better than always answering "
            f"'democrat' (right for {percent(baseline)} of all members): with these settings "
            "it has not learnt the task."
        )
    rise = float(run.val_loss[-1] - run.val_loss[b])
    fell = float(run.loss[b] - run.loss[-1])
    if b == end or rise <= 0:
        tail = f"The validation loss is still at its lowest in the last epoch, {end}."
    elif fell > 0:
        tail = (
            f"The validation loss is lowest at epoch {b} and has risen by ${plain(rise, 3)}$ "
            f"since, while the training loss fell by ${plain(fell, 3)}$: the model has begun "
            "to fit its own rows more than new ones."
        )
    else:
        tail = (
            f"The validation loss was lowest at epoch {b} and ended ${plain(rise, 3)}$ higher, "
            "but the training loss did not fall since either: training itself got worse, "
            "not just the fit to new rows."
        )
    return head + (
        f"It ends at {percent(acc)} validation accuracy (always answering 'democrat' is right "
        f"for {percent(baseline)} of all members). " + tail
    )


SPLIT_NOTES = (
    "One split gives one number, and that number depends on which members happened to land in "
    "the validation part. With a few hundred rows a single unlucky split can flatter or harm the "
    "model by several points. Validation, not the test set, is what we watch while choosing "
    "settings; a test set, if we kept one, is looked at once at the very end."
)


def folds(k: int, sizes: list[int], n: int, once: bool) -> str:
    """Step 4: k folds, each validated once."""
    sizes_text = ", ".join(str(s) for s in sizes)
    check = (
        "each member is in exactly one validation fold"
        if once
        else "some member is NOT in exactly one validation fold"
    )
    return (
        f"$k$-fold cross-validation shuffles the {n} rows once (seeded) and cuts them into "
        f"$k = {k}$ folds of {sizes_text} members ({check}: sizes add up to {sum(sizes)}). "
        f"Each fold in turn is held out while a fresh model trains on the other {k - 1}. "
        "The plot shows every fold's validation accuracy per epoch, the table its final score."
    )


FOLDS_NOTES = (
    "A fresh model per fold matters: a model that had already seen the held-out fold while "
    "training on an earlier split would score itself on rows it knows. The folds differ in "
    "size by at most one member when k does not divide the number of rows. The seed's code did "
    "this with scikit-learn: KerasClassifier wrapped the Keras model so that cross_val_score "
    "could fit it ten times (cv=10) and return ten accuracies; the Keras code panel writes the "
    "same loop out by hand with KFold. In the code, create_model() stands for step 2's Keras "
    "code; make_model() and train() stand for step 2's and step 3's PyTorch code."
)


def spread(cv: md.CrossValidation, baseline: float) -> str:
    """Step 5: the mean and standard deviation of the fold scores."""
    sc = cv.scores
    k = len(sc)
    lo, hi = float(sc.min()), float(sc.max())
    verdict = (
        f"well above always answering 'democrat' ({percent(baseline)})"
        if cv.mean - cv.std > baseline
        else f"not clearly above always answering 'democrat' ({percent(baseline)})"
    )
    return (
        f"The {k} scores have mean $\\bar{{a}} = \\frac{{1}}{{{k}}}\\sum_i a_i = "
        f"{plain(100 * cv.mean, 3)}\\%$ and standard deviation "
        f"$\\sigma = {plain(100 * cv.std, 3)}\\%$: report {percent(cv.mean)} ± "
        f"{percent(cv.std)}, {verdict}. A single split could have reported anything from "
        f"{percent(lo)} to {percent(hi)}; fold 1 alone said {percent(float(sc[0]))}."
    )


SPREAD_NOTES = (
    "The mean uses every row once for validation, so it depends far less on luck than one "
    "split. The standard deviation says how much a single split would have wobbled; it is the "
    "spread of single-split scores, not the uncertainty of the mean, which is smaller. Change "
    "k: with larger k each model trains on more rows and each fold is smaller, so the scores "
    "come in coarser steps (one member is a whole 1/fold-size of accuracy) and vary more, while "
    "the run costs k trainings. k = 5 or 10 are the usual choices; the seed used 10."
)
