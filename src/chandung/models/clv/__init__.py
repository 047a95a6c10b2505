"""Customer-lifetime-value models: scikit-learn-style estimators fitted by maximum likelihood."""

from .beta_geo import BetaGeo
from .pareto_nbd import ParetoNBD

__all__ = ["BetaGeo", "ParetoNBD"]
