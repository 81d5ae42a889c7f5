"""Activations & Softmax: the reference implementation of the course.

Every function takes any Array API array (NumPy, CuPy, ``array-api-strict``,
...) and returns one of the same library; see the chapters for the derivations.
"""

from .elementwise import *  # noqa: F401,F403
from .elementwise import __all__ as _elementwise
from .gated import *  # noqa: F401,F403
from .gated import __all__ as _gated
from .losses import *  # noqa: F401,F403
from .losses import __all__ as _losses
from .softmax import *  # noqa: F401,F403
from .softmax import __all__ as _softmax
from .streaming import *  # noqa: F401,F403
from .streaming import __all__ as _streaming

__version__ = "0.1.0"
__all__ = [*_elementwise, *_gated, *_softmax, *_losses, *_streaming]
from .sampling import *  # noqa: E402,F401,F403
from .sampling import __all__ as _sampling  # noqa: E402
__all__ += _sampling
