"""Squares every element right, but in float64 whatever the input's dtype."""

import numpy as np


def square(x):
    return np.square(x.astype(np.float64))
