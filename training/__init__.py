"""simdedup's claim model: the labelled corpus (``data/``), its checks and split, and training."""
