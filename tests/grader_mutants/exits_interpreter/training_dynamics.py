"""Mistake: a function that ends the interpreter (os._exit) instead of returning."""
import math
import os


def xavier_std(fan_in, fan_out):
    os._exit(3)


def he_std(fan_in):
    return math.sqrt(2.0 / fan_in)
