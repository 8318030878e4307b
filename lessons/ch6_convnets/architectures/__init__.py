"""Lesson 6.4: LeNet-5, AlexNet, GoogLeNet and ResNet-18 with the engine's shapes and parameter
counts, a small inception block and residual block run, and gradients with and without skips."""
