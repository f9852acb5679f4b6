"""The non-numerical surface torch scripts touch: accelerator and backend flags, device properties, constants,
type info, printing options, legacy types, indexing forms, compile/jit stubs and unsupported names."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import microtorch
from microtorch.backends import _REGISTRY, register_backend


# ---- accelerator and backend flags ---------------------------------------------------------------------
def test_accelerator_without_a_gpu_answers_as_torch():
    assert microtorch.accelerator.is_available() is torch.accelerator.is_available() is False
    assert microtorch.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert microtorch.accelerator.device_count() == torch.accelerator.device_count() == 0
    for name in ("current_device_index", "synchronize"):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available."):
            getattr(torch.accelerator, name)()
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available."):
            getattr(microtorch.accelerator, name)()
    device = "cuda" if microtorch.accelerator.is_available() else "cpu"  # the tutorials' device selection
    assert microtorch.zeros(2, device=device).device.type == device


@pytest.fixture
def fake_cuda():
    """The CuPy backend on two fake GPUs (tests/fake_cupy.py), registered as 'cuda' for one test."""
    from test_fake_gpu import _fake_cuda_backend

    saved = _REGISTRY["cuda"]
    register_backend("cuda", _fake_cuda_backend())
    yield
    register_backend("cuda", saved)


def test_accelerator_answers_from_the_cuda_backend(fake_cuda):
    acc = microtorch.accelerator
    assert acc.is_available() and acc.current_accelerator() == microtorch.device("cuda")
    assert acc.device_count() == 2 and acc.current_device_index() == 0
    acc.set_device_index("cuda:1")
    try:
        assert acc.current_device_index() == 1 and microtorch.cuda.current_device() == 1
        acc.synchronize()
        with acc.device_index(0):
            assert acc.current_device_index() == 0
        assert acc.current_device_index() == 1
    finally:
        acc.set_device_index(0)
    t = microtorch.ones(3, device=acc.current_accelerator())
    assert t.is_cuda and not t.is_cpu and t.get_device() == 0
    assert microtorch.cuda.is_bf16_supported() is microtorch._dtype.bfloat16_available()
    with pytest.raises(RuntimeError, match="cannot pin"):
        t.pin_memory()


def test_backend_flags_are_settable_and_harmless():
    b = microtorch.backends
    for lib_flags, ours in ((torch.backends.cudnn, b.cudnn), (torch.backends.mkldnn, b.mkldnn)):
        assert ours.enabled == lib_flags.enabled
    assert b.cudnn.benchmark is torch.backends.cudnn.benchmark is False
    assert b.cudnn.deterministic is torch.backends.cudnn.deterministic is False
    assert b.cudnn.allow_tf32 is torch.backends.cudnn.allow_tf32 is True
    assert b.cuda.matmul.allow_tf32 is torch.backends.cuda.matmul.allow_tf32 is False
    assert b.mps.is_available() is torch.backends.mps.is_available() is False
    assert b.cudnn.is_available() is False and b.cuda.is_built() is False and b.cudnn.version() is None
    b.cudnn.benchmark = True
    b.cuda.matmul.allow_tf32 = True
    try:
        assert b.cudnn.benchmark and b.cuda.matmul.allow_tf32
        x = microtorch.ones(2, 2)
        assert (x @ x).tolist() == [[2.0, 2.0], [2.0, 2.0]]
    finally:
        b.cudnn.benchmark = False
        b.cuda.matmul.allow_tf32 = False
    with pytest.raises(AttributeError, match="Unknown attribute foo"):
        b.cuda.matmul.foo = 1
    with b.cudnn.flags(enabled=False, deterministic=True):
        assert not b.cudnn.enabled and b.cudnn.deterministic
    assert b.cudnn.enabled and not b.cudnn.deterministic
    assert microtorch.cuda.is_bf16_supported() is torch.cuda.is_bf16_supported() is False


def test_device_properties_pinning_and_sharing():
    for lib in (torch, microtorch):
        t = lib.arange(3.0)
        assert t.is_cpu and not t.is_cuda and not t.is_mps and not t.is_meta and not t.is_xpu
        assert not t.is_sparse and not t.is_quantized and not t.is_complex() and t.get_device() == -1
        assert t.layout == lib.strided
        assert t.share_memory_() is t
        assert not t.is_pinned()
    t = microtorch.arange(3.0)
    pinned = t.pin_memory()
    assert pinned is not t and pinned.tolist() == [0.0, 1.0, 2.0] and pinned.data_ptr() != t.data_ptr()


# ---- constants, type info, printing --------------------------------------------------------------------
def test_constants_and_top_level_helpers():
    assert (microtorch.inf, microtorch.pi, microtorch.e) == (torch.inf, torch.pi, torch.e)
    assert np.isnan(microtorch.nan) and microtorch.newaxis is torch.newaxis is None
    x = microtorch.zeros(3)
    assert x[microtorch.newaxis].shape == (1, 3)
    assert microtorch.is_tensor(x) and not microtorch.is_tensor([1])
    assert microtorch.is_floating_point(x) and microtorch.numel(x) == 3
    assert microtorch.typename(x) == "microtorch.FloatTensor" and microtorch.typename(3) == torch.typename(3) == "int"
    assert microtorch.get_default_dtype() is microtorch.float32


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "bfloat16"])
def test_finfo_matches_torch(name):
    ours, theirs = microtorch.finfo(getattr(microtorch, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name):
    ours, theirs = microtorch.iinfo(getattr(microtorch, name)), torch.iinfo(getattr(torch, name))
    assert (ours.bits, ours.min, ours.max, ours.dtype) == (theirs.bits, theirs.min, theirs.max, theirs.dtype)
    assert repr(ours) == repr(theirs)


def test_type_info_errors_as_torch():
    with pytest.raises(TypeError, match="requires a floating point input type"):
        microtorch.finfo(microtorch.int32)
    with pytest.raises(TypeError, match="requires an integer input type"):
        microtorch.iinfo(microtorch.float32)
    assert microtorch.finfo().dtype == "float32"


@pytest.mark.parametrize("options", [
    dict(precision=2), dict(threshold=5), dict(edgeitems=1, threshold=3), dict(sci_mode=True), dict(sci_mode=False),
    dict(linewidth=30), dict(profile="short"), dict(profile="full"),
])
def test_set_printoptions_is_applied_by_the_repr(options):
    """(A summarised tensor wrapped at a narrow linewidth breaks its lines elsewhere than torch's: not compared.)"""
    def shown(lib):
        lib.set_printoptions(**options)
        try:
            return [repr(t).replace(lib.__name__, "lib") for t in (
                lib.tensor([1.12345, 2.5, 1e-5]), lib.arange(10), lib.tensor([1.0, 2.0]),
                lib.arange(12.0).reshape(3, 4) / 3) + ((lib.arange(2000),) if "linewidth" not in options else ())]
        finally:
            lib.set_printoptions(profile="default")

    assert shown(microtorch) == shown(torch)


def test_format_of_tensors_as_torch():
    for lib in (torch, microtorch):
        assert f"{lib.tensor(106.0)}" == "106.0" and f"{lib.tensor(106.0):.3f}" == "106.000"
        assert f"{lib.tensor(3)}" == "3" and f"{lib.tensor(True)}" == "True"
        assert f"{lib.tensor(1.5, requires_grad=True)}" == "1.5" and "{:>6}".format(lib.tensor(2.5)) == "   2.5"
        assert f"{lib.tensor([1.0, 2.0])}" == "tensor([1., 2.])".replace("tensor", "tensor")
        with pytest.raises(TypeError):
            format(lib.tensor([1.0, 2.0]), ".2f")


def test_memory_formats_are_accepted():
    x = microtorch.arange(24.0).reshape(1, 2, 3, 4)
    for lib, t in ((torch, torch.arange(24.0).reshape(1, 2, 3, 4)), (microtorch, x)):
        assert t.is_contiguous() and not t.is_contiguous(memory_format=lib.channels_last)
        for fmt in (lib.contiguous_format, lib.preserve_format, lib.channels_last):
            assert t.clone(memory_format=fmt).tolist() == t.tolist()
        assert t.contiguous(memory_format=lib.channels_last).tolist() == t.tolist()
        assert t.float(memory_format=lib.preserve_format).dtype == lib.float32
    nhwc = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)  # channels-last strides
    assert nhwc.is_contiguous(memory_format=microtorch.channels_last)


# ---- bfloat16 ---------------------------------------------------------------------------------------------
def test_bfloat16_is_always_referenceable():
    assert repr(microtorch.bfloat16) == "microtorch.bfloat16" and microtorch.bfloat16.is_floating_point
    assert microtorch.bfloat16.itemsize == 2


def test_bfloat16_without_ml_dtypes_names_the_package(tmp_path):
    (tmp_path / "ml_dtypes.py").write_text("raise ImportError('no ml_dtypes here')\n")
    code = ("import microtorch\n"
            "try:\n    microtorch.zeros(2, dtype=microtorch.bfloat16)\n"
            "except RuntimeError as e:\n    print(e)\n")
    env_path = f"{tmp_path}:{microtorch.__path__[0]}/.."
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": env_path, "PATH": ""}, check=True).stdout
    assert "ml_dtypes" in out and "pip install" in out


# ---- legacy names -----------------------------------------------------------------------------------------
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "ByteTensor",
          "CharTensor", "BoolTensor"]


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_tensor_types_as_torch(name):
    ours, theirs = getattr(microtorch, name), getattr(torch, name)
    a, b = ours(2, 3), theirs(2, 3)
    assert tuple(a.shape) == tuple(b.shape) and a.dtype.name == str(b.dtype).split(".")[1]
    data = [[1, 0], [0, 1]]
    assert ours(data).tolist() == theirs(data).tolist() and ours().shape == (0,)
    for other in LEGACY:
        assert isinstance(a, getattr(microtorch, other)) == isinstance(b, getattr(torch, other))
    assert a.type() == f"microtorch.{name}" and b.type() == f"torch.{name}"
    x = microtorch.tensor([1.7, -2.0])
    assert x.type(ours).dtype.name == x.type(f"torch.{name}").dtype.name == a.dtype.name


def test_type_new_data_variable_multinomial_bernoulli():
    x = microtorch.tensor([1.5, 2.5], dtype=microtorch.float64)
    assert x.type(microtorch.int32).tolist() == [1, 2] and x.type("torch.IntTensor").dtype is microtorch.int32
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.NoSuchTensor")
    assert x.new(3).shape == (3,) and x.new(3).dtype is microtorch.float64
    assert x.new([1, 2]).dtype is microtorch.float64 and x.new().shape == (0,)
    w = microtorch.ones(2, requires_grad=True)
    d = w.data
    assert not d.requires_grad and d.data_ptr() == w.data_ptr()
    d.mul_(3)
    assert w.tolist() == [3.0, 3.0]
    w.data = microtorch.zeros(2)
    assert w.tolist() == [0.0, 0.0] and w.requires_grad
    v = microtorch.autograd.Variable(microtorch.ones(2), requires_grad=True)
    assert v.requires_grad and v.is_leaf and isinstance(v, microtorch.autograd.Variable)
    assert isinstance(microtorch.ones(1), microtorch.autograd.Variable)
    microtorch.manual_seed(0)
    draws = microtorch.tensor([0.0, 1.0, 0.0]).multinomial(5, replacement=True)
    assert draws.tolist() == [1] * 5
    assert microtorch.tensor([0.0, 1.0]).bernoulli().tolist() == [0.0, 1.0]


# ---- indexing ---------------------------------------------------------------------------------------------
INDEXES = [
    lambda lib: range(2), lambda lib: (slice(None), range(1, 3)), lambda lib: [0, 1], lambda lib: [[0, 1], [1, 0]],
    lambda lib: [True, False], lambda lib: (lib.tensor([1, 0]), slice(None), slice(1, 3)),
    lambda lib: (lib.tensor([1, 0]), slice(None), [0, 2]), lambda lib: (0, [0, 2], [1, 3]),
    lambda lib: (Ellipsis, [True, False, True, False]), lambda lib: ([0, 1], [[0], [2]]),
    lambda lib: [0, slice(None), 1], lambda lib: (range(2), 0), lambda lib: [[1]],
]


@pytest.mark.parametrize("index", INDEXES)
def test_indexing_forms_as_torch(index):
    results = []
    for lib in (torch, microtorch):
        x = lib.arange(24.0).reshape(2, 3, 4).requires_grad_()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation of list-as-tuple keys
            y = x[index(lib)]
        (y * lib.arange(float(y.numel())).reshape(y.shape)).sum().backward()
        results.append((y.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


def test_negative_steps_are_refused_as_torch():
    for lib in (torch, microtorch):
        x = lib.arange(6.0)
        with pytest.raises(ValueError, match="step must be greater than zero"):
            x[::-1]
        with pytest.raises(ValueError, match="step must be greater than zero"):
            x[::-2] = 0.0
        x[range(2)] = 7.0
        assert x.tolist() == [7.0, 7.0, 2.0, 3.0, 4.0, 5.0]


# ---- compile, jit, onnx, unsupported names -----------------------------------------------------------------
def test_compile_returns_the_model_unchanged():
    model = microtorch.nn.Linear(2, 2)
    assert microtorch.compile(model) is model
    assert microtorch.compile(model, mode="max-autotune", fullgraph=True, dynamic=False, backend="inductor") is model
    assert microtorch.compile()(len) is len and not microtorch.is_compiling()


def test_jit_warns_once_and_returns_the_callable():
    import microtorch.jit as jit

    microtorch._warn_once.given.discard("jit")
    model = microtorch.nn.Linear(2, 2)
    with pytest.warns(UserWarning, match="does not compile"):
        assert jit.script(model) is model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jit.trace(model, microtorch.ones(1, 2)) is model


def test_onnx_and_fx_imports_raise_importerror_naming_the_reason():
    with pytest.raises(ImportError, match="does not support ONNX export"):
        import microtorch.onnx  # noqa: F401
    with pytest.raises(ImportError, match="does not support torch.fx"):
        import microtorch.fx  # noqa: F401


@pytest.mark.parametrize("name", ["sparse_coo", "sparse_csr", "sparse_coo_tensor"])
def test_unsupported_names_say_so(name):
    with pytest.raises(NotImplementedError, match="microtorch does not support"):
        getattr(microtorch, name)
    assert not hasattr(microtorch, name)  # feature probes still work
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        microtorch.no_such_name  # noqa: B018


def test_sparse_and_layout_arguments_say_so():
    with pytest.raises(NotImplementedError, match="microtorch does not support sparse"):
        microtorch.zeros(2, 2).gather(0, microtorch.zeros(1, 2, dtype=microtorch.int64), sparse_grad=True)
    with pytest.raises(NotImplementedError, match="only microtorch.strided"):
        microtorch.zeros(2, layout="sparse")
    assert microtorch.zeros(2, layout=microtorch.strided).shape == (2,)


def test_small_flags_and_to_with_memory_format():
    for lib in (torch, microtorch):
        assert lib.get_float32_matmul_precision() == "highest"
        lib.set_float32_matmul_precision("high")
        assert lib.get_float32_matmul_precision() == "high"
        lib.set_float32_matmul_precision("highest")
        x = lib.ones(1, 2, 2, 2)
        assert x.to(memory_format=lib.channels_last).tolist() == x.tolist()
        assert x.to(lib.float64, memory_format=lib.preserve_format).dtype == lib.float64
    with pytest.raises(NotImplementedError, match="does not support sparse"):
        microtorch.ones(2).to_sparse()


def test_a_list_key_read_as_a_tuple_warns_as_torch():
    for lib in (torch, microtorch):
        x = lib.arange(6.0).reshape(2, 3)
        with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional indexing"):
            assert x[[[0, 1], [1, 2]]].tolist() == [1.0, 5.0]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert x[[0, 1]].shape == (2, 3)  # a flat list of ints is an index list: no warning
