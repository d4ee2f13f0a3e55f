"""Lambdas made in a loop read the loop variables when they run: after the loop, so every
worker squares the last chunk (NBL002)."""

from concurrent.futures import ThreadPoolExecutor

from shared_kernels import square_chunk


def near_equal_bounds(n, k):
    size, extra = divmod(n, k)
    ends = [(i + 1) * size + min(i + 1, extra) for i in range(k)]
    return list(zip([0] + ends[:-1], ends))


def square(x, out, n_threads):
    tasks = []
    for start, end in near_equal_bounds(len(x), n_threads):
        tasks.append(lambda: square_chunk(x[start:end], out[start:end]))
    with ThreadPoolExecutor(n_threads) as pool:
        for task in tasks:
            pool.submit(task)
