"""A one-parameter kernel given two arguments: each thread raises TypeError, which Python
only prints, and the function returns as if it had worked (NBL001)."""

import threading

import numpy as np
from numba import njit


@njit(nogil=True)
def squared(x):
    return x * x


def square(x):
    out = np.zeros_like(x)
    thread = threading.Thread(target=squared, args=(x, out))
    thread.start()
    thread.join()
    return out
