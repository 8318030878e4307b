"""Lesson 8.2: hidden biases (a screening model, proxies, mitigations, fairness criteria)."""
