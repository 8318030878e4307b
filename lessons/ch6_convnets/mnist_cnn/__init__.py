"""Lesson 6.3: a CNN on MNIST: live training beside an MLP, feature maps, filters, augmentation."""
