"""A correct nogil kernel the sample user modules share, so each shows only its own mistake."""

from numba import njit


@njit(nogil=True)
def square_chunk(x, out):
    for i in range(x.shape[0]):
        out[i] = x[i] * x[i]
