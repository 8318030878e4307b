"""Lesson 7.1: the recurrent neuron (a loop through time, a memory cell, a layer of them)."""
