"""``import microtorch.fx`` raises: there is no graph tracing and transformation toolkit."""
raise ImportError("microtorch.fx: microtorch does not support torch.fx (symbolic tracing and graph rewriting)")
