"""Lesson 5.2: the seed's Keras-style binary classifier on the 1984 votes, checked by k-fold."""
