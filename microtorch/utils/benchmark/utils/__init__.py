"""The modules of ``microtorch.utils.benchmark`` (``common``: Measurement; ``timer``: Timer), as torch's."""
