#!/usr/bin/env python
"""Gradients of gradients: a Hessian, Newton's method and a gradient penalty.

    python examples/higher_order.py              # all three parts, a few seconds
    python examples/higher_order.py --quick      # fewer training steps (what the tests run)
    python examples/higher_order.py --no-torch   # skip the comparisons with PyTorch

`loss.backward()` computes a gradient with ops; with `create_graph=True` (or
`mg.autograd.grad(..., create_graph=True)`) those ops are recorded like any
forward pass, so the gradient is itself a Tensor with a graph, and can be
differentiated again. Three uses of that, each checked against an independent
answer (finite differences in float64, and PyTorch when it is installed):

  a. Hessian      the matrix of second derivatives of a tiny MLP's loss with
                  respect to its 33 parameters, by mg.autograd.functional.hessian;
                  checked against central differences of the gradient.
  b. Newton       minimise a 1-D loss with x <- x - f'(x)/f''(x), f'' from a
                  second backward pass; the error squares at every step
                  (quadratic convergence) where gradient descent only shrinks it
                  by a constant factor.
  c. Penalty      a WGAN-GP critic: its loss contains ||grad_x D(x)||, a gradient,
                  so training it needs the gradient of a gradient with respect
                  to the weights. Forget create_graph=True and the penalty
                  silently stops training anything.

Every part asserts what it prints, so a regression in the engine fails the example.
"""
import argparse
import math
import time

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.autograd.functional import hessian, hvp


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--quick', action='store_true',
                        help='train the critic for 30 steps instead of --steps (for the tests)')
    parser.add_argument('--steps', type=int, default=150,
                        help='training steps of the gradient-penalty critic (default: 150)')
    parser.add_argument('--no-torch', action='store_true',
                        help='do not compare with PyTorch even when it is installed')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    args = parser.parse_args(argv)
    if args.quick:
        args.steps = 30
    return args


def import_torch(args):
    """PyTorch as an optional second opinion (None when not installed or --no-torch)."""
    if args.no_torch:
        return None
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)              # tiny tensors: its thread pool only costs time
    return torch


# ------------------------------------------------------------ a. Hessian of an MLP's loss

SHAPES = [(2, 5), (5,), (5, 3), (3,)]     # W1, b1, W2, b2 of a 2 -> 5 -> 3 tanh MLP


def mlp_loss(theta, X, y, functional):
    """Cross-entropy of the MLP whose parameters are the flat vector theta.
    Only Tensor methods and `functional.cross_entropy`: it runs on minigrad and PyTorch alike."""
    params, start = [], 0
    for shape in SHAPES:
        size = math.prod(shape)
        params.append(theta[start:start + size].reshape(*shape))
        start += size
    W1, b1, W2, b2 = params
    return functional.cross_entropy((X @ W1 + b1).tanh() @ W2 + b2, y)


def part_hessian(args, torch):
    """H_ij = ∂²L/∂θ_i ∂θ_j: row i is the gradient of (∇L)_i, one backward pass through the
    graph of ∇L. Checked column by column: H e_j ≈ (∇L(θ + h e_j) - ∇L(θ - h e_j)) / 2h."""
    rng = np.random.default_rng(args.seed)
    n_params = sum(math.prod(s) for s in SHAPES)
    X_np, y_np = rng.standard_normal((8, 2)), rng.integers(0, 3, 8)
    theta_np = 0.5 * rng.standard_normal(n_params)
    X, y = mg.tensor(X_np), mg.tensor(y_np)               # float64 from NumPy
    loss = lambda theta: mlp_loss(theta, X, y, F)

    H = hessian(loss, mg.tensor(theta_np)).numpy()       # one backward through a backward per row

    def gradient(theta):                                  # first order only
        theta = mg.tensor(theta, requires_grad=True)
        g, = mg.autograd.grad(loss(theta), theta)
        return g.numpy()

    h = 1e-5
    H_fd = np.stack([(gradient(theta_np + h * e) - gradient(theta_np - h * e)) / (2 * h)
                     for e in np.eye(n_params)], axis=1)
    fd_error = np.abs(H - H_fd).max()
    asymmetry = np.abs(H - H.T).max()
    eigenvalues = np.linalg.eigvalsh((H + H.T) / 2)

    v = rng.standard_normal(n_params)                     # H v without forming H
    _, Hv = hvp(loss, mg.tensor(theta_np), mg.tensor(v))
    hvp_error = np.abs(Hv.numpy() - H @ v).max()

    print(f'a. Hessian of a {n_params}-parameter MLP\'s cross-entropy (float64)')
    print(f'   H: {H.shape[0]} x {H.shape[1]}, largest entry {np.abs(H).max():.4f}, '
          f'max |H - Hᵀ| = {asymmetry:.1e}')
    print(f'   max |H - finite differences of the gradient| = {fd_error:.1e}   (h = {h:g})')
    print(f'   max |hvp(f, θ, v) - H v| = {hvp_error:.1e}')
    print(f'   eigenvalues from {eigenvalues[0]:.4f} to {eigenvalues[-1]:.4f}: '
          f'{(eigenvalues < -1e-10).sum()} negative:\n   along some directions the loss curves '
          f'downwards here (it is not convex in the weights)')
    assert fd_error < 1e-7, f'the Hessian disagrees with finite differences by {fd_error:.1e}'
    assert asymmetry < 1e-12 and hvp_error < 1e-12, (asymmetry, hvp_error)
    result = dict(fd_error=fd_error, hvp_error=hvp_error, asymmetry=asymmetry,
                  negative_eigenvalues=int((eigenvalues < -1e-10).sum()))

    if torch is not None:
        import torch.nn.functional as TF
        X_t, y_t = torch.tensor(X_np), torch.tensor(y_np)
        H_t = torch.autograd.functional.hessian(lambda t: mlp_loss(t, X_t, y_t, TF),
                                                torch.tensor(theta_np)).numpy()
        result['torch_error'] = np.abs(H - H_t).max()
        print(f'   max |H - PyTorch\'s hessian| = {result["torch_error"]:.1e}')
        assert result['torch_error'] < 1e-12, result['torch_error']
    return result


# ------------------------------------------------------------ b. Newton's method in 1-D

def part_newton(args):
    """One logit x fitted to 10 labels, 8 of them 1: f(x) = mean BCE(sigmoid(x), y).
    f'(x) = σ(x) - 0.8 and f''(x) = σ(x)(1 - σ(x)), so the minimum is at σ(x*) = 0.8,
    x* = log 4, and f'' never exceeds 1/4 (gradient descent's safe rate is 1 / (1/4) = 4)."""
    labels = mg.tensor([1.0] * 8 + [0.0] * 2, dtype=mg.float64)
    x_star = math.log(4)

    def derivatives(x_value):
        """f'(x) and f''(x) from two backward passes, the first recorded in a graph."""
        x = mg.tensor(x_value, dtype=mg.float64, requires_grad=True)
        f = F.binary_cross_entropy_with_logits(x.expand(10), labels)
        df, = mg.autograd.grad(f, x, create_graph=True)    # df is a Tensor with a grad_fn...
        d2f, = mg.autograd.grad(df, x)                      # ...so it can be differentiated
        return df.item(), d2f.item()

    steps, lr = 6, 4.0
    newton, descent = [0.0], [0.0]
    worst_d2f = 0.0
    for _ in range(steps):
        df, d2f = derivatives(newton[-1])
        s = 1 / (1 + math.exp(-newton[-1]))
        worst_d2f = max(worst_d2f, abs(d2f - s * (1 - s)))
        newton.append(newton[-1] - df / d2f)
        descent.append(descent[-1] - lr * derivatives(descent[-1])[0])

    print(f"\nb. Newton's method on f(x) = mean BCE-with-logits(x, 8 ones and 2 zeros),\n"
          f'   minimum at x* = log 4 = {x_star:.12f}')
    print(f'   f\'\' from the second backward pass vs σ(x)(1-σ(x)): max difference {worst_d2f:.1e}')
    errors_n = [abs(x - x_star) for x in newton]
    errors_d = [abs(x - x_star) for x in descent]
    row = '   {:>2}   {:>15}  {:>10}  {:>14}   {:>15}  {:>10}  {:>13}'
    print(row.format('k', 'Newton x_k', '|x_k - x*|', 'e_k/e_(k-1)²',
                     f'GD (lr {lr:g}) x_k', '|x_k - x*|', 'e_k/e_(k-1)'))
    for k in range(steps + 1):
        quad = f'{errors_n[k] / errors_n[k - 1] ** 2:.4f}' if 0 < k and errors_n[k] > 1e-15 else ''
        lin = f'{errors_d[k] / errors_d[k - 1]:.4f}' if k else ''
        print(row.format(k, f'{newton[k]:.12f}', f'{errors_n[k]:.1e}', quad,
                         f'{descent[k]:.12f}', f'{errors_d[k]:.1e}', lin).rstrip())
    # Quadratic: e_k ≈ C e_(k-1)² with C = |f'''(x*) / 2 f''(x*)| = |1 - 2σ(x*)| / 2 = 0.3.
    # Linear: e_k ≈ r e_(k-1) with r = 1 - lr f''(x*) = 1 - 4 · 0.16 = 0.36.
    print('   Newton: the error squares each step, e_k ≈ 0.3 e_(k-1)² (0.3 = |f\'\'\'/2f\'\'| at x*):'
          '\n   the number of correct digits doubles.')
    print('   Gradient descent: e_k ≈ 0.36 e_(k-1) (0.36 = 1 - lr f\'\'(x*)); '
          'a constant factor per step.')
    assert worst_d2f < 1e-12, f"f'' from the engine is off by {worst_d2f:.1e}"
    assert errors_n[5] < 1e-14, f"Newton did not converge: |x_5 - x*| = {errors_n[5]:.1e}"
    assert all(abs(errors_n[k] / errors_n[k - 1] ** 2 - 0.3) < 0.01 for k in (3, 4)), errors_n
    assert all(abs(errors_d[k] / errors_d[k - 1] - 0.36) < 0.02 for k in (4, 5, 6)), errors_d
    assert errors_d[steps] > 1e-4, errors_d
    return dict(newton=newton, descent=descent, newton_errors=errors_n, descent_errors=errors_d)


# ------------------------------------------------------------ c. A gradient penalty

def critic_losses(critic, real, fake, eps, lib, create_graph=True):
    """WGAN-GP: D(fake) - D(real), and the penalty mean (||∇ₓ D(x̂)|| - 1)² at points x̂ between
    real and fake. Same code for minigrad (lib=mg) and PyTorch (lib=torch)."""
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    d_x, = lib.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=create_graph)
    norms = d_x.norm(dim=1)
    penalty = ((norms - 1) ** 2).mean()
    wasserstein = critic(fake).mean() - critic(real).mean()
    return wasserstein, penalty, norms


def finite_differences(f, params, h=1e-6):
    """Central differences of the scalar f() in every element of every parameter."""
    grads = []
    for p in params:
        flat = p.data.numpy().reshape(-1)          # the parameter's own storage
        g = np.zeros_like(flat)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            up = f()
            flat[i] = old - h
            down = f()
            flat[i] = old
            g[i] = (up - down) / (2 * h)
        grads.append(g.reshape(p.shape))
    return grads


def part_penalty(args, torch):
    """d penalty / d weights differentiates ∇ₓ D, a gradient: checked against central
    differences of the penalty in every weight, then the critic is trained with it."""
    rng = np.random.default_rng(args.seed + 1)
    batch, lam, lr = 64, 10.0, 0.01
    batches = [(rng.normal(2.0, 0.5, (batch, 2)),          # real: a blob around (2, 2)
                rng.standard_normal((batch, 2)),            # fake: a blob around (0, 0)
                rng.uniform(size=(batch, 1)))               # where between them x̂ lies
               for _ in range(args.steps)]
    mg.manual_seed(args.seed)
    critic = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1)).double()
    params = list(critic.parameters())
    start_weights = {k: v.numpy().copy() for k, v in critic.state_dict().items()}
    real, fake, eps = map(mg.tensor, batches[0])

    print(f'\nc. Gradient penalty: a WGAN-GP critic 2 -> 16 -> 1 ({sum(p.numel() for p in params)} '
          f'weights, tanh), trained on\n'
          f'   loss = D(fake) - D(real) + {lam:g} · mean (||∇ₓ D(x̂)|| - 1)², '
          f'x̂ between real and fake')
    # The penalty's own gradient with respect to the weights: a gradient of a gradient.
    # The output bias b2 shifts D without changing its slope, so the penalty does not use it:
    # grad says None for it (allow_unused=True; without it grad raises, as PyTorch's does).
    _, penalty, _ = critic_losses(critic, real, fake, eps, mg)
    found = mg.autograd.grad(penalty, params, allow_unused=True)
    unused = [name for (name, _), g in zip(critic.named_parameters(), found) if g is None]
    engine = [np.zeros(p.shape) if g is None else g.numpy() for p, g in zip(params, found)]
    numeric = finite_differences(lambda: critic_losses(critic, real, fake, eps, mg,
                                                       create_graph=False)[1].item(), params)
    fd_error = max(np.abs(a - b).max() for a, b in zip(engine, numeric))
    largest = max(np.abs(a).max() for a in engine)
    print(f'   d penalty / d weights: largest {largest:.4f}, '
          f'max |engine - finite differences| = {fd_error:.1e}')
    print(f'   not used by the penalty (grad gives None with allow_unused=True): {unused}')
    assert fd_error < 1e-7, f'd penalty / d weights disagrees with finite differences by {fd_error:.1e}'
    assert largest > 1e-3, 'the penalty does not reach the weights'
    assert unused == ['2.bias'], unused

    # Without create_graph=True the gradient ∇ₓ D is a constant: the penalty trains nothing.
    wass, penalty_cut, _ = critic_losses(critic, real, fake, eps, mg, create_graph=False)
    with_cut = mg.autograd.grad(wass + lam * penalty_cut, params)
    alone = mg.autograd.grad(critic_losses(critic, real, fake, eps, mg)[0], params)
    cut_difference = max(np.abs(a.numpy() - b.numpy()).max() for a, b in zip(with_cut, alone))
    print(f'   without create_graph=True: penalty.requires_grad = {penalty_cut.requires_grad}, and the '
          f'weights\' gradient is\n   the Wasserstein term\'s alone (max difference '
          f'{cut_difference:.1e}): the penalty silently trains nothing')
    assert not penalty_cut.requires_grad and cut_difference == 0.0, cut_difference

    history = train_critic(critic, batches, lam, lr)
    result = dict(fd_error=fd_error, cut_difference=cut_difference, history=history)

    if torch is not None:
        result.update(penalty_with_torch(torch, start_weights, batches, lam, lr, engine, critic))
    return result


def train_critic(critic, batches, lam, lr):
    """Adam on D(fake) - D(real) + lam · penalty, one step per batch; prints and checks the run."""
    optimizer = optim.Adam(critic.parameters(), lr=lr)
    history = []
    for arrays in batches:
        wass, penalty, norms = critic_losses(critic, *map(mg.tensor, arrays), mg)
        optimizer.zero_grad()
        (wass + lam * penalty).backward()                # reaches the weights through both terms
        optimizer.step()
        history.append((wass.item(), penalty.item(), norms.mean().item()))
    steps = len(batches)
    print('   step   D(fake) - D(real)   penalty   mean ||∇ₓ D(x̂)||')
    for step in sorted({0, 1, 2, 5, 10, steps // 2, steps - 1} & set(range(steps))):
        w, p, n = history[step]
        print(f'   {step:4d}   {w:17.4f}   {p:7.4f}   {n:18.4f}')
    first, last = history[0], history[-1]
    print(f'   the critic learned to tell real from fake (D(fake) - D(real) {first[0]:.3f} -> '
          f'{last[0]:.3f})\n   while keeping its slope near 1 (penalty {first[1]:.3f} -> {last[1]:.4f})')
    assert last[0] < first[0] - 1.0, 'the critic did not learn to separate real from fake'
    assert last[1] < 0.1 and abs(last[2] - 1) < 0.25, last
    return history


def penalty_with_torch(torch, start_weights, batches, lam, lr, engine, critic):
    """The same critic, data and steps in PyTorch: the same penalty gradient and final weights."""
    twin = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, 1)).double()
    twin.load_state_dict({k: torch.tensor(v) for k, v in start_weights.items()})
    optimizer = torch.optim.Adam(twin.parameters(), lr=lr)
    for step, arrays in enumerate(batches):
        wass, penalty, _ = critic_losses(twin, *map(torch.tensor, arrays), torch)
        if step == 0:
            first = torch.autograd.grad(penalty, list(twin.parameters()), retain_graph=True,
                                        allow_unused=True)
            grad_error = max(np.abs(a - (0 if b is None else b.numpy())).max()
                             for a, b in zip(engine, first))
        optimizer.zero_grad()
        (wass + lam * penalty).backward()
        optimizer.step()
    ours = critic.state_dict()
    weight_error = max(np.abs(ours[k].numpy() - v.detach().numpy()).max()
                       for k, v in twin.state_dict().items())
    print(f'   PyTorch, same weights and batches: d penalty / d weights differs by {grad_error:.1e},\n'
          f'   the weights after {len(batches)} Adam steps by {weight_error:.1e}')
    assert grad_error < 1e-12, f'd penalty / d weights differs from PyTorch\'s by {grad_error:.1e}'
    assert weight_error < 1e-9, f'the trained weights differ from PyTorch\'s by {weight_error:.1e}'
    return dict(torch_grad_error=grad_error, torch_weight_error=weight_error)


def main(argv=None):
    args = parse_args(argv)
    torch = import_torch(args)
    timings, results = {}, {}
    for name, part in [('hessian', lambda: part_hessian(args, torch)),
                       ('newton', lambda: part_newton(args)),
                       ('penalty', lambda: part_penalty(args, torch))]:
        start = time.perf_counter()
        results[name] = part()
        timings[name] = time.perf_counter() - start
    print('\n' + ', '.join(f'{name} {seconds:.2f} s' for name, seconds in timings.items())
          + ('; compared with PyTorch ' + torch.__version__ if torch is not None
             else '; PyTorch not used'))
    print('all checks passed')
    return results


if __name__ == '__main__':
    main()
