"""``import microtorch.onnx`` raises: there is no ONNX export."""
raise ImportError("microtorch.onnx: microtorch does not support ONNX export (there is no graph exporter); "
                  "export from PyTorch instead")
