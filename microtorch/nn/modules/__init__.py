"""The layer classes of ``microtorch.nn``, one family per file."""
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .activation import (
    CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU,
    ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus, Softsign, Tanh,
)
from .attention import MultiheadAttention
from .container import Container, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .conv import LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d
from .linear import LazyLinear
from .linear import Bilinear, Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss
from .module import Module
from .batchnorm import BatchNorm1d, BatchNorm2d, LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d
from .normalization import GroupNorm, LayerNorm
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .sparse import Embedding
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .transformer import (
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
from . import channelshuffle, distance, instancenorm, padding, pixelshuffle, upsampling
from .activation import Hardshrink, RReLU, Softmax2d, Softshrink, Tanhshrink, Threshold
from .channelshuffle import ChannelShuffle
from .conv import Conv3d, ConvTranspose3d
from .distance import CosineSimilarity, PairwiseDistance
from .fold import Fold, Unfold
from .sparse import EmbeddingBag
from .dropout import AlphaDropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .instancenorm import (InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LazyInstanceNorm1d, LazyInstanceNorm2d,
                           LazyInstanceNorm3d)
from .loss import (
    CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, MarginRankingLoss, MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss,
    TripletMarginWithDistanceLoss, CTCLoss, NLLLoss2d,
)
from .batchnorm import BatchNorm3d, SyncBatchNorm
from .normalization import LocalResponseNorm, RMSNorm
from .padding import *  # noqa: F401,F403
from .pixelshuffle import PixelShuffle, PixelUnshuffle
from .pooling import (
    AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool3d, FractionalMaxPool2d,
    FractionalMaxPool3d, LPPool1d, LPPool2d, LPPool3d, MaxPool3d, MaxUnpool1d,
    MaxUnpool2d, MaxUnpool3d,
)
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .loss import LinearCrossEntropyLoss
from .linear_cross_entropy_options import LinearCrossEntropyOptions

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten",
    "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Dropout",
    "Embedding", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Mish", "Softplus", "Hardtanh", "ReLU6", "Sigmoid",
    "Tanh", "Softmax", "LogSoftmax", "L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
    "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "LogSigmoid", "Softmin", "GLU", "Hardswish", "Hardsigmoid", "SELU",
    "CELU", "Softsign", "PReLU", "MultiheadAttention",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
    "Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer", "TransformerDecoderLayer",
    "ParameterList", "ParameterDict",
    "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d",
]
__all__ += [
    "Threshold", "Hardshrink", "Softshrink", "Tanhshrink", "RReLU", "Softmax2d", "ChannelShuffle", "PairwiseDistance",
    "CosineSimilarity", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
    "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "CosineEmbeddingLoss", "MarginRankingLoss",
    "HingeEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss", "MultiMarginLoss",
    "GaussianNLLLoss", "PoissonNLLLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "BatchNorm3d",
    "RMSNorm", "LocalResponseNorm", "PixelShuffle", "PixelUnshuffle", "AdaptiveAvgPool3d", "Upsample",
    "UpsamplingNearest2d", "UpsamplingBilinear2d", "LinearCrossEntropyLoss", "LinearCrossEntropyOptions", "Conv3d", "ConvTranspose3d",
    "MaxPool3d", "AvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "FractionalMaxPool2d",
    "FractionalMaxPool3d", "LPPool1d", "LPPool2d", "MaxUnpool1d",
    "MaxUnpool2d", "Fold", "Unfold", "EmbeddingBag", "CTCLoss", "MaxUnpool3d", "LazyConv3d", "LazyConvTranspose3d",
    "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
    "LazyInstanceNorm3d", "LPPool3d", "NLLLoss2d", "Container", "AdaptiveLogSoftmaxWithLoss", "SyncBatchNorm",
] + padding.__all__
