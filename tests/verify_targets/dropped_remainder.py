"""Floor-division chunks: the last n % n_threads elements are never written (NBL005)."""

import threading

from shared_kernels import square_chunk


def square(x, out, n_threads):
    chunk = len(x) // n_threads
    threads = [
        threading.Thread(
            target=square_chunk, args=(x[i * chunk : (i + 1) * chunk], out[i * chunk : (i + 1) * chunk])
        )
        for i in range(n_threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def total(x, n_threads):
    chunk = len(x) // n_threads
    return sum(int(x[i * chunk : (i + 1) * chunk].sum()) for i in range(n_threads))
