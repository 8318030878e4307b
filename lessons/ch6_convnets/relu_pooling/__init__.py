"""Lesson 6.2: ReLU and 2x2 max pooling on a real feature map, forward and backward."""
