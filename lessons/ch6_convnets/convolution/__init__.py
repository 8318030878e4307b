"""Lesson 6.1: convolution step by step: patch, products, sum, feature map, stride, padding, RGB."""
