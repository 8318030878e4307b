"""Looking at a model: metrics and loss landscapes."""
