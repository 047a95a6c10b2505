"""Customer-lifetime-value models: scikit-learn-style estimators fitted by maximum likelihood.

>>> from chandung.models.clv import BetaGeo
>>> model = BetaGeo().fit([0, 2, 1, 0, 5, 3, 0, 1, 4, 2, 0, 1], [0, 30, 12, 0, 35, 20, 0, 5,
...     33, 25, 0, 18], [39] * 12)
>>> sorted(model.params_)
['a', 'alpha', 'b', 'r']
"""

from .beta_geo import BetaGeo
from .beta_geo_beta_binom import BetaGeoBetaBinom
from .gamma_gamma import GammaGamma
from .lifetime_value import customer_lifetime_value
from .pareto_nbd import ParetoNBD
from .shifted_beta_geometric import ShiftedBetaGeometric

__all__ = [
    "BetaGeo",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "ParetoNBD",
    "ShiftedBetaGeometric",
    "customer_lifetime_value",
]
