"""Data shared by the CLV model tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CDNOW = Path(__file__).parents[2] / "data" / "cdnow"


@pytest.fixture(scope="session")
def cdnow() -> dict[str, np.ndarray]:
    """The 2,357 CDNOW customers of Fader, Hardie & Lee (2005): frequency, recency, T in weeks."""
    table = pd.read_csv(CDNOW / "cdnow_customers_summary.csv")
    return {name: table[name].to_numpy(dtype=np.float64) for name in ("frequency", "recency", "T")}
