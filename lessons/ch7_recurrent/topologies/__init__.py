"""Lesson 7.2: RNN topologies (sequence/vector in, sequence/vector out, encoder-decoder)."""
