"""What the data browser shows: shipped data sets and the learner's imported sets."""
