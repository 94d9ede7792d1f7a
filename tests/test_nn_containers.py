"""nn containers against PyTorch: the same edits (insert, extend, pop, slicing, del, +, *, dict
updates...) made to Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict in both
libraries leave the same repr, len, order and state_dict keys, and raise the same errors."""
import collections

import numpy as np
import pytest

import minigrad as mg
from helpers import raised_by_both
from minigrad import nn


def _layers(lib, n=4):
    """Modules with different reprs, so a repr shows the order: Linear(1, 2), Linear(2, 3), ..."""
    return [lib.nn.Linear(i + 1, i + 2) for i in range(n)]


def _seq(lib):
    return lib.nn.Sequential(*_layers(lib))


def _named(lib):
    return lib.nn.Sequential(collections.OrderedDict(
        [('fc', lib.nn.Linear(1, 2)), ('act', lib.nn.ReLU()), ('out', lib.nn.Linear(2, 3))]))


def _mlist(lib):
    return lib.nn.ModuleList(_layers(lib))


def _mdict(lib):
    return lib.nn.ModuleDict({'b': lib.nn.Linear(1, 2), 'a': lib.nn.ReLU(), 'c': lib.nn.Linear(2, 3)})


def _del(container, index):
    del container[index]
    return container


def _set(container, index, value):
    container[index] = value
    return container


def _iadd(container, other):
    container += other
    return container


def _imul(container, factor):
    container *= factor
    return container


# (id, make the container, edit it in `lib`, returning what to compare)
EDITS = [
    ('seq-index', _seq, lambda lib, s: [s[0], s[-1], s[2]]),
    ('seq-slice', _seq, lambda lib, s: [s[1:3], s[::-2], s[5:]]),
    ('seq-named-slice', _named, lambda lib, s: s[1:]),
    ('seq-setitem', _seq, lambda lib, s: _set(s, -2, lib.nn.Tanh())),
    ('seq-named-setitem', _named, lambda lib, s: _set(s, 1, lib.nn.Tanh())),
    ('seq-del', _seq, lambda lib, s: _del(s, 1)),
    ('seq-del-negative', _seq, lambda lib, s: _del(s, -1)),
    ('seq-del-slice', _seq, lambda lib, s: _del(s, slice(0, 4, 2))),
    ('seq-named-del-renumbers', _named, lambda lib, s: _del(s, 0)),
    ('seq-insert', _seq, lambda lib, s: s.insert(1, lib.nn.ReLU())),
    ('seq-insert-end', _seq, lambda lib, s: s.insert(4, lib.nn.ReLU())),
    ('seq-insert-negative', _seq, lambda lib, s: s.insert(-1, lib.nn.ReLU())),
    ('seq-append-extend', _seq, lambda lib, s: s.append(lib.nn.ReLU()).extend([lib.nn.Tanh(), lib.nn.ReLU()])),
    ('seq-pop', _seq, lambda lib, s: [s.pop(1), s]),
    ('seq-pop-slice', _seq, lambda lib, s: [s.pop(slice(1, 3)), s]),
    ('seq-add', _seq, lambda lib, s: s + lib.nn.Sequential(lib.nn.ReLU())),
    ('seq-iadd', _seq, lambda lib, s: _iadd(s, lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Tanh()))),
    ('seq-mul', _named, lambda lib, s: [s * 2, 2 * s, len(s * 3)]),
    ('seq-imul', _seq, lambda lib, s: _imul(s, 3)),
    ('seq-iter-len', _seq, lambda lib, s: [list(s), len(s)]),
    ('list-index', _mlist, lambda lib, m: [m[0], m[-1], m[-4]]),
    ('list-slice', _mlist, lambda lib, m: [m[1:], m[::2], m[10:]]),
    ('list-setitem', _mlist, lambda lib, m: _set(m, -1, lib.nn.ReLU())),
    ('list-del', _mlist, lambda lib, m: _del(m, 0)),
    ('list-del-slice', _mlist, lambda lib, m: _del(m, slice(1, None))),
    ('list-insert', _mlist, lambda lib, m: [m.insert(0, lib.nn.ReLU()), m]),
    ('list-insert-end', _mlist, lambda lib, m: [m.insert(4, lib.nn.ReLU()), m]),
    ('list-extend', _mlist, lambda lib, m: m.extend([lib.nn.ReLU(), lib.nn.ReLU()])),
    ('list-iadd', _mlist, lambda lib, m: _iadd(m, [lib.nn.Tanh()])),
    ('list-add', _mlist, lambda lib, m: m + [lib.nn.Tanh(), lib.nn.Tanh()]),
    ('list-pop', _mlist, lambda lib, m: [m.pop(-1), m.pop(0), m]),
    ('list-folds-repeats', _mlist, lambda lib, m: m.extend([lib.nn.ReLU()] * 3).append(lib.nn.Tanh())),
    ('list-empty', lambda lib: lib.nn.ModuleList(), lambda lib, m: [m, len(m)]),
    ('dict-api', _mdict, lambda lib, d: [list(d), list(d.keys()), list(d.values()), list(d.items()),
                                         len(d), 'a' in d, 'z' in d, d['c']]),
    ('dict-setitem', _mdict, lambda lib, d: _set(_set(d, 'z', lib.nn.Tanh()), 'b', lib.nn.ReLU())),
    ('dict-del-pop', _mdict, lambda lib, d: [d.pop('b'), _del(d, 'a')]),
    ('dict-clear', _mdict, lambda lib, d: [d.clear(), d, len(d)]),
    ('dict-update', _mdict, lambda lib, d: [d.update([('y', lib.nn.ReLU()), ('x', lib.nn.Tanh())]), d]),
    ('dict-update-dict', _mdict, lambda lib, d: [d.update(lib.nn.ModuleDict({'q': lib.nn.ReLU()})), d]),
    ('dict-nested', lambda lib: lib.nn.ModuleDict({'enc': lib.nn.Sequential(lib.nn.Linear(2, 2)),
                                                   'heads': lib.nn.ModuleList(_layers(lib, 2))}),
     lambda lib, d: d),
]


def _holds_one_module_twice(value):
    return type(value).__name__ == 'Sequential' and len({id(m) for m in value}) < len(value)


def _comparable(value):
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_comparable(v) for v in value)
    text = repr(value).replace('torch.', 'minigrad.')
    if _holds_one_module_twice(value):      # PyTorch's state_dict lists it under both names, ours once
        return text
    if hasattr(value, 'state_dict') and hasattr(value, 'parameters'):
        keys = list(value.state_dict())
        shapes = [tuple(v.shape) for v in value.state_dict().values()]
        return text, keys, shapes, sum(1 for _ in value.parameters())
    return text


@pytest.mark.parametrize('make, edit', [case[1:] for case in EDITS], ids=[case[0] for case in EDITS])
def test_container_edits_match_pytorch(torch, make, edit):
    ours, theirs = make(mg), make(torch)
    assert _comparable(ours) == _comparable(theirs)
    assert _comparable(edit(mg, ours)) == _comparable(edit(torch, theirs))
    assert _comparable(ours) == _comparable(theirs)


ERRORS = [
    lambda lib: _seq(lib)[4],
    lambda lib: _seq(lib)[-5],
    lambda lib: _seq(lib)['0'],
    lambda lib: _del(_seq(lib), 7),
    lambda lib: _seq(lib).insert(6, lib.nn.ReLU()),
    lambda lib: _seq(lib).insert(0, 3),
    lambda lib: _seq(lib) + [lib.nn.ReLU()],
    lambda lib: _iadd(_seq(lib), lib.nn.ModuleList()),
    lambda lib: _seq(lib) * 0,
    lambda lib: _seq(lib) * 1.5,
    lambda lib: lib.nn.Sequential(lib.nn.ReLU),
    lambda lib: lib.nn.Sequential(collections.OrderedDict([('a.b', lib.nn.ReLU())])),
    lambda lib: _mlist(lib)[4],
    lambda lib: _set(_mlist(lib), 9, lib.nn.ReLU()),
    lambda lib: _mlist(lib).extend(3),
    lambda lib: lib.nn.ModuleList([lib.nn.ReLU(), 'relu']),
    lambda lib: _mdict(lib)['zz'],
    lambda lib: _del(_mdict(lib), 'zz'),
    lambda lib: _set(_mdict(lib), 'keys', lib.nn.ReLU()),
    lambda lib: _set(_mdict(lib), 'training', lib.nn.ReLU()),
    lambda lib: _set(_mdict(lib), '', lib.nn.ReLU()),
    lambda lib: _set(_mdict(lib), 'a.b', lib.nn.ReLU()),
    lambda lib: _set(_mdict(lib), 3, lib.nn.ReLU()),
    lambda lib: _mdict(lib).update(3),
    lambda lib: _mdict(lib).update([('a', lib.nn.ReLU(), 1)]),
    lambda lib: _mdict(lib).update([3]),
    lambda lib: lib.nn.ParameterList()[0],
    lambda lib: lib.nn.ParameterList([lib.zeros(2)])(lib.zeros(2)),
    lambda lib: lib.nn.ParameterList(lib.zeros(2)),
    lambda lib: lib.nn.ParameterDict()['x'],
    lambda lib: lib.nn.ParameterDict()(lib.zeros(2)),
    lambda lib: _set(lib.nn.ParameterDict(), 1, lib.zeros(2)),
    lambda lib: _set(lib.nn.ParameterDict(), 'a.b', lib.zeros(2)),
    lambda lib: lib.nn.ParameterDict([('a', lib.zeros(2), 3)]),
    lambda lib: lib.nn.ParameterDict(3),
]


@pytest.mark.parametrize('call', ERRORS)
def test_container_errors_are_pytorch_s(torch, call):
    ours, theirs = raised_by_both(torch, call)
    message = str(theirs).replace('torch.nn.modules.module.Module', 'minigrad.nn.module.Module') \
        .replace('torch.nn.modules.container.', 'minigrad.nn.containers.')
    if not message.startswith("'") and 'Module subclass' not in message:     # not AttributeError's text
        assert str(ours).replace('Sequential', 'X').replace('ModuleList', 'X') \
            .startswith(message.replace('Sequential', 'X').replace('ModuleList', 'X').rstrip('.'))


def _params(lib, dtype='float32'):
    rng = np.random.default_rng(0)
    return [lib.tensor(rng.standard_normal(shape).astype(dtype)) for shape in [(3, 4), (3,), ()]]


PARAMETER_EDITS = [
    ('plist', lambda lib: lib.nn.ParameterList(_params(lib)), lambda lib, p: [p, len(p), p[-1], p[1:]]),
    ('plist-one', lambda lib: lib.nn.ParameterList(_params(lib)[:1]), lambda lib, p: p),
    ('plist-empty', lambda lib: lib.nn.ParameterList(), lambda lib, p: p),
    ('plist-mixed', lambda lib: lib.nn.ParameterList(_params(lib, 'float64')),
     lambda lib, p: p.append(3).extend(['x', lib.nn.Parameter(lib.zeros(2), requires_grad=False)])),
    ('plist-setitem', lambda lib: lib.nn.ParameterList(_params(lib)), lambda lib, p: _set(p, -1, lib.ones(5))),
    ('plist-iadd', lambda lib: lib.nn.ParameterList(_params(lib)), lambda lib, p: _iadd(p, [lib.ones(1)])),
    ('pdict', lambda lib: lib.nn.ParameterDict({'w': _params(lib)[0], 'b': _params(lib)[1]}),
     lambda lib, d: [d, list(d), list(d.keys()), len(d), 'w' in d, d.get('nope', 1), list(reversed(d))]),
    ('pdict-ordered', lambda lib: lib.nn.ParameterDict(collections.OrderedDict(
        [('w', _params(lib)[0]), ('b', _params(lib)[1])])), lambda lib, d: d),
    ('pdict-pairs', lambda lib: lib.nn.ParameterDict([('z', _params(lib)[0]), ('a', 3)]), lambda lib, d: d),
    ('pdict-edit', lambda lib: lib.nn.ParameterDict({'w': _params(lib)[0], 'b': _params(lib)[1]}),
     lambda lib, d: [d.pop('w'), d.setdefault('c', lib.ones(2)), d.setdefault('b'), d.popitem(), d]),
    ('pdict-merge', lambda lib: lib.nn.ParameterDict({'w': _params(lib)[0]}),
     lambda lib, d: [d | lib.nn.ParameterDict({'v': lib.ones(2)}), _ior(d, {'u': lib.ones(1)}), d.copy(),
                     d.fromkeys(['p', 'q'], lib.zeros(1))]),
    ('pdict-clear', lambda lib: lib.nn.ParameterDict({'w': _params(lib)[0]}), lambda lib, d: [d.clear(), d]),
]


def _ior(container, other):
    container |= other
    return container


@pytest.mark.parametrize('make, edit', [case[1:] for case in PARAMETER_EDITS],
                         ids=[case[0] for case in PARAMETER_EDITS])
def test_parameter_container_edits_match_pytorch(torch, make, edit):
    ours, theirs = make(mg), make(torch)
    assert _comparable(ours) == _comparable(theirs)
    assert _comparable(edit(mg, ours)) == _comparable(edit(torch, theirs))
    assert _comparable(ours) == _comparable(theirs)


def test_parameter_containers_register_parameters_that_train():
    plist = nn.ParameterList([mg.ones(2), mg.ones(3)])
    pdict = nn.ParameterDict({'scale': mg.ones(2)})
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in plist)
    model = nn.ModuleDict({'plist': plist, 'pdict': pdict})
    assert [name for name, _ in model.named_parameters()] == ['plist.0', 'plist.1', 'pdict.scale']
    (plist[0].sum() * pdict['scale'].sum() + plist[1].sum()).backward()
    np.testing.assert_array_equal(pdict['scale'].grad.numpy(), [2.0, 2.0])


def test_state_dicts_load_across_the_libraries(torch):
    def build(lib):
        return lib.nn.ModuleDict({
            'body': lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 3)),
            'heads': lib.nn.ModuleList([lib.nn.Linear(3, 1), lib.nn.Linear(3, 2)]),
            'scales': lib.nn.ParameterList([lib.ones(3), lib.ones(1)]),
            'extra': lib.nn.ParameterDict({'bias': lib.zeros(2)})})
    ours, theirs = build(mg), build(torch)
    state = {k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}
    assert list(state) == list(theirs.state_dict())
    theirs.load_state_dict(state)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})


def test_sequential_insert_and_delete_keep_the_forward_order():
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    seq.insert(0, nn.Identity())
    seq.append(nn.Tanh())
    del seq[1:3]
    assert [type(m).__name__ for m in seq] == ['Identity', 'Tanh']
    x = mg.tensor([[-1.0, 2.0]])
    np.testing.assert_allclose(seq(x).numpy(), np.tanh(x.numpy()), rtol=1e-6)
    assert 'Identity' in repr(seq) and '0' not in dir(seq)
