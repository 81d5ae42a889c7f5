"""Model solution (chapter "Training dynamics"): the standard deviations of two initialisations."""

import math


def xavier_std(fan_in, fan_out):
    """Glorot & Bengio (2010), normal form: sqrt(2 / (fan_in + fan_out))."""
    return math.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in):
    """He et al. (2015), for ReLU layers: sqrt(2 / fan_in)."""
    return math.sqrt(2.0 / fan_in)
