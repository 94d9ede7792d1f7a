import numpy as np
import pytest
from hypothesis import settings

settings.register_profile('minigrad', max_examples=40, deadline=None)
settings.load_profile('minigrad')


@pytest.fixture
def rng():
    return np.random.default_rng(0)
