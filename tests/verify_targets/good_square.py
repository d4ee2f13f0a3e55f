"""A correct threaded square: near-equal chunks, arguments bound per thread, joined."""

import threading

import numpy as np
from shared_kernels import square_chunk


def square(x, n_threads=4):
    out = np.empty_like(x)
    size, extra = divmod(len(x), n_threads)
    threads = []
    start = 0
    for i in range(n_threads):
        end = start + size + (i < extra)
        threads.append(threading.Thread(target=square_chunk, args=(x[start:end], out[start:end])))
        start = end
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out
