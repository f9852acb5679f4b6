"""torch's documentation groups, written from the structure of torch's docs (``torch.rst``, ``nn.rst``, ...;
those files are not in the wheel): for each namespace, (group title, the names torch's page lists in it).

``tools/api_reference.py`` files every torch name under the first group that lists it; a name no group lists
goes to its namespace's "Other" group. Namespaces not listed in ``NAMESPACES`` are not scanned.
"""
from __future__ import annotations

#: the torch namespaces the reference covers, in page order, with the title of each section
NAMESPACES: list[tuple[str, str]] = [
    ("torch", "torch"),
    ("torch.Tensor", "torch.Tensor"),
    ("torch.nn", "torch.nn"),
    ("torch.nn.functional", "torch.nn.functional"),
    ("torch.nn.init", "torch.nn.init"),
    ("torch.nn.utils", "torch.nn.utils"),
    ("torch.optim", "torch.optim"),
    ("torch.optim.lr_scheduler", "torch.optim.lr_scheduler"),
    ("torch.linalg", "torch.linalg"),
    ("torch.special", "torch.special"),
    ("torch.fft", "torch.fft"),
    ("torch.autograd", "torch.autograd"),
    ("torch.autograd.functional", "torch.autograd.functional"),
    ("torch.utils.data", "torch.utils.data"),
    ("torch.distributions", "torch.distributions"),
    ("torch.func", "torch.func"),
    ("torch.amp", "torch.amp"),
    ("torch.cuda", "torch.cuda"),
    ("torch.distributed", "torch.distributed"),
    ("torch.jit", "torch.jit"),
]

GROUPS: dict[str, list[tuple[str, str]]] = {
    "torch": [
        ("Tensors", "is_tensor is_storage is_complex is_conj is_floating_point is_nonzero set_default_dtype "
                    "get_default_dtype set_default_device get_default_device set_default_tensor_type numel "
                    "set_printoptions set_flush_denormal"),
        ("Creation ops", "tensor sparse_coo_tensor sparse_csr_tensor sparse_csc_tensor sparse_bsr_tensor "
                         "sparse_bsc_tensor asarray as_tensor as_strided from_file from_numpy from_dlpack frombuffer "
                         "zeros zeros_like ones ones_like arange range linspace logspace eye empty empty_like "
                         "empty_strided full full_like quantize_per_tensor quantize_per_channel dequantize complex "
                         "polar heaviside"),
        ("Indexing, slicing, joining, mutating ops",
         "adjoint argwhere cat concat concatenate conj chunk dsplit column_stack dstack gather hsplit hstack "
         "index_add index_copy index_reduce index_select masked_select movedim moveaxis narrow narrow_copy nonzero "
         "permute reshape row_stack select scatter diagonal_scatter select_scatter slice_scatter scatter_add "
         "scatter_reduce segment_reduce split squeeze stack swapaxes swapdims t take take_along_dim tensor_split "
         "tile transpose unbind unravel_index unsqueeze vsplit vstack where"),
        ("Accelerators", "Stream Event"),
        ("Generators", "Generator"),
        ("Random sampling", "seed manual_seed initial_seed get_rng_state set_rng_state bernoulli multinomial normal "
                            "poisson rand rand_like randint randint_like randn randn_like randperm"),
        ("Serialization", "save load"),
        ("Parallelism", "get_num_threads set_num_threads get_num_interop_threads set_num_interop_threads"),
        ("Locally disabling gradient computation", "no_grad enable_grad set_grad_enabled is_grad_enabled "
                                                   "inference_mode is_inference_mode_enabled"),
        ("Math operations: constants", "inf pi e nan"),
        ("Math operations: pointwise",
         "abs absolute acos arccos acosh arccosh add addcdiv addcmul angle asin arcsin asinh arcsinh atan arctan "
         "atanh arctanh atan2 arctan2 bitwise_not bitwise_and bitwise_or bitwise_xor bitwise_left_shift "
         "bitwise_right_shift ceil clamp clip conj_physical copysign cos cosh deg2rad div divide digamma erf erfc "
         "erfinv exp exp2 expm1 fake_quantize_per_channel_affine fake_quantize_per_tensor_affine fix float_power "
         "floor floor_divide fmod frac frexp gradient imag ldexp lerp lgamma log log10 log1p log2 logaddexp "
         "logaddexp2 logical_and logical_not logical_or logical_xor logit hypot i0 igamma igammac mul multiply "
         "mvlgamma nan_to_num neg negative nextafter polygamma positive pow quantized_batch_norm "
         "quantized_max_pool1d quantized_max_pool2d rad2deg real reciprocal remainder round rsqrt sigmoid sign sgn "
         "signbit sin sinc sinh softmax sqrt square sub subtract tan tanh true_divide trunc xlogy"),
        ("Math operations: reduction",
         "argmax argmin amax amin aminmax all any max min dist logsumexp mean nanmean median nanmedian mode norm "
         "nansum prod quantile nanquantile std std_mean sum unique unique_consecutive var var_mean count_nonzero"),
        ("Math operations: comparison",
         "allclose argsort eq equal ge greater_equal gt greater isclose isfinite isin isinf isposinf isneginf isnan "
         "isreal kthvalue le less_equal lt less maximum minimum fmax fmin ne not_equal sort topk msort"),
        ("Math operations: spectral", "stft istft bartlett_window blackman_window hamming_window hann_window "
                                      "kaiser_window"),
        ("Math operations: other",
         "atleast_1d atleast_2d atleast_3d bincount block_diag broadcast_tensors broadcast_to broadcast_shapes "
         "bucketize cartesian_prod cdist clone combinations corrcoef cov cross cummax cummin cumprod cumsum diag "
         "diag_embed diagflat diagonal diff einsum flatten flip fliplr flipud kron rot90 gcd histc histogram "
         "histogramdd meshgrid lcm logcumsumexp ravel renorm repeat_interleave roll searchsorted tensordot trace "
         "tril tril_indices triu triu_indices unflatten vander view_as_real view_as_complex resolve_conj "
         "resolve_neg"),
        ("Math operations: BLAS and LAPACK",
         "addbmm addmm addmv addr baddbmm bmm chain_matmul cholesky cholesky_inverse cholesky_solve dot geqrf ger "
         "inner inverse det logdet slogdet lu lu_solve lu_unpack matmul matrix_power matrix_exp mm mv orgqr ormqr "
         "outer pinverse qr svd svd_lowrank pca_lowrank lobpcg trapz trapezoid cumulative_trapezoid "
         "triangular_solve vdot"),
        ("Utilities", "compiled_with_cxx11_abi result_type can_cast promote_types use_deterministic_algorithms "
                      "are_deterministic_algorithms_enabled is_deterministic_algorithms_warn_only_enabled "
                      "set_deterministic_debug_mode get_deterministic_debug_mode set_float32_matmul_precision "
                      "get_float32_matmul_precision set_warn_always get_device_module is_warn_always_enabled vmap"),
        ("Optimizations", "compile"),
        ("Data types", "dtype bool uint8 int8 int16 int32 int64 float16 bfloat16 float32 float64 half float double "
                       "short int long finfo iinfo"),
        ("Devices and layouts", "device layout strided memory_format contiguous_format channels_last "
                                "channels_last_3d preserve_format"),
    ],
    "torch.nn": [
        ("Containers", "Module Sequential ModuleList ModuleDict ParameterList ParameterDict"),
        ("Convolution layers", "Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d "
                               "LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d "
                               "Unfold Fold"),
        ("Pooling layers", "MaxPool1d MaxPool2d MaxPool3d MaxUnpool1d MaxUnpool2d MaxUnpool3d AvgPool1d AvgPool2d "
                           "AvgPool3d FractionalMaxPool2d FractionalMaxPool3d LPPool1d LPPool2d LPPool3d "
                           "AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d AdaptiveAvgPool1d "
                           "AdaptiveAvgPool2d AdaptiveAvgPool3d"),
        ("Padding layers", "ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d "
                           "ReplicationPad3d ZeroPad1d ZeroPad2d ZeroPad3d ConstantPad1d ConstantPad2d "
                           "ConstantPad3d CircularPad1d CircularPad2d CircularPad3d"),
        ("Non-linear activations (weighted sum, nonlinearity)",
         "ELU Hardshrink Hardsigmoid Hardtanh Hardswish LeakyReLU LogSigmoid MultiheadAttention PReLU ReLU ReLU6 "
         "RReLU SELU CELU GELU Sigmoid SiLU Mish Softplus Softshrink Softsign Tanh Tanhshrink Threshold GLU"),
        ("Non-linear activations (other)", "Softmin Softmax Softmax2d LogSoftmax AdaptiveLogSoftmaxWithLoss"),
        ("Normalization layers", "BatchNorm1d BatchNorm2d BatchNorm3d LazyBatchNorm1d LazyBatchNorm2d "
                                 "LazyBatchNorm3d GroupNorm SyncBatchNorm InstanceNorm1d InstanceNorm2d "
                                 "InstanceNorm3d LazyInstanceNorm1d LazyInstanceNorm2d LazyInstanceNorm3d LayerNorm "
                                 "LocalResponseNorm RMSNorm"),
        ("Recurrent layers", "RNNBase RNN LSTM GRU RNNCell LSTMCell GRUCell RNNCellBase"),
        ("Transformer layers", "Transformer TransformerEncoder TransformerDecoder TransformerEncoderLayer "
                               "TransformerDecoderLayer"),
        ("Linear layers", "Identity Linear Bilinear LazyLinear"),
        ("Dropout layers", "Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout"),
        ("Sparse layers", "Embedding EmbeddingBag"),
        ("Distance functions", "CosineSimilarity PairwiseDistance"),
        ("Loss functions", "L1Loss MSELoss CrossEntropyLoss CTCLoss NLLLoss PoissonNLLLoss GaussianNLLLoss KLDivLoss "
                           "BCELoss BCEWithLogitsLoss MarginRankingLoss HingeEmbeddingLoss MultiLabelMarginLoss "
                           "HuberLoss SmoothL1Loss SoftMarginLoss MultiLabelSoftMarginLoss CosineEmbeddingLoss "
                           "MultiMarginLoss TripletMarginLoss TripletMarginWithDistanceLoss"),
        ("Vision layers", "PixelShuffle PixelUnshuffle Upsample UpsamplingNearest2d UpsamplingBilinear2d"),
        ("Shuffle layers", "ChannelShuffle"),
        ("DataParallel layers", "DataParallel"),
        ("Utilities", "Parameter UninitializedParameter UninitializedBuffer Buffer"),
    ],
    "torch.nn.functional": [
        ("Convolution functions", "conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d unfold "
                                  "fold"),
        ("Pooling functions", "avg_pool1d avg_pool2d avg_pool3d max_pool1d max_pool2d max_pool3d max_unpool1d "
                              "max_unpool2d max_unpool3d lp_pool1d lp_pool2d lp_pool3d adaptive_max_pool1d "
                              "adaptive_max_pool2d adaptive_max_pool3d adaptive_avg_pool1d adaptive_avg_pool2d "
                              "adaptive_avg_pool3d fractional_max_pool2d fractional_max_pool3d"),
        ("Attention mechanisms", "scaled_dot_product_attention"),
        ("Non-linear activation functions",
         "threshold threshold_ relu relu_ hardtanh hardtanh_ hardswish relu6 elu elu_ selu celu leaky_relu "
         "leaky_relu_ prelu rrelu rrelu_ glu gelu logsigmoid hardshrink tanhshrink softsign softplus softmin "
         "softmax softshrink gumbel_softmax log_softmax tanh sigmoid hardsigmoid silu mish batch_norm group_norm "
         "instance_norm layer_norm local_response_norm rms_norm normalize"),
        ("Linear functions", "linear bilinear"),
        ("Dropout functions", "dropout alpha_dropout feature_alpha_dropout dropout1d dropout2d dropout3d"),
        ("Sparse functions", "embedding embedding_bag one_hot"),
        ("Distance functions", "pairwise_distance cosine_similarity pdist"),
        ("Loss functions", "binary_cross_entropy binary_cross_entropy_with_logits poisson_nll_loss "
                           "cosine_embedding_loss cross_entropy ctc_loss gaussian_nll_loss hinge_embedding_loss "
                           "kl_div l1_loss mse_loss margin_ranking_loss multilabel_margin_loss "
                           "multilabel_soft_margin_loss multi_margin_loss nll_loss huber_loss smooth_l1_loss "
                           "soft_margin_loss triplet_margin_loss triplet_margin_with_distance_loss"),
        ("Vision functions", "pixel_shuffle pixel_unshuffle pad interpolate upsample upsample_nearest "
                             "upsample_bilinear grid_sample affine_grid"),
    ],
    "torch.optim": [
        ("Optimizers", "Optimizer Adadelta Adafactor Adagrad Adam AdamW SparseAdam Adamax ASGD LBFGS NAdam RAdam "
                       "RMSprop Rprop SGD Muon"),
    ],
    "torch.optim.lr_scheduler": [
        ("Learning-rate schedulers", "LRScheduler LambdaLR MultiplicativeLR StepLR MultiStepLR ConstantLR LinearLR "
                                     "ExponentialLR PolynomialLR CosineAnnealingLR ChainedScheduler SequentialLR "
                                     "ReduceLROnPlateau CyclicLR OneCycleLR CosineAnnealingWarmRestarts"),
    ],
    "torch.autograd": [
        ("Gradient computation", "backward grad"),
        ("Custom functions", "Function"),
        ("Grad mode", "no_grad enable_grad set_grad_enabled inference_mode"),
        ("Anomaly detection", "detect_anomaly set_detect_anomaly"),
    ],
    "torch.utils.data": [
        ("Datasets", "Dataset IterableDataset TensorDataset StackDataset ConcatDataset ChainDataset Subset "
                     "random_split"),
        ("Samplers", "Sampler SequentialSampler RandomSampler SubsetRandomSampler WeightedRandomSampler "
                     "BatchSampler DistributedSampler"),
        ("Loading batches", "DataLoader default_collate default_convert get_worker_info"),
    ],
}
