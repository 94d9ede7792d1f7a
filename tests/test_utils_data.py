"""minigrad.utils.data: PyTorch's datasets, samplers, collation and DataLoader.

Behaviour tests first; then, when PyTorch is installed, the same data through
torch.utils.data: collated structures, dtypes, shapes and values, len(), drop_last,
random_split sizes. Random orders are never compared with PyTorch's: the two
libraries draw from different random number generators, so only sizes, coverage
and reproducibility under one library's seed are checked.
"""
import collections
import itertools
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.utils.data
from minigrad.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset,
                                 IterableDataset, RandomSampler, Sampler, SequentialSampler,
                                 StackDataset, Subset, SubsetRandomSampler, TensorDataset,
                                 WeightedRandomSampler, default_collate, default_convert,
                                 get_worker_info, random_split)

Point = collections.namedtuple('Point', ['x', 'y'])


class Images(Dataset):
    """The tutorial dataset: (image tensor, int label) pairs."""

    def __init__(self, n=150, seed=0):
        rng = np.random.default_rng(seed)
        self.images = rng.standard_normal((n, 1, 4, 4)).astype(np.float32)
        self.labels = rng.integers(0, 10, n)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return mg.tensor(self.images[idx]), int(self.labels[idx])


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class StreamWithoutLen(IterableDataset):
    def __iter__(self):
        return iter(range(3))


# ------------------------------------------------------------------ imports

def test_import_styles():
    from minigrad.utils.data import DataLoader as DL
    assert DL is minigrad.utils.data.DataLoader
    assert mg.utils.data.TensorDataset is TensorDataset
    assert get_worker_info() is None


# ------------------------------------------------------ the tutorial program

def test_tutorial_loop_shapes_dtypes_and_coverage():
    ds = Images(150)
    loader = DataLoader(ds, batch_size=64, shuffle=True)
    assert len(loader) == 3
    seen = []
    sizes = []
    for X, y in loader:
        assert isinstance(X, mg.Tensor) and isinstance(y, mg.Tensor)
        assert X.dtype == mg.float32 and y.dtype == mg.int64
        assert tuple(X.shape[1:]) == (1, 4, 4) and tuple(y.shape) == (X.shape[0],)
        sizes.append(X.shape[0])
        for img, label in zip(X.numpy(), y.tolist()):
            i = int(np.flatnonzero((ds.images == img).all(axis=(1, 2, 3)))[0])
            assert ds.labels[i] == label
            seen.append(i)
    assert sizes == [64, 64, 22]
    assert sorted(seen) == list(range(150))          # every sample once per epoch


def test_tutorial_program_with_torch_style_names():
    import minigrad as torch                         # the names a PyTorch tutorial uses

    class CustomImageDataset(torch.utils.data.Dataset):
        def __init__(self, n):
            self.images = np.linspace(0, 1, n * 28 * 28, dtype=np.float32).reshape(n, 28, 28)
            self.labels = [i % 10 for i in range(n)]

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, idx):
            image = torch.tensor(self.images[idx]).unsqueeze(0)
            return image, self.labels[idx]

    training_data = CustomImageDataset(200)
    train_dataloader = torch.utils.data.DataLoader(training_data, batch_size=64, shuffle=True)
    train_features, train_labels = next(iter(train_dataloader))
    assert tuple(train_features.size()) == (64, 1, 28, 28)
    assert tuple(train_labels.size()) == (64,) and train_labels.dtype == torch.int64
    assert train_features[0].squeeze().shape == (28, 28)
    n = 0
    for batch, (X, y) in enumerate(train_dataloader):
        n += len(X)
        assert X.dtype == torch.float32 and y.dtype == torch.int64 and len(y) == len(X)
    assert n == len(train_dataloader.dataset) == 200 and batch == 3


def test_generic_subscripts():
    class Ints(Dataset[int]):
        def __getitem__(self, i):
            return i

        def __len__(self):
            return 2

    assert [b.tolist() for b in DataLoader[int](Ints(), batch_size=2)] == [[0, 1]]

    class Doubled(Subset):
        def __getitem__(self, i):
            return 2 * super().__getitem__(i)

    with pytest.raises(NotImplementedError, match='overrides __getitem__ but not __getitems__'):
        Doubled([1, 2], [0])


def test_shuffle_reshuffles_every_epoch_and_manual_seed_reproduces():
    ds = TensorDataset(mg.arange(50))
    loader = DataLoader(ds, batch_size=10, shuffle=True)
    mg.manual_seed(3)
    epochs = [np.concatenate([b.numpy() for b, in loader]) for _ in range(3)]
    assert all(sorted(e.tolist()) == list(range(50)) for e in epochs)
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    mg.manual_seed(3)                                # seeded after the loader was made
    again = [np.concatenate([b.numpy() for b, in loader]) for _ in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(epochs, again))


def test_no_shuffle_is_in_order_and_next_iter_works():
    loader = DataLoader(TensorDataset(mg.arange(10), mg.arange(10) * 2), batch_size=4)
    x, y = next(iter(loader))
    assert x.tolist() == [0, 1, 2, 3] and y.tolist() == [0, 2, 4, 6]
    assert [b.tolist() for b, _ in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    it = iter(loader)
    assert len(it) == 3 and iter(it) is it


def test_generator_argument():
    ds = list(range(30))
    a = labels_of_list(DataLoader(ds, batch_size=7, shuffle=True, generator=np.random.default_rng(5)))
    b = labels_of_list(DataLoader(ds, batch_size=7, shuffle=True, generator=np.random.default_rng(5)))
    assert a == b and sorted(sum(a, [])) == ds
    with pytest.raises(TypeError, match='numpy.random.Generator'):
        DataLoader(ds, shuffle=True, generator=5)


def labels_of_list(loader):
    return [b.tolist() for b in loader]


def test_workers_and_pin_memory_are_accepted_and_change_nothing():
    ds = Images(40)
    plain = [(X.numpy(), y.numpy()) for X, y in DataLoader(ds, batch_size=16)]
    many = DataLoader(ds, batch_size=16, num_workers=2, pin_memory=True, timeout=5,
                      worker_init_fn=lambda i: pytest.fail('no workers run'),
                      persistent_workers=True, prefetch_factor=4)
    for (a, b), (X, y) in zip(plain, many):
        np.testing.assert_array_equal(a, X.numpy())
        np.testing.assert_array_equal(b, y.numpy())
    assert len(many) == 3


# ------------------------------------------------------------------ datasets

def test_tensor_dataset():
    X, y = mg.randn(6, 3), mg.tensor([0, 1, 2, 0, 1, 2])
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x2, y2 = ds[2]
    np.testing.assert_array_equal(x2.numpy(), X.numpy()[2])
    assert y2.item() == 2 and y2.ndim == 0
    xs, ys = ds[1:3]
    assert tuple(xs.shape) == (2, 3)
    with pytest.raises(AssertionError, match='Size mismatch between tensors'):
        TensorDataset(mg.zeros(5, 2), mg.zeros(4))
    with pytest.raises(TypeError, match='mg.tensor'):
        TensorDataset(np.zeros((3, 2)))


def test_tensor_dataset_keeps_the_graph_for_tensors_that_require_grad():
    w = mg.ones(4, 2, requires_grad=True)
    (xb,) = next(iter(DataLoader(TensorDataset(w), batch_size=3)))
    xb.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[1, 1]] * 3 + [[0, 0]])


def test_fast_tensor_dataset_batches_equal_collating_each_sample():
    X = mg.tensor(np.arange(60, dtype=np.float32).reshape(20, 3))
    y = mg.tensor(np.arange(20) % 3)
    base = TensorDataset(X, y)
    sub = Subset(Subset(base, list(range(19, -1, -1))), np.arange(2, 17))
    for ds in (base, sub):
        fast = list(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(1)))
        slow = list(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(1),
                               collate_fn=lambda batch: default_collate(batch)))
        assert len(fast) == len(slow)
        for f, s in zip(fast, slow):
            assert type(f) is list and type(s) is list and len(f) == len(s) == 2
            for a, b in zip(f, s):
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_subset_concat_and_add():
    a, b = TensorDataset(mg.arange(5)), TensorDataset(mg.arange(10, 13))
    sub = Subset(a, [4, 0, 2])
    assert len(sub) == 3 and sub[0][0].item() == 4 and sub[-1][0].item() == 2
    both = a + b
    assert isinstance(both, ConcatDataset) and len(both) == 8
    assert [both[i][0].item() for i in range(8)] == [0, 1, 2, 3, 4, 10, 11, 12]
    assert both[-1][0].item() == 12 and both.cumulative_sizes == [5, 8]
    with pytest.raises(IndexError):
        both[8]
    with pytest.raises(AssertionError):
        ConcatDataset([])
    with pytest.raises(AssertionError):
        ConcatDataset([a, Stream(3)])


def test_stack_and_chain_datasets():
    s = StackDataset(TensorDataset(mg.arange(3)), list('abc'))
    assert s[1][1] == 'b' and len(s) == 3
    d = StackDataset(x=list(range(3)), y=list('abc'))
    assert d[2] == {'x': 2, 'y': 'c'}
    with pytest.raises(ValueError, match='Size mismatch'):
        StackDataset([1, 2], [1])
    chain = Stream(3) + Stream(2)
    assert isinstance(chain, ChainDataset) and list(chain) == [0, 1, 2, 0, 1] and len(chain) == 5


def test_iterable_dataset_loading():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Stream(7), batch_size=3)) == 3
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]
    with pytest.raises(ValueError, match='shuffle'):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(TypeError):
        len(DataLoader(StreamWithoutLen()))


# -------------------------------------------------------------- random_split

def test_random_split_lengths_and_fractions():
    parts = random_split(range(10), [3, 7], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    assert all(isinstance(p, Subset) for p in parts)
    # floor(n * fraction) each, the rest handed out one by one from the first split
    assert [len(p) for p in random_split(range(10), [0.25, 0.75])] == [3, 7]
    assert [len(p) for p in random_split(range(30), [0.3, 0.3, 0.4])] == [9, 9, 12]
    assert [len(p) for p in random_split(range(11), [0.2, 0.2, 0.2, 0.2, 0.2])] == [3, 2, 2, 2, 2]
    with pytest.warns(UserWarning, match='Length of split at index 1 is 0'):
        assert [len(p) for p in random_split(range(3), [0.1, 0.1, 0.8])] == [1, 0, 2]
    with pytest.raises(ValueError, match='Sum of input lengths'):
        random_split(range(10), [3, 6])
    with pytest.raises(ValueError, match='fractions must sum to 1'):
        random_split(range(10), [0.5, 0.4])
    with pytest.raises(ValueError, match='Fraction at index 0 is not between 0 and 1'):
        random_split(range(10), [1.5, -0.5])


def test_random_split_reproducible():
    mg.manual_seed(7)
    a = [list(p) for p in random_split(range(20), [0.5, 0.5])]
    mg.manual_seed(7)
    b = [list(p) for p in random_split(range(20), [0.5, 0.5])]
    c = [list(p) for p in random_split(range(20), [10, 10], generator=np.random.default_rng(1))]
    d = [list(p) for p in random_split(range(20), [10, 10], generator=np.random.default_rng(1))]
    assert a == b and c == d and a != list(range(20))


# ------------------------------------------------------------------ collation

def test_default_collate_rules():
    assert default_collate([1.5, 2.0]).dtype == mg.float64
    assert default_collate([1, 2]).dtype == mg.int64
    assert default_collate([True, False]).dtype == mg.bool
    assert default_collate([1, 2.5]).dtype == mg.float32          # torch.tensor([1, 2.5])
    assert default_collate(['a', 'b']) == ['a', 'b']
    assert default_collate([(0, 'a'), (1, 'b')])[1] == ('a', 'b')     # PyTorch's: zip's tuple
    xs, ys = default_collate([(mg.zeros(2), 0), (mg.ones(2), 1)])
    assert tuple(xs.shape) == (2, 2) and ys.tolist() == [0, 1]
    out = default_collate([{'img': np.zeros((2, 2), np.float32), 'name': 'a', 'k': 1},
                           {'img': np.ones((2, 2), np.float32), 'name': 'b', 'k': 2}])
    assert out['img'].dtype == mg.float32 and tuple(out['img'].shape) == (2, 2, 2)
    assert out['name'] == ['a', 'b'] and out['k'].tolist() == [1, 2]
    p = default_collate([Point(1.0, 2), Point(3.0, 4)])
    assert type(p) is Point and p.x.dtype == mg.float64 and p.y.tolist() == [2, 4]
    assert [t.tolist() for t in default_collate([[1, 2], [3, 4]])] == [[1, 3], [2, 4]]
    assert default_collate([np.float32(1), np.float32(2)]).dtype == mg.float32
    mixed = default_collate([mg.tensor([1, 2]), mg.tensor([1.5, 2.0])])
    assert mixed.dtype == mg.float32 and mixed.tolist() == [[1, 2], [1.5, 2]]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match=r'but got \[3\] at entry 0 and \[4\] at entry 2') as e:
        default_collate([(mg.zeros(3), 0), (mg.zeros(3), 1), (mg.zeros(4), 2)])
    assert 'x[0] of every sample x' in str(e.value)
    with pytest.raises(RuntimeError, match=r"\[2, 2\] at entry 0 and \[2, 3\] at entry 1.*x\['x'\] of every"):
        default_collate([{'x': np.zeros((2, 2))}, {'x': np.zeros((2, 3))}])
    with pytest.raises(RuntimeError, match='each element in list of batch should be of equal size'):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match='default_collate: batch must contain'):
        default_collate([object()])
    with pytest.raises(KeyError, match='lacks keys'):
        default_collate([{'a': 1}, {'b': 1}])


def test_collate_keeps_the_graph():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [5, 5])


def test_default_convert_and_batch_size_none():
    assert default_convert((np.zeros(2), 3))[0].dtype == mg.float64
    assert isinstance(default_convert((np.zeros(2), 3)), list)
    loader = DataLoader([np.arange(3), np.arange(3, 6)], batch_size=None)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2


# ------------------------------------------------------------------ samplers

def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    r = RandomSampler(range(10), generator=np.random.default_rng(0))
    assert sorted(r) == list(range(10)) and len(r) == 10
    r = RandomSampler(range(3), num_samples=7, generator=np.random.default_rng(0))
    draws = list(r)
    assert len(draws) == 7 and sorted(draws[:3]) == [0, 1, 2] and sorted(draws[3:6]) == [0, 1, 2]
    r, reference = RandomSampler(range(10), generator=np.random.default_rng(4)), np.random.default_rng(4)
    for _ in range(3):     # one permutation per pass and no spare one drawn (PyTorch draws one)
        assert list(r) == reference.permutation(10).tolist()
    r = RandomSampler(range(3), replacement=True, num_samples=50)
    assert len(list(r)) == 50 and set(r) <= {0, 1, 2}
    assert list(BatchSampler(SequentialSampler(range(10)), 3, False)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(range(10), 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(10), 3, False)) == 4 and len(BatchSampler(range(10), 3, True)) == 3
    assert sorted(SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]
    w = list(WeightedRandomSampler([0, 0, 1.0], 5))
    assert w == [2] * 5
    with pytest.raises(ValueError, match='num_samples'):
        RandomSampler(range(3), num_samples=0)


def test_loader_with_samplers():
    ds = list(range(10))
    assert [b.tolist() for b in DataLoader(ds, batch_size=4, sampler=[9, 8, 7, 6, 5])] == [[9, 8, 7, 6], [5]]
    bs = BatchSampler(SequentialSampler(ds), 3, drop_last=True)
    loader = DataLoader(ds, batch_sampler=bs)
    assert len(loader) == 3 and [b.tolist() for b in loader][-1] == [6, 7, 8]

    class Evens(Sampler):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self):
            return (self.n + 1) // 2

    assert [b.tolist() for b in DataLoader(ds, batch_size=2, sampler=Evens(10))] == [[0, 2], [4, 6], [8]]
    with pytest.raises(ValueError, match='mutually exclusive with shuffle'):
        DataLoader(ds, sampler=Evens(10), shuffle=True)
    with pytest.raises(ValueError, match='batch_sampler option is mutually exclusive'):
        DataLoader(ds, batch_sampler=bs, batch_size=4)
    with pytest.raises(ValueError, match='batch_size=None option disables auto-batching'):
        DataLoader(ds, batch_size=None, drop_last=True)


# ------------------------------------------------------------- clear mistakes

def test_dataset_without_getitem_or_len():
    class NoGetitem(Dataset):
        def __len__(self):
            return 3

        def get_item(self, i):
            return i

    with pytest.raises(NotImplementedError, match=r'NoGetitem.*__getitem__.*found get_item'):
        DataLoader(NoGetitem())
    with pytest.raises(NotImplementedError, match='Subclasses of Dataset should implement __getitem__'):
        NoGetitem()[0]

    class NoLen(Dataset):
        def __getitem__(self, i):
            return i

    with pytest.raises(TypeError, match=r'NoLen defines no __len__'):
        DataLoader(NoLen(), batch_size=2)
    assert [b.tolist() for b in DataLoader(NoLen(), batch_size=2, sampler=[0, 1, 2])] == [[0, 1], [2]]

    class Streams(Dataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(NotImplementedError, match='IterableDataset'):
        DataLoader(Streams())
    with pytest.raises(TypeError, match='can index'):
        DataLoader((i for i in range(3)))


def test_loader_argument_mistakes():
    X, y = mg.randn(8, 2), mg.zeros(8)
    with pytest.raises(ValueError, match='TensorDataset'):
        DataLoader(X, y)                                 # minigrad.data.DataLoader's signature
    with pytest.raises(ValueError, match='batch_size should be a positive integer value'):
        DataLoader(X, batch_size=0)
    with pytest.raises(ValueError, match='drop_last should be a boolean'):
        DataLoader(X, batch_size=2, drop_last=1)
    with pytest.raises(ValueError, match='num_workers'):
        DataLoader(X, num_workers=-1)
    with pytest.raises(ValueError, match='prefetch_factor'):
        DataLoader(X, prefetch_factor=2)
    loader = DataLoader(X, batch_size=4)
    with pytest.raises(ValueError, match='batch_size attribute should not be set'):
        loader.batch_size = 2
    assert [tuple(b.shape) for b in loader] == [(4, 2), (4, 2)]     # a Tensor is a dataset of rows


def test_loader_len_cases():
    for n, bs, drop in itertools.product([1, 7, 64, 65], [1, 8, 64], [False, True]):
        loader = DataLoader(list(range(n)), batch_size=bs, drop_last=drop)
        batches = list(loader)
        assert len(loader) == len(batches) == (n // bs if drop else -(-n // bs))


# ------------------------------------------------------------ against PyTorch
# Random orders are not compared: PyTorch and minigrad use different random
# number generators, so the same seed gives different permutations.

def describe(obj, torch=None):
    """A library-neutral picture of a collated batch: containers, dtype names, shapes, values."""
    if torch is not None and isinstance(obj, torch.Tensor):
        return ('tensor', str(obj.dtype).split('.')[-1], tuple(obj.shape), obj.tolist())
    if isinstance(obj, mg.Tensor):
        return ('tensor', obj.dtype.name, tuple(obj.shape), obj.tolist())
    if isinstance(obj, tuple) and hasattr(obj, '_fields'):
        return (type(obj).__name__, [describe(o, torch) for o in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [describe(o, torch) for o in obj])
    if isinstance(obj, dict):
        return ('dict', {k: describe(v, torch) for k, v in obj.items()})
    return (type(obj).__name__, obj)


def sample_batches():
    rng = np.random.default_rng(0)
    return [
        [1.5, 2.5, 3.0],
        [1, 2, 3],
        [True, False],
        [1, 2.5],
        [2.5, 1],
        ['a', 'b'],
        [np.float32(1.5), np.float32(2.5)],
        [np.int32(1), np.int32(2)],
        [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4)],
        [rng.integers(0, 5, 3) for _ in range(2)],
        [(rng.standard_normal(3).astype(np.float32), k) for k in range(5)],
        [[1, 2.0, 'x'], [3, 4.0, 'y']],
        [{'a': np.ones(2, np.float32) * k, 'b': k, 'c': {'d': float(k)}} for k in range(3)],
        [Point(float(k), np.arange(k, k + 2)) for k in range(3)],
        [(np.zeros((2, 2), np.float64), (k, 'lbl'), [k, k + 1]) for k in range(2)],
    ]


def test_collate_matches_torch(torch):
    from torch.utils.data import default_collate as torch_collate
    for batch in sample_batches():
        assert describe(default_collate(batch)) == describe(torch_collate(batch), torch), batch


def test_collate_of_tensors_matches_torch(torch):
    from torch.utils.data import default_collate as torch_collate
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64, np.int64, np.bool_):
        arrays = [(rng.standard_normal((3, 2)) > 0).astype(dtype) for _ in range(4)]
        ours = default_collate([(mg.tensor(a), int(k)) for k, a in enumerate(arrays)])
        theirs = torch_collate([(torch.from_numpy(a), int(k)) for k, a in enumerate(arrays)])
        assert describe(ours) == describe(theirs, torch)
    a, b = np.arange(3), np.arange(3, dtype=np.float32)
    assert (describe(default_collate([mg.tensor(a), mg.tensor(b)]))
            == describe(torch_collate([torch.from_numpy(a), torch.from_numpy(b)]), torch))


def test_loader_batches_match_torch(torch):
    TD = torch.utils.data
    X = np.arange(46, dtype=np.float32).reshape(23, 2)
    y = np.arange(23) % 4
    for bs, drop in itertools.product([1, 5, 23, 30], [False, True]):
        ours = DataLoader(TensorDataset(mg.tensor(X), mg.tensor(y)), batch_size=bs, drop_last=drop)
        theirs = TD.DataLoader(TD.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                               batch_size=bs, drop_last=drop)
        assert len(ours) == len(theirs)
        assert [describe(b) for b in ours] == [describe(b, torch) for b in theirs]
        # shuffled: same number and sizes of batches, same dtypes (not the same order)
        ours = DataLoader(TensorDataset(mg.tensor(X), mg.tensor(y)), batch_size=bs, drop_last=drop,
                          shuffle=True)
        theirs = TD.DataLoader(TD.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                               batch_size=bs, drop_last=drop, shuffle=True)
        shape = lambda d: [(kind, dtype, shp) for kind, dtype, shp, _ in d[1]]   # noqa: E731
        assert [shape(describe(b)) for b in ours] == [shape(describe(b, torch)) for b in theirs]
    # the tutorial dataset, and batching turned off
    ds = Images(70)
    ours, theirs = DataLoader(ds, batch_size=32), TD.DataLoader(ds, batch_size=32,
                                                                 collate_fn=lambda b: torch_pairs(b, torch))
    assert len(ours) == len(theirs) == 3
    assert [describe(b) for b in ours] == [describe(b, torch) for b in theirs]
    samples = [(np.ones(2, np.float32) * k, k) for k in range(3)]
    assert ([describe(b) for b in DataLoader(samples, batch_size=None)]
            == [describe(b, torch) for b in TD.DataLoader(samples, batch_size=None)])


def torch_pairs(batch, torch):
    """PyTorch's default_collate of the tutorial samples, their mg images turned into torch tensors."""
    from torch.utils.data import default_collate as torch_collate
    return torch_collate([(torch.from_numpy(x.numpy()), label) for x, label in batch])


def test_len_and_drop_last_match_torch(torch):
    TD = torch.utils.data
    for n, bs, drop in itertools.product([1, 9, 10, 64, 100], [1, 3, 10, 64], [False, True]):
        ours = DataLoader(list(range(n)), batch_size=bs, drop_last=drop, shuffle=True)
        theirs = TD.DataLoader(list(range(n)), batch_size=bs, drop_last=drop, shuffle=True)
        assert len(ours) == len(theirs)
        assert [len(b) for b in ours] == [len(b) for b in theirs]
        assert len(DataLoader(Stream(n), batch_size=bs, drop_last=drop)) == len(
            TD.DataLoader(TorchStream(torch, n), batch_size=bs, drop_last=drop))
        assert ([len(b) for b in DataLoader(Stream(n), batch_size=bs, drop_last=drop)]
                == [len(b) for b in TD.DataLoader(TorchStream(torch, n), batch_size=bs, drop_last=drop)])
    for n in (1, 5, 10):
        ours = BatchSampler(RandomSampler(range(n), num_samples=2 * n + 1), 3, False)
        theirs = TD.BatchSampler(TD.RandomSampler(range(n), num_samples=2 * n + 1), 3, False)
        assert len(ours) == len(theirs) and [len(b) for b in ours] == [len(b) for b in theirs]


def TorchStream(torch, n):
    class S(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n
    return S()


def test_random_split_sizes_match_torch(torch):
    cases = [[0.8, 0.2], [0.7, 0.2, 0.1], [1 / 3] * 3, [0.25, 0.75], [0.5, 0.5], [0.9, 0.05, 0.05],
             [0.6, 0.4], [0.01, 0.99], [0.2] * 5, [1.0]]
    for n in (1, 2, 3, 7, 10, 11, 99, 100, 101, 1797):
        for fractions in cases:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                ours = [len(p) for p in random_split(range(n), fractions)]
                theirs = [len(p) for p in torch.utils.data.random_split(range(n), fractions)]
            assert ours == theirs, (n, fractions)
    ours = random_split(range(10), [2, 3, 5])
    theirs = torch.utils.data.random_split(range(10), [2, 3, 5])
    assert [len(p) for p in ours] == [len(p) for p in theirs] == [2, 3, 5]


def test_error_types_match_torch(torch):
    TD = torch.utils.data
    for ours, theirs in [
        (lambda: TensorDataset(mg.zeros(3), mg.zeros(4)),
         lambda: TD.TensorDataset(torch.zeros(3), torch.zeros(4))),
        (lambda: DataLoader(list(range(3)), sampler=[0], shuffle=True),
         lambda: TD.DataLoader(list(range(3)), sampler=[0], shuffle=True)),
        (lambda: DataLoader(list(range(3)), batch_size=0), lambda: TD.DataLoader(list(range(3)), batch_size=0)),
        (lambda: random_split(range(10), [3, 6]), lambda: TD.random_split(range(10), [3, 6])),
        (lambda: default_collate([(1, 2), (1,)]), lambda: TD.default_collate([(1, 2), (1,)])),
        (lambda: default_collate([np.zeros(2), np.zeros(3)]),
         lambda: TD.default_collate([np.zeros(2), np.zeros(3)])),
        (lambda: default_collate([object()]), lambda: TD.default_collate([object()])),
    ]:
        with pytest.raises(Exception) as theirs_err:
            theirs()
        with pytest.raises(type(theirs_err.value)) as ours_err:
            ours()
        first_words = str(theirs_err.value).split(',')[0].split('(')[0][:40]
        assert first_words in str(ours_err.value)


# ------------------------------------------------------- draws with replacement are lazy (scale)

ENDLESS = 10 ** 10          # the endless loader of a character-model trainer: no list that long


@pytest.mark.parametrize('make', [
    lambda: RandomSampler(range(65), replacement=True, num_samples=ENDLESS, generator=np.random.default_rng(0)),
    lambda: WeightedRandomSampler([1.0, 2.0, 0.5], ENDLESS, generator=np.random.default_rng(0)),
    lambda: BatchSampler(RandomSampler(range(65), replacement=True, num_samples=ENDLESS), 4, False),
], ids=['RandomSampler', 'WeightedRandomSampler', 'BatchSampler'])
def test_samplers_with_replacement_draw_lazily(make):
    """They drew every index up front (MemoryError for 10**10); PyTorch draws 32 at a time."""
    sampler = make()
    first = list(itertools.islice(iter(sampler), 100))
    assert len(first) == 100 and len(sampler) in (ENDLESS, ENDLESS // 4)


def test_an_endless_dataloader_gives_its_first_batches_at_once():
    data = TensorDataset(mg.arange(65))
    loader = DataLoader(data, batch_size=8, sampler=RandomSampler(data, replacement=True,
                                                                  num_samples=ENDLESS))
    batches = list(itertools.islice(iter(loader), 3))
    assert [b[0].shape for b in batches] == [(8,)] * 3 and len(loader) == ENDLESS // 8


@pytest.mark.parametrize('num_samples', [1, 31, 32, 33, 100])
@pytest.mark.parametrize('seed', [0, 1, 7])
def test_lazy_draws_are_the_stream_of_one_draw(seed, num_samples):
    """Drawn in chunks, the indices are those one NumPy call gave: orders pinned for a seed stay."""
    weights = np.array([0.1, 0.5, 2.0, 0.0, 1.0])
    one_draw = np.random.default_rng(seed).choice(5, size=num_samples, p=weights / weights.sum())
    assert list(WeightedRandomSampler(weights, num_samples, generator=np.random.default_rng(seed))) \
        == one_draw.tolist()
    one_draw = np.random.default_rng(seed).integers(0, 7, size=num_samples)
    assert list(RandomSampler(range(7), replacement=True, num_samples=num_samples,
                              generator=np.random.default_rng(seed))) == one_draw.tolist()
