"""Baseline for the red-team suite: every function returns 0.0."""


def xavier_std(fan_in, fan_out):
    return 0.0


def he_std(fan_in):
    return 0.0
