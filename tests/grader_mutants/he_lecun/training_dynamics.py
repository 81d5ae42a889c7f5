"""Mistake: LeCun's sqrt(1/fan_in) handed in as He's."""
import math


def xavier_std(fan_in, fan_out):
    return math.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in):
    return math.sqrt(1.0 / fan_in)
