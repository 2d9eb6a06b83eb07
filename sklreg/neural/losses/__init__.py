"""Loss functions of sklreg's torch estimators, usable on their own."""

from ._contrastive import (
    ConRLoss,
    NTXentLoss,
    RankNContrastLoss,
    SupConLoss,
    conr_loss,
    label_density_weights,
    nt_xent_loss,
    rank_n_contrast_loss,
    supcon_loss,
)
from ._ldam import (
    ClassBalancedCrossEntropy,
    FocalLoss,
    LDAMLoss,
    effective_number_weights,
    ldam_margins,
)

__all__ = []
__all__ += [
    "ClassBalancedCrossEntropy",
    "FocalLoss",
    "LDAMLoss",
    "effective_number_weights",
    "ldam_margins",
]
__all__ += [
    "ConRLoss",
    "NTXentLoss",
    "RankNContrastLoss",
    "SupConLoss",
    "conr_loss",
    "label_density_weights",
    "nt_xent_loss",
    "rank_n_contrast_loss",
    "supcon_loss",
]
