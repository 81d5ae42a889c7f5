"""Exercise (chapter "Training dynamics"): the standard deviations of two initialisations.

Grade with ``.venv/bin/python -m activations.grade training_dynamics``.
"""

import math


def xavier_std(fan_in, fan_out):
    r"""Standard deviation of Glorot & Bengio's (2010) NORMAL initialisation,
    :math:`\sqrt{2/(\text{fan\_in} + \text{fan\_out})}`.

    Return a float (the standard deviation, not the variance, and not the bound of the
    uniform variant).
    """
    raise NotImplementedError


def he_std(fan_in):
    r"""Standard deviation of He et al.'s (2015) normal initialisation for ReLU layers,
    :math:`\sqrt{2/\text{fan\_in}}`.  Return a float."""
    raise NotImplementedError
