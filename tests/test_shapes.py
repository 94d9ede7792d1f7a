"""minigrad/shapes.py against PyTorch: split, chunk, flip, roll, repeat, movedim, narrow, unfold,
broadcast_*, meshgrid, new_*, stride: values, gradients, second derivatives, dtypes, errors,
and views that are views (in-place ops through them reach the base and its history)."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from helpers import assert_agree, assert_raises_as_pytorch, both_libraries, leaf

NAMES = ['narrow', 'movedim', 'moveaxis', 'swapaxes', 'swapdims', 'permute', 'split', 'chunk',
         'unbind', 'tensor_split', 'hsplit', 'vsplit', 'dsplit', 'flip', 'fliplr', 'flipud', 'roll',
         'repeat', 'tile', 'repeat_interleave', 'broadcast_to', 'broadcast_tensors',
         'broadcast_shapes', 'meshgrid', 'unfold', 'new_zeros', 'new_ones', 'new_full',
         'new_empty', 'new_tensor', 'contiguous', 'is_contiguous', 'stride', 'storage_offset',
         'mT', 'mH', 'expand']
# PyTorch's in-place transposes change a tensor's shape in place: not in minigrad
NO_INPLACE = {'swapaxes', 'swapdims'}

X = np.arange(24.).reshape(2, 3, 4) / 9 - 1
M = np.arange(12.).reshape(3, 4) / 5 - 1


def joined(L, pieces):
    """A tuple of tensors as one, for comparing (and differentiating) them at once."""
    return L.cat([p.reshape(-1) for p in pieces])


# (name, fn(lib, *tensors) -> a tensor, input arrays)
CASES = [
    ('narrow', lambda L, x: x.narrow(1, 1, 2), [X]),
    ('narrow start<0', lambda L, x: L.narrow(x, -1, -3, 2), [X]),
    ('movedim', lambda L, x: L.movedim(x, 0, -1), [X]),
    ('movedim tuples', lambda L, x: x.movedim((0, 2), (2, 0)), [X]),
    ('moveaxis', lambda L, x: L.moveaxis(x, (1,), (0,)), [X]),
    ('swapaxes', lambda L, x: x.swapaxes(0, 2), [X]),
    ('swapdims', lambda L, x: L.swapdims(x, -1, 1), [X]),
    ('permute', lambda L, x: L.permute(x, (2, 0, 1)), [X]),
    ('mT', lambda L, x: x.mT * 1, [X]),
    ('mH', lambda L, x: x.mH * 1, [M]),
    ('split int', lambda L, x: joined(L, x.split(3, dim=2)), [X]),
    ('split sizes', lambda L, x: joined(L, L.split(x, [1, 0, 2], 1)), [X]),
    ('chunk', lambda L, x: joined(L, x.chunk(3, -1)), [X]),
    ('unbind', lambda L, x: joined(L, [p * k for k, p in enumerate(L.unbind(x, 1))]), [X]),
    ('tensor_split n', lambda L, x: joined(L, [p * (k + 1) for k, p in enumerate(x.tensor_split(3, 2))]), [X]),
    ('tensor_split at', lambda L, x: joined(L, [p * (k + 1) for k, p in enumerate(
        L.tensor_split(x, [1, -1, 9], dim=2))]), [X]),
    ('hsplit', lambda L, x: joined(L, [p * (k + 1) for k, p in enumerate(L.hsplit(x, [2]))]), [X]),
    ('vsplit', lambda L, x: joined(L, [p * (k + 1) for k, p in enumerate(x.vsplit(2))]), [X]),
    ('dsplit', lambda L, x: joined(L, [p * (k + 1) for k, p in enumerate(L.dsplit(x, 2))]), [X]),
    ('flip', lambda L, x: L.flip(x, (0, 2)), [X]),
    ('flip none', lambda L, x: x.flip(()), [X]),
    ('Tensor.flip ints', lambda L, x: x.flip(0, -1), [X]),
    ('Tensor.flip dims=', lambda L, x: x.flip(dims=[1]), [X]),
    ('fliplr', lambda L, x: x.fliplr(), [X]),
    ('flipud', lambda L, x: L.flipud(x), [X]),
    ('roll flat', lambda L, x: x.roll(5), [X]),
    ('roll dims', lambda L, x: L.roll(x, (1, -2, 7), (0, 2, 1)), [X]),
    ('roll same dim twice', lambda L, x: x.roll((1, 1), (2, 2)), [X]),
    ('repeat', lambda L, x: x.repeat(2, 1, 3), [X]),
    ('repeat more dims', lambda L, x: x.repeat((2, 1, 2, 1)), [M[:2, :2]]),
    ('tile', lambda L, x: L.tile(x, (2,)), [M]),
    ('Tensor.tile ints', lambda L, x: x.tile(2, 1, 1), [M]),
    ('Tensor.split split_size=', lambda L, x: joined(L, x.split(split_size=2, dim=1)), [M]),
    ('repeat_interleave int', lambda L, x: x.repeat_interleave(2), [M]),
    ('repeat_interleave dim', lambda L, x: L.repeat_interleave(
        x, L.tensor([1, 0, 3]), dim=0, output_size=4), [M]),
    ('repeat_interleave 0-d repeats', lambda L, x: x.repeat_interleave(L.tensor(2), dim=-1), [M]),
    ('broadcast_to', lambda L, x: L.broadcast_to(x, (2, 3, 4)), [M[:1]]),
    ('broadcast_tensors', lambda L, a, b: joined(L, L.broadcast_tensors(a, b)), [M[:, :1], M[0]]),
    ('meshgrid ij', lambda L, a, b: joined(L, L.meshgrid(a, b, indexing='ij')), [M[0], M[1, :3]]),
    ('meshgrid xy', lambda L, a, b, c: joined(L, L.meshgrid([a, b, c], indexing='xy')),
     [M[0], M[1, :3], M[2, :2]]),
    ('unfold', lambda L, x: x.unfold(2, 2, 1), [X]),
    ('unfold step', lambda L, x: x.unfold(-2, 2, 2), [X]),
    ('unfold 0-d', lambda L, x: x.unfold(0, 1, 1), [np.array(2.)]),
    ('contiguous', lambda L, x: x.mT.contiguous(), [X]),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize('name, fn, arrays', CASES, ids=IDS)
def test_values_and_gradients_are_pytorchs(torch, name, fn, arrays):
    assert_agree(both_libraries(torch, lambda *t: fn(mg, *t), lambda *t: fn(torch, *t), arrays),
                 rtol=1e-6)


@pytest.mark.parametrize('name, fn, arrays', CASES, ids=IDS)
def test_second_derivatives(name, fn, arrays):
    assert mg.gradgradcheck(lambda *t: fn(mg, *t), [leaf(a) for a in arrays])


@pytest.mark.parametrize('dtype', ['float32', 'int64', 'bool'])
@pytest.mark.parametrize('name, fn, arrays', [c for c in CASES if 'split' not in c[0] and 'chunk'
                                              not in c[0] and 'unbind' not in c[0]
                                              and 'mesh' not in c[0] and 'tensors' not in c[0]],
                         ids=lambda c: str(c))
def test_dtypes_are_kept(torch, name, fn, arrays, dtype):
    ours = fn(mg, *[mg.tensor((np.asarray(a) * 9).astype(dtype)) for a in arrays])
    theirs = fn(torch, *[torch.tensor((np.asarray(a) * 9).astype(dtype)) for a in arrays])
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---------------------------------------------------------------- views

# (name, fn(lib, y) -> a view of y), each with an in-place change through the view
VIEWS = [
    ('narrow', lambda L, y: y.narrow(2, 1, 2)),
    ('movedim', lambda L, y: y.movedim(2, 0)),
    ('swapaxes', lambda L, y: y.swapaxes(0, 1)),
    ('swapdims', lambda L, y: L.swapdims(y, 0, 1)),
    ('permute', lambda L, y: L.permute(y, (1, 2, 0))),
    ('mT', lambda L, y: y.mT),
    ('tensor_split piece', lambda L, y: y.tensor_split(2, dim=2)[1]),
    ('unfold, windows apart', lambda L, y: y.unfold(2, 2, 2)),
    ('unfold of a view', lambda L, y: y[1].unfold(1, 1, 3)),
]


def _through_view(L, view, other_view):
    """y = x * 2 (a non-leaf); v = view(y); a second view made first; v.mul_(w); then a loss
    through y and through the earlier view: both must see the change in their history."""
    x = L.tensor(X.copy(), requires_grad=True)
    y = x * 2
    earlier = y[:, 1:]
    v = view(L, y)
    w = L.tensor(np.linspace(1, 2, v.numel()).reshape(tuple(v.shape)), requires_grad=True)
    v.mul_(w)
    loss = (y * L.arange(24.).reshape(2, 3, 4).to(L.float64)).sum() + (earlier ** 2).sum()
    loss.backward()
    return [y.detach().numpy(), earlier.detach().numpy(), x.grad.numpy(), w.grad.numpy()]


@pytest.mark.parametrize('name, view', VIEWS, ids=[v[0] for v in VIEWS])
def test_in_place_through_a_view_is_recorded_as_in_pytorch(torch, name, view):
    for ours, theirs in zip(_through_view(mg, view, None), _through_view(torch, view, None)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def _masked_fill_through_view(L, view):
    x = L.tensor(X.copy(), requires_grad=True)
    y = x * 2
    v = view(L, y)
    v.masked_fill_(v > 0, -3.0)
    (y * L.arange(24.).reshape(2, 3, 4).to(L.float64)).sum().backward()
    return [y.detach().numpy(), x.grad.numpy()]


@pytest.mark.parametrize('name, view', VIEWS, ids=[v[0] for v in VIEWS])
def test_masked_fill_through_a_view_is_recorded_as_in_pytorch(torch, name, view):
    for ours, theirs in zip(_masked_fill_through_view(mg, view), _masked_fill_through_view(torch, view)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


PIECES = [
    ('split piece', lambda L, y: y.split([1, 3], dim=2)[1]),
    ('split int piece', lambda L, y: y.split(2, dim=2)[1]),
    ('chunk piece', lambda L, y: y.chunk(2, dim=1)[0]),
    ('unbind piece', lambda L, y: y.unbind(0)[1]),
]


@pytest.mark.parametrize('name, piece', PIECES, ids=[p[0] for p in PIECES])
def test_pieces_of_split_refuse_in_place_changes_while_recording(torch, name, piece):
    """PyTorch's rule for functions that return several views; without grad they may change."""
    for L in (mg, torch):
        with pytest.raises(RuntimeError, match='returns multiple views'):
            piece(L, L.tensor(X, requires_grad=True) * 2).mul_(2)
        y = L.tensor(X.copy())
        piece(L, y).mul_(0)
        assert (y == 0).sum().item() > 0


@pytest.mark.parametrize('name, view', VIEWS + PIECES + [
    ('broadcast_to', lambda L, y: L.broadcast_to(y[:, :1], (2, 5, 4))),
    ('meshgrid', lambda L, y: L.meshgrid(y[0, 0], y[1, 1], indexing='ij')[1]),
    ('broadcast_tensors', lambda L, y: L.broadcast_tensors(y[:, :1], y)[0])],
    ids=[v[0] for v in VIEWS + PIECES] + ['broadcast_to', 'meshgrid', 'broadcast_tensors'])
def test_views_share_memory_with_their_base(name, view):
    y = mg.tensor(X.copy())
    v = view(mg, y)
    y.add_(100)
    assert (v.numpy() > 50).all()


@pytest.mark.parametrize('name, copy', [
    ('flip', lambda y: y.flip((0,))), ('roll', lambda y: y.roll(1)), ('repeat', lambda y: y.repeat(1, 1, 1)),
    ('tile', lambda y: y.tile((1,))), ('repeat_interleave', lambda y: y.repeat_interleave(1, dim=0))])
def test_copies_do_not_share_memory(name, copy):
    y = mg.tensor(X.copy())
    c = copy(y)
    y.add_(100)
    assert (c.numpy() < 50).all()


# ---------------------------------------------------------------- layout and new tensors

LAYOUTS = [
    lambda t: t, lambda t: t.mT, lambda t: t[:, 1:, ::2], lambda t: t[:1].expand(3, 3, 4),
    lambda t: t.unfold(2, 2, 1), lambda t: t.permute(2, 0, 1), lambda t: t[1, 2], lambda t: t.narrow(2, 1, 2),
    lambda t: t[:, None, :, None], lambda t: t[..., None],
]


@pytest.mark.parametrize('layout', LAYOUTS, ids=range(len(LAYOUTS)))
def test_stride_contiguity_and_offset_are_pytorchs(torch, layout):
    ours, theirs = layout(mg.tensor(X.copy())), layout(torch.tensor(X.copy()))
    assert ours.stride() == theirs.stride()
    assert [ours.stride(d) for d in range(-ours.ndim, ours.ndim)] == \
        [theirs.stride(d) for d in range(-theirs.ndim, theirs.ndim)]
    assert ours.is_contiguous() == theirs.is_contiguous()
    assert ours.storage_offset() == theirs.storage_offset()
    c = ours.contiguous()
    assert c.is_contiguous() and (c is ours) == ours.is_contiguous()
    assert c.stride() == theirs.contiguous().stride()


NEW = [
    lambda t: t.new_zeros(2, 3), lambda t: t.new_zeros((2,), dtype=mg.int64 if isinstance(t, mg.Tensor)
                                                       else t.new_zeros(1).long().dtype),
    lambda t: t.new_ones([3]), lambda t: t.new_full((2, 2), 7), lambda t: t.new_full((1,), 2.5),
    lambda t: t.new_empty(4).zero_(), lambda t: t.new_tensor([1.5, 2.5]), lambda t: t.new_tensor(3),
]


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64'])
@pytest.mark.parametrize('make', NEW, ids=range(len(NEW)))
def test_new_tensors_take_this_tensors_dtype(torch, make, dtype):
    ours, theirs = make(mg.tensor(np.ones(2, dtype))), make(torch.tensor(np.ones(2, dtype)))
    assert ours.dtype == theirs.numpy().dtype and ours.is_leaf and not ours.requires_grad
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_new_tensor_requires_grad_and_copies():
    data = mg.tensor([1., 2.])
    with pytest.warns(UserWarning, match='clone'):
        t = mg.zeros(1, dtype=mg.float64).new_tensor(data, requires_grad=True)
    data.add_(1)
    assert t.requires_grad and t.dtype == mg.float64 and t.tolist() == [1., 2.]
    assert mg.zeros(1).new_ones(2, requires_grad=True).requires_grad


# ---------------------------------------------------------------- the rest

def test_meshgrid_warns_without_indexing_as_pytorch(torch):
    for L in (mg, torch):
        with pytest.warns(UserWarning, match='indexing argument'):
            L.meshgrid(L.ones(2), L.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        mg.meshgrid(mg.ones(2), indexing='xy')


def test_broadcast_shapes(torch):
    for shapes in [((2, 1), (3,)), (2, (3, 1)), ((), (1, 4)), ((0, 1), (5,))]:
        ours = mg.broadcast_shapes(*shapes)
        assert ours == torch.broadcast_shapes(*shapes) and isinstance(ours, mg.Size)


def test_repeat_interleave_of_repeats_alone(torch):
    assert mg.repeat_interleave(mg.tensor([1, 0, 3])).tolist() == \
        torch.repeat_interleave(torch.tensor([1, 0, 3])).tolist()


ERRORS = [
    lambda L, x: x.narrow(1, 4, 0), lambda L, x: x.narrow(1, 0, -1), lambda L, x: x.narrow(1, 2, 2),
    lambda L, x: x.narrow(3, 0, 1),
    lambda L, x: x.split(0), lambda L, x: x.split([1, 2]), lambda L, x: x.chunk(0),
    lambda L, x: x.unbind(3), lambda L, x: x[0, 0, 0].unbind(),
    lambda L, x: x.tensor_split(0), lambda L, x: L.hsplit(x, 2), lambda L, x: L.vsplit(x[0, 0], 1),
    lambda L, x: L.dsplit(x, 3),
    lambda L, x: x.movedim((0, 1), (1,)), lambda L, x: x.movedim((0, 0), (1, 0)), lambda L, x: x.movedim(0, 5),
    lambda L, x: x[0, 0].mT, lambda L, x: x[0, 0].mH, lambda L, x: x.swapaxes(0, 3),
    lambda L, x: L.flip(x, 0), lambda L, x: x.flip((0, 0)), lambda L, x: x.flip(0, 3), lambda L, x: x[0, 0].fliplr(),
    lambda L, x: x[0, 0, 0].flipud(), lambda L, x: x.roll(1, (0, 1)), lambda L, x: x.roll((1, 2)),
    lambda L, x: x.repeat(2), lambda L, x: x.repeat(1, 1, -1),
    lambda L, x: x.repeat_interleave(L.tensor([1, 2]), dim=1),
    lambda L, x: x.repeat_interleave(L.tensor([1, -1, 1]), dim=1),
    lambda L, x: x.repeat_interleave(2, dim=0, output_size=3),
    lambda L, x: L.broadcast_to(x, (3, 3, 4)), lambda L, x: L.broadcast_shapes((2, 3), (3, 2)),
    lambda L, x: L.broadcast_tensors(x, x[0, :2]),
    lambda L, x: L.meshgrid(x[0], indexing='ij'), lambda L, x: L.meshgrid(x[0, 0], indexing='yx'),
    lambda L, x: x.unfold(1, 4, 1), lambda L, x: x.unfold(1, 2, 0),
    lambda L, x: x.stride(3),
]


@pytest.mark.parametrize('call', ERRORS, ids=range(len(ERRORS)))
def test_errors_are_pytorchs(torch, call):
    assert_raises_as_pytorch(torch, call, X)


def test_every_name_has_every_form_pytorch_has(torch):
    for name in NAMES:
        assert hasattr(torch, name) <= hasattr(mg, name), name
        assert hasattr(torch.Tensor, name) <= hasattr(mg.Tensor, name), name
        if name not in NO_INPLACE:
            assert hasattr(torch.Tensor, name + '_') <= hasattr(mg.Tensor, name + '_'), name + '_'
    assert not hasattr(mg, 'repeat') and not hasattr(mg, 'unfold') and not hasattr(mg, 'new_zeros')
