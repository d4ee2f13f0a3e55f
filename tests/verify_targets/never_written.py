"""The kernel returns a new array, the threads throw it away, `out` is never written (NBL006)."""

import threading

import numpy as np
from numba import njit


@njit(nogil=True)
def squared(x):
    return x * x


def square(x, out):
    threads = [threading.Thread(target=squared, args=(part,)) for part in np.array_split(x, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
