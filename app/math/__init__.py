"""Typesetting lesson math: boxes, TeX-style layout and rendering to images and documents."""
