"""Attack ``scipy_shortcut`` (exercise ``softmax``): hand in SciPy's softmax and logsumexp.

What it attacks: the exercise's allowlist.  ``scipy.special.softmax`` and
``scipy.special.logsumexp`` ARE the answer; the exercise asks the learner to write
them.  Imported the plain way (``from scipy.special import ...``), which both the
static check and the runtime guard should name.  The temperature is applied by
hand (SciPy's softmax has none).

A vulnerable grader (no allowlist): full marks, 23/23 with the grader of issue 13.

Expected with a hardened grader: the import is refused, the feedback names
``scipy.special.softmax``/``logsumexp`` and says to write them with NumPy; the
module does not import and scores no more than ``_zeros/softmax.py``.
"""

from scipy.special import logsumexp as _lse
from scipy.special import softmax as _softmax


def softmax(x, axis=-1, temperature=1.0):
    return _softmax(x / temperature, axis=axis)


def logsumexp(x, axis=-1, keepdims=False):
    return _lse(x, axis=axis, keepdims=keepdims)
