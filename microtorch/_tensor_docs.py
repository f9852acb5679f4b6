"""The docstrings of Tensor's methods and properties, kept here so ``_tensor.py`` stays code (torch keeps
its own in ``torch/_tensor_docs.py``).

Each entry is a summary line (what differs from torch, if anything, then ``grad:``, the gradient of a
differentiable op in a short phrase, ``g`` being the incoming gradient). ``attach()`` runs when
``_tensor.py`` is imported, before the ``microtorch.*`` functions are generated from the methods, so those
functions show the same text in ``help()``. A method that has a docstring of its own keeps it; an entry for
a name Tensor lacks, or for a method that already has one, is reported (``tests/test_docstrings.py`` fails).
"""
from __future__ import annotations

from typing import Any

DOCS: dict[str, str] = {
    # ---- size, layout, metadata ---------------------------------------------------------------------------
    "shape": "The size of each dimension, a ``microtorch.Size`` (a tuple).",
    "size": "``size()``: the shape, a ``microtorch.Size``; ``size(dim)``: the size of one dimension.",
    "dtype": "The element type, e.g. ``microtorch.float32``.",
    "device": "Where the data lives: ``device('cpu')``, ``device('cuda:0')``, or a registered backend's device.",
    "is_cuda": "Whether the tensor lives on a CUDA device.",
    "ndim": "The number of dimensions.",
    "dim": "The number of dimensions.",
    "numel": "The number of elements.",
    "element_size": "The size of one element in bytes.",
    "itemsize": "The size of one element in bytes.",
    "nbytes": "The size of the data in bytes (``numel() * element_size()``).",
    "is_floating_point": "Whether the dtype is a floating-point type.",
    "is_contiguous": "Whether the data is laid out row-major without gaps (``memory_format`` is accepted, "
                     "every microtorch tensor being row-major).",
    "stride": "The step, in elements, between neighbours along each dimension (or along ``dim``).",
    "data_ptr": "The address of the first element of the backend array.",
    # ---- autograd -----------------------------------------------------------------------------------------
    "requires_grad": "Whether operations on this tensor are recorded for autograd; settable on leaves.",
    "requires_grad_": "Set ``requires_grad`` in place (leaves only) and return this tensor.",
    "grad": "The gradient accumulated by ``backward()`` (None until then); assignable, deletable.",
    "is_leaf": "Whether the tensor was made by the user rather than by a recorded op (no ``grad_fn``).",
    "retains_grad": "Whether ``retain_grad()`` asked this non-leaf to keep its ``.grad``.",
    "detach_": "Detach this tensor from the graph in place: it becomes a leaf that does not require grad.",
    # ---- conversion ---------------------------------------------------------------------------------------
    "numpy": "The data as a NumPy array sharing memory on the CPU (``force=True`` copies from other devices "
             "and detaches).",
    "item": "The value of a one-element tensor as a Python number.",
    "tolist": "The data as (nested) Python lists of numbers.",
    "float": "A float32 copy (this tensor if already float32). grad: g cast back to the input's dtype.",
    "double": "A float64 copy (this tensor if already float64). grad: g cast back to the input's dtype.",
    "half": "A float16 copy (this tensor if already float16). grad: g cast back to the input's dtype.",
    "long": "An int64 copy (this tensor if already int64); not differentiable.",
    "int": "An int32 copy (this tensor if already int32); not differentiable.",
    "short": "An int16 copy (this tensor if already int16); not differentiable.",
    "bool": "A bool copy (this tensor if already bool); not differentiable.",
    "byte": "A uint8 copy (this tensor if already uint8); not differentiable.",
    "char": "An int8 copy (this tensor if already int8); not differentiable.",
    "cpu": "This tensor on the CPU (itself if already there). grad: g moved back.",
    "cuda": "This tensor on a CUDA device (the current one, or ``device``). grad: g moved back.",
    "new_tensor": "A new leaf tensor from ``data``, with this tensor's dtype and device unless given.",
    "new_full": "A tensor of ``size`` filled with ``fill_value``, this tensor's dtype and device unless given.",
    "new_zeros": "A tensor of zeros, this tensor's dtype and device unless given.",
    "new_ones": "A tensor of ones, this tensor's dtype and device unless given.",
    "new_empty": "An uninitialised tensor, this tensor's dtype and device unless given.",
    "clone": "A copy in new memory that stays in the graph. grad: g.",
    "contiguous": "This tensor if row-major, else a row-major copy (always the case here). grad: g.",
    # ---- arithmetic ---------------------------------------------------------------------------------------
    "add": "``self + alpha * other`` with broadcasting. grad: g (self), alpha * g (other), summed to each shape.",
    "sub": "``self - alpha * other`` with broadcasting. grad: g (self), -alpha * g (other).",
    "mul": "Elementwise product, broadcasting. grad: g * other (self), g * self (other).",
    "div": "Elementwise quotient (``rounding_mode`` None, 'trunc' or 'floor'). grad: g / y (x), -g * x / y**2 (y); "
           "zero with a rounding mode.",
    "true_divide": "Division with a floating result (``div`` without rounding). grad: g / y (x), -g * x / y**2 (y).",
    "pow": "``self ** exponent`` elementwise. grad: g * n * x**(n-1) (x), g * x**n * log(x) (exponent).",
    "remainder": "Python's modulus (the sign of the divisor), elementwise. grad: g (x), -g * floor(x / y) (y).",
    "floor_divide": "``floor(self / other)`` elementwise; not differentiable (zero gradient, as torch's).",
    "matmul": "Matrix product with torch's rules for 1-D, 2-D and batched operands. grad: g @ B^T (A), A^T @ g (B).",
    "mm": "Product of two matrices. grad: g @ B^T (A), A^T @ g (B).",
    "bmm": "Batched product of (b, n, m) and (b, m, p) tensors. grad: g @ B^T (A), A^T @ g (B) per batch.",
    "dot": "Inner product of two 1-D tensors. grad: g * other (self), g * self (other).",
    # ---- comparisons --------------------------------------------------------------------------------------
    "eq": "Elementwise ``==`` (bool result, broadcasting); not differentiable.",
    "ne": "Elementwise ``!=`` (bool result, broadcasting); not differentiable.",
    "lt": "Elementwise ``<`` (bool result, broadcasting); not differentiable.",
    "le": "Elementwise ``<=`` (bool result, broadcasting); not differentiable.",
    "gt": "Elementwise ``>`` (bool result, broadcasting); not differentiable.",
    "ge": "Elementwise ``>=`` (bool result, broadcasting); not differentiable.",
    "equal": "Whether both tensors have the same shape and elements (a Python bool).",
    "allclose": "Whether ``|self - other| <= atol + rtol * |other|`` everywhere (a Python bool).",
    "isclose": "Elementwise ``|self - other| <= atol + rtol * |other|`` (bool result); not differentiable.",
    # ---- pointwise math -----------------------------------------------------------------------------------
    "neg": "``-x``. grad: -g.",
    "abs": "``|x|``. grad: g * sign(x) (0 at 0, as torch's).",
    "exp": "``e**x``. grad: g * exp(x).",
    "log": "Natural logarithm. grad: g / x.",
    "log2": "Base-2 logarithm. grad: g / (x * log(2)).",
    "log10": "Base-10 logarithm. grad: g / (x * log(10)).",
    "log1p": "``log(1 + x)``, accurate for small x. grad: g / (1 + x).",
    "expm1": "``exp(x) - 1``, accurate for small x. grad: g * (expm1(x) + 1).",
    "sqrt": "Square root. grad: g / (2 * sqrt(x)).",
    "rsqrt": "``1 / sqrt(x)``. grad: -g / (2 * x**1.5).",
    "square": "``x * x``. grad: 2 * g * x.",
    "reciprocal": "``1 / x``. grad: -g / x**2.",
    "sin": "Sine. grad: g * cos(x).",
    "cos": "Cosine. grad: -g * sin(x).",
    "tan": "Tangent. grad: g * (1 + tan(x)**2).",
    "tanh": "Hyperbolic tangent. grad: g * (1 - tanh(x)**2).",
    "asin": "Arcsine. grad: g / sqrt(1 - x**2).",
    "acos": "Arccosine. grad: -g / sqrt(1 - x**2).",
    "atan": "Arctangent. grad: g / (1 + x**2).",
    "atan2": "``atan(self / other)`` in the right quadrant. grad: g * y / (x**2 + y**2) (self=y), "
             "-g * x / (x**2 + y**2) (other=x).",
    "sinh": "Hyperbolic sine. grad: g * cosh(x).",
    "cosh": "Hyperbolic cosine. grad: g * sinh(x).",
    "asinh": "Inverse hyperbolic sine. grad: g / sqrt(x**2 + 1).",
    "acosh": "Inverse hyperbolic cosine. grad: g / sqrt(x**2 - 1).",
    "atanh": "Inverse hyperbolic tangent. grad: g / (1 - x**2).",
    "erf": "The error function. grad: g * 2 / sqrt(pi) * exp(-x**2).",
    "exp2": "``2**x``. grad: g * 2**x * log(2).",
    "hypot": "``sqrt(self**2 + other**2)`` elementwise. grad: g * x / hypot (self), g * y / hypot (other).",
    "logaddexp": "``log(exp(self) + exp(other))`` without overflow. grad: g * sigmoid(x - y) (self), "
                 "g * sigmoid(y - x) (other).",
    "xlogy": "``self * log(other)``, 0 where self is 0. grad: g * log(y) (self), g * x / y (other).",
    "logit": "``log(p / (1 - p))``, p clamped to [eps, 1 - eps] when ``eps`` is given. grad: g / (p * (1 - p)) "
             "(0 outside the clamp).",
    "fmod": "C's remainder (the sign of the dividend), elementwise. grad: g (x), -g * trunc(x / y) (y).",
    "deg2rad": "Degrees to radians. grad: g * pi / 180.",
    "rad2deg": "Radians to degrees. grad: g * 180 / pi.",
    "positive": "The tensor itself (``+x``). grad: g.",
    "addcmul": "``self + value * tensor1 * tensor2``. grad: g (self), value * g * tensor2 (tensor1), "
               "value * g * tensor1 (tensor2).",
    "addcdiv": "``self + value * tensor1 / tensor2``. grad: g (self), value * g / tensor2 (tensor1), "
               "-value * g * tensor1 / tensor2**2 (tensor2).",
    "sigmoid": "``1 / (1 + exp(-x))``. grad: g * s * (1 - s).",
    "relu": "``max(x, 0)``. grad: g where x > 0, else 0.",
    "sign": "-1, 0 or 1 by the sign of each element. grad: 0.",
    "floor": "Round down to an integer value (same dtype). grad: 0.",
    "ceil": "Round up to an integer value (same dtype). grad: 0.",
    "round": "Round half to even, to ``decimals`` places. grad: 0.",
    "trunc": "Round towards zero (same dtype). grad: 0.",
    "frac": "``x - trunc(x)``. grad: g.",
    "clamp": "Limit to [min, max] (either may be None, a number or a tensor). grad: g inside the range, 0 outside "
             "(to the bound that applies).",
    "clamp_min": "``max(x, min)``. grad: g where x >= min, else 0.",
    "clamp_max": "``min(x, max)``. grad: g where x <= max, else 0.",
    "maximum": "Elementwise maximum (nan if either is nan). grad: g to the larger input, split evenly on ties.",
    "minimum": "Elementwise minimum (nan if either is nan). grad: g to the smaller input, split evenly on ties.",
    "where": "``self`` where ``condition`` holds, else ``other``. grad: g masked by condition (self), "
             "by its negation (other).",
    "masked_fill": "A copy with ``value`` where ``mask`` is True. grad: g where mask is False (self), the sum of "
                   "g over the mask (a tensor value).",
    "lerp": "``self + weight * (end - self)``. grad: g * (1 - weight) (self), g * weight (end), "
            "g * (end - self) (a tensor weight).",
    "isnan": "Elementwise ``x != x`` (bool result); not differentiable.",
    "isinf": "Elementwise: is the value +inf or -inf (bool result); not differentiable.",
    "isfinite": "Elementwise: neither inf nor nan (bool result); not differentiable.",
    "logical_not": "Elementwise ``not x`` on truth values (bool result); not differentiable.",
    "logical_and": "Elementwise ``x and y`` on truth values (bool result); not differentiable.",
    "logical_or": "Elementwise ``x or y`` on truth values (bool result); not differentiable.",
    "logical_xor": "Elementwise ``x xor y`` on truth values (bool result); not differentiable.",
    # ---- reductions ---------------------------------------------------------------------------------------
    "sum": "Sum of all elements, or over ``dim`` (an int or a tuple). grad: g broadcast back to the input's shape.",
    "sum_to_size": "Sum over the broadcast dimensions down to ``size``. grad: g expanded back.",
    "mean": "Mean of all elements, or over ``dim``. grad: g / n broadcast back.",
    "var": "Variance over ``dim`` with Bessel's ``correction`` (default 1). grad: "
           "2 * g * (x - mean) / (n - correction).",
    "std": "Standard deviation over ``dim`` with ``correction`` (default 1). grad: g * (x - mean) / "
           "((n - correction) * std).",
    "prod": "Product of all elements, or over ``dim``. grad: g * prod / x (exact where elements are zero).",
    "max": "``max()``: the largest element; ``max(dim)``: (values, indices); ``max(other)``: elementwise. "
           "grad: g to the maximal elements (split evenly over ties for the full reduction).",
    "min": "``min()``: the smallest element; ``min(dim)``: (values, indices); ``min(other)``: elementwise. "
           "grad: g to the minimal elements (split evenly over ties for the full reduction).",
    "amax": "The maximum over ``dim`` (values only). grad: g split evenly over the maximal elements.",
    "amin": "The minimum over ``dim`` (values only). grad: g split evenly over the minimal elements.",
    "argmax": "The index of the maximum (flattened, or along ``dim``); not differentiable.",
    "argmin": "The index of the minimum (flattened, or along ``dim``); not differentiable.",
    "logsumexp": "``log(sum(exp(x)))`` over ``dim`` without overflow. grad: g * softmax(x) along dim.",
    "norm": "The vector p-norm (default 2, 'fro') of all elements or over ``dim``. grad: "
            "g * x * |x|**(p-2) / norm**(p-1).",
    "cumsum": "Cumulative sum along ``dim``. grad: the reversed cumulative sum of g.",
    "any": "Whether any element (over ``dim``) is nonzero (bool result); not differentiable.",
    "all": "Whether every element (over ``dim``) is nonzero (bool result); not differentiable.",
    "count_nonzero": "The number of nonzero elements (over ``dim``); not differentiable.",
    "softmax": "``exp(x) / sum(exp(x))`` along ``dim``. grad: s * (g - sum(g * s)).",
    "log_softmax": "``x - logsumexp(x)`` along ``dim``. grad: g - softmax(x) * sum(g).",
    "hardshrink": "x where |x| > ``lambd``, else 0 (``nn.functional.hardshrink``).",
    "prelu": "x where x >= 0, else ``weight`` x, one slope per channel or one for all (``nn.functional.prelu``).",
    # ---- shape --------------------------------------------------------------------------------------------
    "reshape": "The same elements in a new shape (a view when possible, one -1 inferred). grad: g reshaped back.",
    "view": "A view with a new shape (``view(dtype)`` is not supported). grad: g reshaped back.",
    "view_as": "``view(other.shape)``. grad: g reshaped back.",
    "reshape_as": "``reshape(other.shape)``. grad: g reshaped back.",
    "flatten": "Merge dimensions ``start_dim`` to ``end_dim`` into one. grad: g reshaped back.",
    "unflatten": "Split dimension ``dim`` into ``sizes``. grad: g reshaped back.",
    "squeeze": "Remove dimensions of size 1 (all, or those in ``dim``). grad: g reshaped back.",
    "unsqueeze": "Insert a dimension of size 1 at ``dim``. grad: g with that dimension removed.",
    "permute": "Reorder the dimensions (a view). grad: g with the inverse permutation.",
    "transpose": "Swap two dimensions (a view). grad: g with them swapped back.",
    "swapaxes": "An alias of ``transpose``. grad: g transposed back.",
    "movedim": "Move dimensions ``source`` to positions ``destination``. grad: g moved back.",
    "t": "Transpose of a tensor of at most 2 dimensions. grad: g transposed.",
    "T": "All dimensions reversed (deprecated by torch beyond 2-D). grad: g with them reversed back.",
    "mT": "The last two dimensions swapped. grad: g with them swapped back.",
    "expand": "A broadcast view to ``sizes`` (-1 keeps a size). grad: g summed over the expanded dimensions.",
    "expand_as": "``expand(other.shape)``. grad: g summed over the expanded dimensions.",
    "broadcast_to": "A broadcast view to ``size``. grad: g summed over the broadcast dimensions.",
    "repeat": "Tile the tensor ``sizes`` times along each dimension (a copy). grad: the sum of g's tiles.",
    "flip": "Reverse the order along ``dims``. grad: g flipped back.",
    "split": "Pieces of ``split_size`` (or of the given sizes) along ``dim`` (views). grad: the pieces' g "
             "concatenated.",
    "chunk": "``chunks`` pieces of (nearly) equal size along ``dim``. grad: the pieces' g concatenated.",
    "unbind": "The slices along ``dim`` as a tuple. grad: the slices' g stacked.",
    "narrow": "The slice ``start:start + length`` of ``dim`` (a view). grad: g placed back into zeros.",
    # ---- indexing -----------------------------------------------------------------------------------------
    "gather": "Values along ``dim`` at ``index`` (``sparse_grad`` is accepted and ignored). grad: g scatter-added "
              "at index.",
    "index_select": "The entries at ``index`` along ``dim``. grad: g index-added back along dim.",
    "sort": "(values, indices) sorted along ``dim`` (``stable`` accepted; the sort is stable). grad: g scattered "
            "back to the original positions.",
    "argsort": "The indices that sort along ``dim``; not differentiable.",
    "topk": "(values, indices) of the ``k`` largest (or smallest) along ``dim``. grad: g scattered to the chosen "
            "positions.",
    "scatter": "A copy with ``src`` (or ``value``) written at ``index`` along ``dim`` (``reduce`` 'add'/'multiply'). "
               "grad: g outside the written positions (self), g gathered at index (src).",
    "scatter_": "In-place ``scatter``. grad: as scatter's.",
    "scatter_add": "A copy with ``src`` added at ``index`` along ``dim``. grad: g (self), g gathered at index (src).",
    "scatter_add_": "In-place ``scatter_add``. grad: as scatter_add's.",
    "masked_select": "The elements where ``mask`` is True, as a 1-D tensor. grad: g placed back under the mask.",
    "take_along_dim": "Values at ``indices`` along ``dim`` (flattened when dim is None). grad: g scatter-added back.",
    "nonzero": "The indices of the nonzero elements ((n, ndim), or a tuple with ``as_tuple``); not differentiable.",
    # ---- matrices -----------------------------------------------------------------------------------------
    "tril": "The lower triangle (on and below ``diagonal``), zeros above. grad: tril(g).",
    "triu": "The upper triangle (on and above ``diagonal``), zeros below. grad: triu(g).",
    "diag": "A 1-D tensor's diagonal matrix, or a matrix's ``diagonal``-th diagonal. grad: g's diagonal (or "
            "diagonal matrix).",
    "trace": "The sum of a matrix's diagonal. grad: g * identity.",
    "outer": "Outer product of two 1-D tensors. grad: g @ other (self), g^T @ self (other).",
    "addmm": "``beta * self + alpha * (mat1 @ mat2)``. grad: beta * g (self), alpha * g @ mat2^T (mat1), "
             "alpha * mat1^T @ g (mat2).",
    "cumprod": "Cumulative product along ``dim``. grad: the reversed cumulative sum of g * out, divided by x "
               "(exact where x is zero).",
    "roll": "Shift elements by ``shifts`` along ``dims`` (circularly). grad: g rolled back.",
    "tile": "Repeat the tensor along each dimension (``dims`` padded with leading 1s). grad: the sum of g's tiles.",
    "repeat_interleave": "Repeat each element ``repeats`` times (along ``dim``). grad: g summed over each "
                         "element's copies.",
    "nan_to_num": "nan, +inf and -inf replaced by ``nan``, ``posinf``, ``neginf`` (default the dtype's extremes). "
                  "grad: g at finite elements, 0 at the replaced ones.",
    # ---- in place -----------------------------------------------------------------------------------------
    "add_": "In-place ``add``. grad: as add's.",
    "sub_": "In-place ``sub``. grad: as sub's.",
    "mul_": "In-place ``mul``. grad: as mul's.",
    "div_": "In-place ``div``. grad: as div's.",
    "pow_": "In-place ``pow``. grad: as pow's.",
    "clamp_": "In-place ``clamp``. grad: as clamp's.",
    "neg_": "In-place ``neg``. grad: -g.",
    "exp_": "In-place ``exp``. grad: g * exp(x).",
    "sqrt_": "In-place ``sqrt``. grad: g / (2 * sqrt(x)).",
    "relu_": "In-place ``relu``. grad: g where x > 0.",
    "sigmoid_": "In-place ``sigmoid``. grad: g * s * (1 - s).",
    "tanh_": "In-place ``tanh``. grad: g * (1 - tanh(x)**2).",
    "abs_": "In-place ``abs``. grad: g * sign(x).",
    "masked_fill_": "In-place ``masked_fill``. grad: as masked_fill's.",
    "addcmul_": "In-place ``addcmul``. grad: as addcmul's.",
    "addcdiv_": "In-place ``addcdiv``. grad: as addcdiv's.",
    "lerp_": "In-place ``lerp``. grad: as lerp's.",
    "copy_": "Copy ``other``'s values into this tensor (broadcasting, casting, across devices). grad: g to other "
             "(summed to its shape), nothing to the old values.",
    "zero_": "Fill with zeros in place. grad: 0 to the old values.",
    "fill_": "Fill with ``value`` in place. grad: 0 to the old values.",
    "uniform_": "Fill in place with draws from U(from_, to). grad: 0 to the old values.",
    "normal_": "Fill in place with draws from N(mean, std**2). grad: 0 to the old values.",
    "bernoulli_": "Fill in place with 0/1 draws of probability ``p``. grad: 0 to the old values.",
    # ---- added with the op families of issue 21 --------------------------------------------------------------
    "argwhere": "The indices of the nonzero elements, one row per element (``nonzero()``'s layout).",
    "bincount": "The count of each value of a 1-d non-negative integer tensor (summed ``weights`` if given).",
    "histc": "A histogram of ``bins`` equal bins over ``[min, max]`` (the data's range when both are 0).",
    "histogram": "(hist, bin_edges): a histogram over ``bins`` (a count or the edges), with ``weight``/``density``.",
    "index_add": "A copy with ``alpha * source`` added at ``index`` along ``dim``. grad: g to self, "
                 "alpha * g[index] to source",
    "index_add_": "``index_add`` in place.",
    "index_copy": "A copy with ``source`` written at ``index`` along ``dim``. grad: g (0 at index) to self, "
                  "g[index] to source",
    "index_copy_": "``index_copy`` in place.",
    "index_fill": "A copy with ``value`` at ``index`` along ``dim``. grad: g (0 at index) to self",
    "index_fill_": "``index_fill`` in place.",
    "index_put": "A copy with ``values`` at the positions of the ``indices`` tuple (added with ``accumulate``). "
                 "grad: g (0 where written unless accumulating) to self, g at the positions to values",
    "index_put_": "``index_put`` in place.",
    "index_reduce": "A copy reduced (prod, mean, amax, amin) with ``source`` at ``index`` along ``dim``. "
                    "grad: as torch's index_reduce",
    "index_reduce_": "``index_reduce`` in place.",
    "scatter_reduce": "A copy with ``src`` reduced (sum, prod, mean, amax, amin) into ``index`` along ``dim``, "
                      "with or without the original values (``include_self``). grad: as torch's scatter_reduce",
    "scatter_reduce_": "``scatter_reduce`` in place.",
    "masked_scatter": "A copy with the elements of ``source``, in order, where ``mask`` is true. grad: g (0 at the "
                      "mask) to self, g at the mask to source",
    "masked_scatter_": "``masked_scatter`` in place.",
    "nonzero_static": "``nonzero()`` padded with ``fill_value`` (or cut) to ``size`` rows.",
    "put": "A copy with ``source`` written at flat ``index`` (added with ``accumulate``). grad: as index_put",
    "put_": "``put`` in place.",
    "take": "The elements at flat ``index`` (the tensor read as 1-d). grad: g scattered back to those positions",
    "unique": "The distinct elements (sorted), with ``return_inverse``/``return_counts``, over ``dim`` if given.",
    "unique_consecutive": "The elements with consecutive repeats collapsed (``return_inverse``/``return_counts``).",
    "cauchy_": "Fill in place with draws from Cauchy(median, sigma).",
    "exponential_": "Fill in place with draws from Exponential(lambd).",
    "geometric_": "Fill in place with draws from Geometric(p) (trials to the first success, from 1).",
    "log_normal_": "Fill in place with exp of draws from Normal(mean, std).",
    "cholesky": "The Cholesky factor of a positive-definite matrix (``upper`` for U). grad: torch's cholesky_backward",
    "cholesky_inverse": "The inverse of A = L L^T from its factor L (``upper``: U^T U). grad: through the inverse",
    "cholesky_solve": "X with A X = B for A = L L^T given L (``upper``: U^T U). grad: through the triangular solves",
    "det": "The determinant of each square matrix. grad: g * det * inv(A)^T",
    "logdet": "log(det) of each square matrix (nan for a negative determinant). grad: g * inv(A)^T",
    "slogdet": "(sign, log|det|) of each square matrix. grad: g_logabsdet * inv(A)^T",
    "inverse": "The inverse of each square matrix. grad: -A^-T g A^-T",
    "lu": "The packed LU factorisation with pivots (``get_infos`` for the info tensor). grad: torch's lu_factor_ex",
    "lu_solve": "X with A X = B from ``lu``'s packed factors and pivots. grad: through the triangular solves",
    "matrix_exp": "The matrix exponential of each square matrix. grad: the exponential of the block matrix "
                  "[[A^T, g], [0, A^T]]",
    "matrix_power": "The n-th matrix power (n < 0: of the inverse). grad: through the products",
    "pinverse": "The Moore-Penrose pseudo-inverse (singular values below ``rcond`` * the largest dropped). "
                "grad: through the SVD",
    "qr": "(Q, R) of each matrix (``some=False``: complete). grad: torch's linalg_qr_backward",
    "svd": "(U, S, V) of each matrix (V, not V^T; ``some``, ``compute_uv``). grad: torch's svd_backward",
    "triangular_solve": "(X, A) with A X = B for triangular A (``upper``, ``transpose``, ``unitriangular``). "
                        "grad: through the triangular solve",

}


def attach(cls: type) -> list[str]:
    """Give each of ``cls``'s methods and properties named in ``DOCS`` its docstring; return the entries it
    skipped (a name ``cls`` lacks, or a member with a docstring of its own), which the tests reject."""
    skipped = []
    for name, doc in DOCS.items():
        member: Any = cls.__dict__.get(name)
        target = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
        if member is None or target.__doc__:
            skipped.append(name)
        elif isinstance(member, property):  # (a property's __doc__ is read-only: the same property, with it)
            setattr(cls, name, property(member.fget, member.fset, member.fdel, doc))
        else:
            target.__doc__ = doc
    return skipped
