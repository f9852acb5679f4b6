"""Side-by-side benchmarks of microtorch against PyTorch: ``python -m benchmarks --help``."""
