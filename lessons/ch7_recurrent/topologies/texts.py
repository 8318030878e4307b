"""Lesson 7.2's words: fixed texts, speaker notes and the quiz; numbers are filled in by the lesson.

Facts about the topologies and their uses follow the course's lecture notes (seed 001: "RNN
Topologies"); the wording is the course's own.
"""

from __future__ import annotations

from lessons.core.base import MultipleChoice

SHORT = {
    "sequence-to-sequence": "seq → seq",
    "sequence-to-vector": "seq → vector",
    "vector-to-sequence": "vector → seq",
    "encoder-decoder": "encoder → decoder",
}

OVERVIEW_TITLE = "Four ways to wire a recurrent network"
OVERVIEW = (
    "A recurrent layer is one cell applied at every time step; what changes between uses "
    "is <b>where inputs enter and where outputs leave</b>. In the diagram each square is the "
    "same cell at one step; arrows to the right carry its state $h_t$. Every topology gets a "
    "small task of its own, trained by the engine on {train} examples; the table says which."
)
OVERVIEW_NOTES = (
    "The lecture notes list four RNN topologies with an application each: sequence to sequence "
    "(predict a price series from its past), sequence to vector (the sentiment of a sentence), "
    "vector to sequence (a caption for an image) and encoder to decoder (machine translation: "
    "a sequence is squeezed into a vector, which is unrolled into another sequence). All four "
    "models in this lesson are plain SimpleRNN layers, the recurrent neuron of lesson 7.1, "
    "with a Dense read-out; the gated cells (LSTM, GRU) follow in 7.4. The tasks are "
    "deliberately tiny so that each trains in well under a second; the sequence-length control "
    "retrains all of them."
)

TASK_NOTES = {
    "sequence-to-sequence": (
        "One output per input step: the layer returns its whole state sequence "
        "(return_sequences=True) and the same Dense layer reads every state. Real uses: "
        "forecasting the next value of a series at every step, tagging every word of a "
        "sentence or every frame of a video. The baseline is the best a network without memory "
        "could do: it sees only x_t, and the other terms of the sum average to zero, so its "
        "best guess is x_t itself."
    ),
    "sequence-to-vector": (
        "The layer reads the whole sequence and only its last state is used "
        "(return_sequences=False): the outputs at earlier steps are simply thrown away. Real "
        "uses: the sentiment of a review, the class of a spoken word, tomorrow's value from a "
        "window of the past. The baseline decides from the sign of the last input alone, a "
        "network that forgot everything before."
    ),
    "vector-to-sequence": (
        "One vector in, a sequence out. The engine's builder does what Keras users usually do: "
        "RepeatVector feeds the same vector at every step, and the state lets each step know "
        "how far along it is. Another common wiring feeds the vector once, as the first input "
        "or as the initial state. Real use: a caption generated from an image's feature vector. "
        "The baseline ignores ω and outputs the average training target of each step."
    ),
    "encoder-decoder": (
        "A sequence-to-vector encoder followed by a vector-to-sequence decoder: the encoder's "
        "final state is passed as the decoder's initial_state, and, as in the engine's "
        "EncoderDecoder block, the encoder's last output is also fed to the decoder at every "
        "step. Everything the decoder writes must pass through that one vector of {units} "
        "numbers, which is why long inputs get harder (try the longest length). Real use: "
        "machine translation, where the output sentence has its own length."
    ),
}

STEP_NOTES = (
    "Each square is the same SimpleRNN cell with the same weights W, U, b: h_t = tanh(x_t W + "
    "h_(t−1) U + b) for t = 1 … T, starting from the zero state h_0 = 0 (time is counted "
    "from 1, as in lesson 7.1; the encoder-decoder's decoder counts its own steps 1 … T and "
    "starts from the encoder's h_T). Each column of the heat map is one h_t, one row per unit; "
    "the table gives the numbers of this step. The output layer is one Dense layer applied to "
    "h_t wherever the topology has an output."
)

SUMMARY_TITLE = "Four topologies, one cell"
SUMMARY = (
    "The same recurrent cell learned four different tasks; only the wiring changed. The "
    "table holds each test score beside a baseline without memory or without input: "
    "{verdicts} Change the sequence length and compare: which score suffers most as T grows?"
)
SUMMARY_NOTES = (
    "The baselines: running sum, outputting x_t (no memory); sum positive, the sign of the last "
    "input (no memory); sine, the mean target per step (ignores the input ω); reversal, a "
    "random digit. A plain RNN's memory fades over many steps, and the reversal task must "
    "carry every digit through the whole sequence: at the longest length it reverses far "
    "fewer whole sequences without a mistake (see its table). Lesson 7.4's LSTM and GRU "
    "cells were made for long memories."
)

_OPTIONS = ("sequence to sequence", "sequence to vector", "vector to sequence", "encoder-decoder")


def _question(qid: str, prompt: str, answer: int, why: str) -> MultipleChoice:
    explanations = tuple(
        f"Right: {why}" if i == answer else f"Not quite: {why}" for i in range(len(_OPTIONS))
    )
    return MultipleChoice(qid, prompt, _OPTIONS, answer, explanations)


QUIZ = (
    _question(
        "translation",
        "Translating an English sentence into French. Which topology?",
        3,
        "a whole sentence is read first, then a new sentence of its own length is written: "
        "encoder-decoder, like the digit reversal here.",
    ),
    _question(
        "sentiment",
        "Deciding whether a product review is positive or negative. Which topology?",
        1,
        "a sequence of words in, one answer after the last word: sequence to vector, like "
        "'is the sum positive?'.",
    ),
    _question(
        "caption",
        "Writing a caption for a photo (given the photo's feature vector). Which topology?",
        2,
        "one vector in, a sequence of words out: vector to sequence, like the sine from ω.",
    ),
    _question(
        "video",
        "Labelling every frame of a video with what happens in it. Which topology?",
        0,
        "one label per frame, each as its frame arrives: sequence to sequence, like the "
        "running sum.",
    ),
)
