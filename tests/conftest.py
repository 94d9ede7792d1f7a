import os
import numpy as np
import pytest
from hypothesis import settings

settings.register_profile('minigrad', max_examples=40, deadline=None)
settings.load_profile('minigrad')


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope='module')
def torch():
    """PyTorch as an optional oracle (the test skips without it), on one thread:
    its pool costs milliseconds per tiny op on a busy machine."""
    torch = pytest.importorskip('torch')
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


# One BLAS thread: on a 2-core machine, OpenBLAS threads fighting the test
# runner make small matrix products erratically slow. The environment variable
# reaches the examples the tests start as subprocesses.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
try:
    from threadpoolctl import threadpool_limits
except ImportError:
    pass
else:
    threadpool_limits(1)
