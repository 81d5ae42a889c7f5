"""Activations & Softmax: the reference implementation of the course.

Every function takes any Array API array (NumPy, CuPy, ``array-api-strict``,
...) and returns one of the same library; see the chapters for the derivations.
"""

from . import elementwise as _e, losses as _l, softmax as _s
from .fast_cpu import attach as _attach

for _module in (_e, _s, _l):  # before gated is imported: its activations are these
    _attach(_module)  # large NumPy input takes the compiled loops (activations.fast_cpu)

from .elementwise import *  # noqa: E402,F401,F403
from .elementwise import __all__ as _elementwise  # noqa: E402
from .gated import *  # noqa: E402,F401,F403
from .gated import __all__ as _gated  # noqa: E402
from .losses import *  # noqa: E402,F401,F403
from .losses import __all__ as _losses  # noqa: E402
from .softmax import *  # noqa: E402,F401,F403
from .softmax import __all__ as _softmax  # noqa: E402
from .streaming import *  # noqa: E402,F401,F403
from .streaming import __all__ as _streaming  # noqa: E402

__version__ = "0.1.0"
__all__ = [*_elementwise, *_gated, *_softmax, *_losses, *_streaming]
from .sampling import *  # noqa: E402,F401,F403
from .sampling import __all__ as _sampling  # noqa: E402
__all__ += _sampling
from .family import *  # noqa: E402,F401,F403
from .family import __all__ as _family  # noqa: E402
__all__ += _family
