"""Chân Dung: a self-hosted customer-intelligence workbench.

One clean, private customer file; the value of every customer; segments; data-driven personas.

>>> import chandung
>>> chandung.__version__ == chandung._version.__version__
True
"""

from ._version import __version__
from .errors import ChandungError
from .workspace import Workspace

__all__ = ["ChandungError", "Workspace", "__version__"]
