"""The benchmark script runs, and its hand-written NumPy gradients agree with minigrad's
(timings are not asserted: speed is shown by running benchmarks/run.py, not by tests)."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest

RUN = pathlib.Path(__file__).resolve().parents[1] / 'benchmarks' / 'run.py'


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location('bench_run', RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_run_writes_every_workload(bench, tmp_path, capsys):
    out = tmp_path / 'bench.json'
    bench.main(['--tiny', '--no-torch', '--json', str(out)])
    results = json.loads(out.read_text())
    expected = set(bench.MLPS) | set(bench.layer_workloads(tiny=True)) | {
        'deep-chain', 'inplace-unrelated', 'op-add', 'op-expr10', 'op-view', 'op-tensor-lookup', 'op-module-lookup'}
    assert {'cnn-lenet', 'lstm-2layer', 'gru-2layer', 'char-transformer'} <= expected
    assert set(results['workloads']) == expected
    for name in bench.MLPS:
        timing = results['workloads'][name]
        assert timing['minigrad']['median'] > 0 and timing['ratio_vs_numpy'] > 0
    assert results['memory']['steps'] == 200
    assert 'mlp-small' in capsys.readouterr().out


@pytest.mark.parametrize('name', ['mlp-small', 'mse-vs-ce'])
def test_hand_written_gradients_match_minigrad(bench, name):
    sizes, activation, batch, loss = bench.QUICK_SIZES[name]
    weights, x, y = bench.make_problem(sizes, batch)
    assert bench.check_gradients(weights, x, y, activation, loss)


def test_gradient_check_catches_a_wrong_hand_gradient(bench, monkeypatch):
    sizes, activation, batch, loss = bench.QUICK_SIZES['mlp-small']
    weights, x, y = bench.make_problem(sizes, batch)
    honest = bench.numpy_step

    def off_by_a_bit(*args):
        step, grads = honest(*args)

        def wrong():
            step()
            grads[0] = (grads[0][0] * 1.01, grads[0][1])
        return wrong, grads
    monkeypatch.setattr(bench, 'numpy_step', off_by_a_bit)
    with pytest.raises(AssertionError, match='differs'):
        bench.check_gradients(weights, x, y, activation, loss)


def test_expression_by_hand_matches_the_engine(bench):
    bench.overhead_steps(quick=True)        # asserts the hand-written dx, dy internally
    rng = np.random.default_rng(1)
    xa, ya = rng.standard_normal((2, 3, 3))
    value, _, _ = bench.expression_numpy(xa, ya)
    f = np.tanh(xa * ya + xa) * ya - np.exp(xa)
    assert value == pytest.approx((f * f * 0.5 + ya).sum())


def test_profile_step_times_each_phase_of_both_steps(capsys):
    spec = importlib.util.spec_from_file_location('profile_step', RUN.parent / 'profile_step.py')
    profile_step = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(profile_step)
    results = profile_step.main(['--tiny'])
    for name in ('mlp-small', 'mlp-mnist', 'mse-vs-ce'):
        phases = results[name]
        assert list(phases) == ['forward', 'loss', 'backward', 'update']
        assert all(row['minigrad'] > 0 and row['numpy'] > 0 for row in phases.values())
        assert phases['forward']['calls'] >= 5          # Sequential, its layers, their ops
    assert results['engine_floor_us']['forward'] > 0
    assert 'engine alone, per op' in capsys.readouterr().out
