"""Where a training step's time goes: each phase of minigrad's step against the same phase
written by hand in NumPy, the Python calls minigrad makes in it, and the engine's own floor.

    python benchmarks/profile_step.py           # mlp-small, mlp-mnist, mse-vs-ce (a minute)
    python benchmarks/profile_step.py --tiny    # toy sizes: checks that it runs (the tests)

The steps are benchmarks/run.py's, split into four phases: forward (zero_grad, then the
model), loss (minigrad: the loss op; by hand: the loss and its fused gradient), backward and
the SGD update. The phases of the two steps run interleaved, each timed alone; the numbers are
medians. Hand-written NumPy is the floor for the arrays' work: no engine does less NumPy work
than the same math written out. What minigrad adds on top is Python: the calls counted here
(cProfile: functions written in Python, NumPy's C functions not counted), and the engine's
share of it, measured apart on an op that does no NumPy work at all.
"""
import argparse
import cProfile
import gc
import importlib.util
import os
import statistics
import time

import numpy as np

import minigrad as mg
from minigrad.autograd.graph import Op


def load_run():
    """benchmarks/run.py, loaded by path (this file runs as a script and from the tests)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'run.py')
    spec = importlib.util.spec_from_file_location('bench_run', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def phase_times(mine, hand, rounds):
    """Median seconds of each phase of both steps, interleaved step by step."""
    times = {(who, p): [] for who in ('minigrad', 'numpy') for p in mine}
    clock = time.perf_counter
    for r in range(rounds):
        for who, phases in ((('minigrad', mine), ('numpy', hand)) if r % 2 else
                            (('numpy', hand), ('minigrad', mine))):
            for name, call in phases.items():
                start = clock()
                call()
                times[who, name].append(clock() - start)
    return {key: statistics.median(v) for key, v in times.items()}


def python_calls(phases, steps):
    """Calls of Python functions per step in each phase (cProfile's count, C functions left out)."""
    counts = {}
    for name in phases:
        profile = cProfile.Profile()
        for _ in range(steps):
            for other, call in phases.items():
                if other == name:
                    profile.enable()
                    call()
                    profile.disable()
                else:
                    call()
        profile.create_stats()
        counts[name] = sum(calls for (path, _, _), (_, calls, *_) in profile.stats.items()
                           if path != '~') / steps
    return counts


class Identity(Op):
    """d x = dx: an op that does no NumPy work, to time the engine alone."""
    def forward(self, x):
        return x

    def backward(self, grad):
        return grad


def engine_floor(repeats):
    """Microseconds per op of the engine alone: forward (record a node), forward + backward
    (the walk too), and the fixed cost of one backward (seed, start, leaf's .grad)."""
    x = mg.randn(4, 4, requires_grad=True)
    seed = np.ones((4, 4), np.float32)

    def run(depth, backward):
        def go():
            y = x
            for _ in range(depth):
                y = Identity.apply(y)
            if backward:
                y.backward(seed)
                x.grad = None
        return min(_seconds(go) for _ in range(repeats)) * 1e6
    short, long_ = 1, 101
    forward = (run(long_, False) - run(short, False)) / (long_ - short)
    both = (run(long_, True) - run(short, True)) / (long_ - short)
    return {'forward': forward, 'forward_and_backward': both,
            'per_backward': run(short, True) - both}


def _seconds(call, number=200):
    start = time.perf_counter()
    for _ in range(number):
        call()
    return (time.perf_counter() - start) / number


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tiny', action='store_true', help='toy sizes, a few rounds (the tests)')
    args = parser.parse_args(argv)
    run = load_run()
    limiter = run.set_threads(1)
    gc.collect()
    gc.freeze()
    sizes = run.QUICK_SIZES if args.tiny else run.MLPS
    results = {}
    for name in ('mlp-small', 'mlp-mnist', 'mse-vs-ce'):
        problem = sizes[name]
        weights, x, y = run.make_problem(problem[0], problem[2])
        mine, _ = run.minigrad_phases(weights, x, y, problem[1], problem[3])
        hand, _ = run.numpy_phases(weights, x, y, problem[1], problem[3])
        for phases in (mine, hand):             # warm up
            for _ in range(3 if args.tiny else 200):
                run.in_turn(phases)()
        rounds = 5 if args.tiny else 3000 if name == 'mlp-small' else 1000
        times = phase_times(mine, hand, rounds)
        calls = python_calls(mine, 2 if args.tiny else 100)
        results[name] = report(name, times, calls)
    floor = engine_floor(2 if args.tiny else 20)
    results['engine_floor_us'] = floor
    print(f'engine alone, per op: forward {floor["forward"]:.2f} µs, forward + backward '
          f'{floor["forward_and_backward"]:.2f} µs; per backward call {floor["per_backward"]:.1f} µs')
    if limiter is not None:
        limiter.restore_original_limits()
    gc.unfreeze()
    return results


def report(name, times, calls):
    """Prints one workload's phases; returns them as {phase: {minigrad, numpy, calls}} (µs)."""
    rows, total = {}, {'minigrad': 0.0, 'numpy': 0.0}
    print(f'{name}: phase, minigrad, hand-written NumPy, minigrad extra, Python calls')
    for phase in calls:
        ours, theirs = times['minigrad', phase] * 1e6, times['numpy', phase] * 1e6
        total['minigrad'] += ours
        total['numpy'] += theirs
        rows[phase] = {'minigrad': ours, 'numpy': theirs, 'calls': calls[phase]}
        print(f'  {phase:<9} {ours:9.1f} µs {theirs:9.1f} µs {ours - theirs:+9.1f} µs '
              f'{calls[phase]:6.0f}')
    print(f'  {"step":<9} {total["minigrad"]:9.1f} µs {total["numpy"]:9.1f} µs '
          f'{total["minigrad"] - total["numpy"]:+9.1f} µs   (×{total["minigrad"] / total["numpy"]:.2f})')
    return rows


if __name__ == '__main__':
    main()
