import os
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import settings

# This checkout's minigrad, in this process and in every process the tests start (the
# examples, notebook kernels), from any working directory: a minigrad installed from another
# checkout (`pip install -e`) must not stand in for it. A script's own folder comes first on
# its sys.path, so `python examples/x.py` would otherwise import the installed one.
ROOT = str(pathlib.Path(__file__).resolve().parents[1])
sys.path.insert(0, ROOT)
os.environ['PYTHONPATH'] = os.pathsep.join(
    [ROOT] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p and p != ROOT])

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
