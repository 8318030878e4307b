"""Lesson 7.5: sequences for real: a sunspot forecast, Shakespeare by character, sentiment.

A live lesson in three parts.  (1) A GRU or LSTM forecasts the yearly sunspot number from a
window of past years; it trains in a few checkpoints, the validation years pick the epoch and
the test years judge it against "same as last year".  (2) An LSTM learns a slice of Macbeth
epoch by epoch; after each epoch it writes a sample at the chosen temperature, shown with its
hidden units as a heat map over the characters and the softmax bars of a chosen character.
(3) A GRU reads short reviews written for the lesson and says whether they are positive.

Temperature, sampled character and review are view controls (``Effect.VIEW``): the newest step
is redrawn for them with the model of that step, without training (``redraw``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch7_recurrent.sequences import sentiment as sm
from lessons.ch7_recurrent.sequences import textgen as tg
from lessons.ch7_recurrent.sequences import texts as tx
from lessons.ch7_recurrent.sequences.sun_steps import forecast_steps
from lessons.ch7_recurrent.sequences.text_steps import sentiment_step, text_steps
from lessons.core.base import (
    Bars,
    Choice,
    Effect,
    Image,
    Lesson,
    Plot,
    Slider,
    Step,
    Table,
    Values,
)


class Sequences(Lesson):
    """Forecast sunspots, write Shakespeare by character, read the mood of reviews."""

    id = "sequences"
    chapter = 7
    number = "7.5"
    title = "Sequences for real"
    summary = (
        "Recurrent nets on real sequences: a GRU or LSTM forecasts the yearly sunspot number and "
        "is held against 'same as last year'; an LSTM learns Macbeth character by character "
        "and writes at the temperature you choose, with its hidden units shown over the text; "
        "a GRU reads short reviews and tells glad from unhappy."
    )
    live = True
    seed = 75
    controls = (
        Slider(
            "temperature",
            "Temperature T",
            0.05,
            5.0,
            default=0.8,
            log=True,
            effect=Effect.VIEW,
            help="Sampling from softmax(logits / T) (shown at once).",
        ),
        Slider(
            "position",
            "Sampled character #",
            1,
            tg.SAMPLE,
            default=1,
            integer=True,
            effect=Effect.VIEW,
            help="Whose softmax the bars show (shown at once).",
        ),
        Slider(
            "review",
            "Review #",
            1,
            20 + len(sm.PROBES),
            default=21,
            integer=True,
            effect=Effect.VIEW,
            help="Which review the plot and heat map read (shown at once).",
        ),
        Choice(
            "cell",
            "Forecaster cell",
            options=("GRU", "LSTM"),
            default="GRU",
            help="The recurrent cell of the sunspot forecaster (restarts).",
        ),
        Slider("window", "Window (past years)", 1, 30, default=12, integer=True, help="Restarts."),
        Slider(
            "sun_epochs",
            "Forecaster epochs",
            30,
            300,
            default=150,
            step=30,
            integer=True,
            help="Full-batch Adam steps, shown in three checkpoints (restarts).",
        ),
        Slider(
            "rate",
            "Learning rate (Adam)",
            0.0001,
            1.0,
            default=0.02,
            log=True,
            help="Adam's step size for all three nets (restarts).",
        ),
        Slider(
            "text_epochs",
            "Text epochs",
            1,
            30,
            default=12,
            integer=True,
            help="Passes over the Macbeth slice (restarts).",
        ),
    )
    panels = (
        Plot("plot", "Sunspots and forecasts", x_label="year", y_label="sunspot number", stretch=4),
        Plot("curves", "Loss", x_label="epoch", y_label="MSE (standardised)", stretch=2),
        Bars("bars", "Errors", value_format="{:.0f}", stretch=2),
        Image("heat", "Hidden state", colormap="diverging", stretch=4),
        Table("table", "Numbers", stretch=3),
    )
    layout = (3, 2)
    quiz = tx.QUIZ

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        seed = int(rng.integers(2**16))
        rate = float(c.rate)
        yield from forecast_steps(c, seed, rate, self.show_panels)
        yield from text_steps(c, seed, rate, self.show_panels)
        yield sentiment_step(c, seed, rate, self.show_panels)
