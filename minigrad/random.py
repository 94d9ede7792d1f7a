"""Which random generator a draw uses: the one helper behind every `generator=` and `seed=` argument.

Factories, `Tensor.normal_`/`uniform_`/`random_`, `nn.init`, dropout, `utils.data`
(samplers, `random_split`, `DataLoader`) and `mg.data` (synthetic sets, split,
loader) all ask `numpy_generator` for the NumPy Generator to draw from.

An `mg.Generator` holds two independent streams, both seeded by its `manual_seed`:

- its NumPy Generator (`np.random.default_rng(seed)`), for everything above;
- an mt19937 stream seeded as PyTorch's CPU generator is (`TorchStream`), which
  `rand`, `randn`, `randint`, `randperm`, `normal`, their `_like` forms, `multinomial` and
  `Tensor.exponential_` draw from when given `generator=` an mg.Generator, so that
  `mg.Generator().manual_seed(s)` gives the numbers `torch.Generator().manual_seed(s)` gives,
  bit for bit (see `TorchStream`).

A generator used for both kinds of draw moves each stream on its own: a `DataLoader`
shuffle does not shift the numbers `rand` gives next, nor the other way round.
`mg.manual_seed` and draws without `generator=` stay on NumPy's default_rng.
"""
import math

import numpy as np

_generator = np.random.default_rng()

# torch.Generator()'s seed when none is given (its `initial_seed()`)
TORCH_DEFAULT_SEED = 67280421310721
_MASK53 = np.uint64(2 ** 53 - 1)


def manual_seed(seed):
    """Makes every random draw in minigrad reproducible from `seed`."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def _mt19937_state(seed):
    """mt19937's 624-word state from a 32-bit seed (Matsumoto and Nishimura's init_genrand,
    the seeding PyTorch and NumPy's legacy RandomState use): x[0] = seed,
    x[i] = 1812433253 * (x[i-1] ^ (x[i-1] >> 30)) + i  (mod 2**32)."""
    key = np.empty(624, np.uint32)
    x = seed & 0xFFFFFFFF
    for i in range(624):               # a recurrence: once per seed, not per draw
        key[i] = x
        x = (1812433253 * (x ^ (x >> 30)) + i + 1) & 0xFFFFFFFF
    return key


class TorchStream:
    """PyTorch's CPU random stream: mt19937's 32-bit outputs r0, r1, ... after seeding with
    `seed mod 2**32`, and PyTorch's ways of turning them into numbers. Checked bit for bit
    against torch 2.13 (tests/test_random.py):

    - float32 uniform: (r & (2**24 - 1)) * 2**-24, one output per value;
    - float64 uniform: a 64-bit word w = r[2i] << 32 | r[2i+1], (w & (2**53 - 1)) * 2**-53;
    - integers in [low, high): low + r mod (high - low), or w mod (high - low) for a
      range of 2**32 or more (PyTorch's modulo, with its tiny bias);
    - Exponential(1): -log1p(-u) from 53-bit uniforms u;
    - permutations: `permutation`;
    - normals: see `normal`.
    The normal sample PyTorch keeps for later (its scalar Box-Muller makes two) lives here too.
    """

    def __init__(self, seed=TORCH_DEFAULT_SEED):
        self._bits = np.random.MT19937()
        self._bits.state = {'bit_generator': 'MT19937',
                            'state': {'key': _mt19937_state(seed), 'pos': 624}}
        self._spare_normal = None

    def raw(self, n):
        """The next n 32-bit outputs, as uint64."""
        return self._bits.random_raw(n).astype(np.uint64)

    def words(self, n):
        """The next n 64-bit words, each from two outputs (the first one high)."""
        r = self.raw(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def doubles(self, n):
        """n float64 uniforms in [0, 1), 53 random bits each."""
        return (self.words(n) & _MASK53).astype(np.float64) * 2.0 ** -53

    def floats(self, n):
        """n float32 uniforms in [0, 1), 24 random bits each."""
        return (self.raw(n) & np.uint64(0xFFFFFF)).astype(np.float32) * np.float32(2.0 ** -24)

    def uniform(self, n, dtype):
        """n uniforms in [0, 1) as PyTorch's rand draws them for `dtype` (float64: 53 bits;
        float32 and narrower: 24 bits, then rounded to the dtype)."""
        dtype = np.dtype(dtype)
        return self.doubles(n) if dtype == np.float64 else self.floats(n).astype(dtype)

    def exponentials(self, n):
        """n Exponential(1) draws in float64 as PyTorch's exponential_: -log1p(-u), u a 53-bit
        uniform (log1p the C library's, as PyTorch's)."""
        return -_libm(math.log1p, -self.doubles(n))

    def integers(self, low, high, n):
        """n int64 draws from [low, high): low + (output mod range), as PyTorch's randint."""
        span = high - low
        draws = self.raw(n) if span < 2 ** 32 else self.words(n)
        return (draws % np.uint64(span)).astype(np.int64) + np.int64(low)

    def permutation(self, n):
        """A permutation of range(n) as PyTorch's randperm shuffles: Fisher-Yates, swapping
        place i with place i + (r_i mod (n - i)) for i = 0, ..., n - 2 (`_fisher_yates`)."""
        if n <= 1:
            return np.arange(n, dtype=np.int64)
        i = np.arange(n - 1, dtype=np.int64)
        return _fisher_yates(i + (self.raw(n - 1) % (np.uint64(n) - i.astype(np.uint64))).astype(np.int64))

    def normal(self, n, dtype):
        """n standard normals as PyTorch's randn draws them for a tensor of n elements.

        n >= 16 (PyTorch's vector fill): n uniforms u of the dtype, then in each block of 16
        Box-Muller on pairs (u[j], u[j+8]), j < 8: r = sqrt(-2 log(1 - u[j])), θ = 2π u[j+8],
        x[j] = r cos θ, x[j+8] = r sin θ; when 16 does not divide n, 16 fresh uniforms are
        transformed the same way into the last 16 places (float64 math as the C library's,
        float32 as PyTorch's vector code: `_box_muller_blocks`). n < 16: `_scalar_normals`."""
        dtype = np.dtype(dtype)
        if n < 16:
            return self._scalar_normals(n).astype(dtype)
        wide = dtype == np.float64
        u = self.uniform(n, np.float64 if wide else np.float32)
        whole = n - n % 16
        u[:whole] = _box_muller_blocks(u[:whole].reshape(-1, 16)).ravel()
        if n % 16:
            u[n - 16:] = _box_muller_blocks(self.uniform(16, u.dtype).reshape(1, 16)).ravel()
        return u.astype(dtype)

    def _scalar_normals(self, n):
        """PyTorch's one-at-a-time normals (float64, for any dtype): the kept sample first if
        there is one, then from each pair of 53-bit uniforms (u1, u2): r = sqrt(-2 log1p(-u2)),
        θ = 2π u1, r cos θ now and r sin θ next (kept for the next draw when n runs out)."""
        out = [] if self._spare_normal is None else [self._spare_normal]
        self._spare_normal = None
        pairs = max(0, n - len(out) + 1) // 2
        u = self.doubles(2 * pairs)
        r = np.sqrt(-2.0 * _libm(math.log1p, -u[1::2]))
        theta = 2.0 * np.pi * u[0::2]
        fresh = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).ravel()
        values = np.concatenate([np.asarray(out, np.float64), fresh])
        if len(values) > n:
            self._spare_normal = values[n]
        return values[:n]


def _fisher_yates(target):
    """range(n) after the swaps a[i] <-> a[target[i]] (target[i] >= i) for i = 0, 1, ..., n - 2 in
    turn, without making them one by one. Place i is final after swap i, and until then it is
    written only by swaps that target it. So the value at place i just before swap i is
    v(i) = v(k), k the last earlier swap onto place i, or i if there is none (chains, followed
    by pointer doubling); and the final a[i], which swap i brings in from place target[i], is
    v(k) for k the swap onto target[i] before swap i, or target[i] if none."""
    n = len(target) + 1
    places = np.arange(n)
    order = np.argsort(target, kind='stable')       # swaps by target, in time order within each
    onto = target[order]
    same = onto[1:] == onto[:-1]
    previous = np.full(n - 1, -1)                   # the swap before it onto the same place
    previous[order[1:][same]] = order[:-1][same]
    ends = np.searchsorted(onto, places, side='right') - 1
    parent = np.where((ends >= 0) & (onto[np.maximum(ends, 0)] == places), order[np.maximum(ends, 0)], -1)
    stays = target == places[:-1]                   # swap i onto place i itself is the last onto i
    parent[:-1][stays] = previous[stays]
    root = np.where(parent < 0, places, parent)
    while True:                         # pointer doubling: log2 of the longest chain rounds
        further = root[root]
        if np.array_equal(further, root):
            break
        root = further
    brought = np.where(previous >= 0, root[np.maximum(previous, 0)], target)
    return np.append(brought, root[-1])


def _libm(function, x):
    """`function` (from Python's math module: the C library's) of each float64 in x. NumPy's
    own vector log and log1p differ from the C library's (PyTorch's) in the last bit for about
    0.4% and 7% of inputs; its sqrt, cos and sin agree with it."""
    return np.fromiter(map(function, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def _box_muller_blocks(blocks):
    """Box-Muller on rows of 16 uniforms, in their dtype: (u[j], u[j+8]) -> (r cos θ, r sin θ)
    with r = sqrt(-2 log(1 - u[j])), θ = 2π u[j+8]. In float64 with the C library's log, cos
    and sin (PyTorch's scalar code); in float32 with PyTorch's vector log and sin/cos
    (`_log_float32`, `_sincos_float32`: float32 polynomials with fused multiply-adds)."""
    one = blocks.dtype.type(1)
    if blocks.dtype == np.float64:
        r = np.sqrt(-2 * _libm(math.log, one - blocks[:, :8]))
        theta = 2 * np.pi * blocks[:, 8:]
        return np.concatenate([r * np.cos(theta), r * np.sin(theta)], axis=1)
    blocks = blocks.astype(np.float32)
    r = np.sqrt(np.float32(-2) * _log_float32(one - blocks[:, :8]))
    sin, cos = _sincos_float32(np.float32(2 * np.pi) * blocks[:, 8:])
    return np.concatenate([r * cos, r * sin], axis=1)


def _fma(a, b, c):
    """float32 a * b + c rounded once (the product is exact in float64; the float64 sum, then
    rounded to float32, is the fused result but for ties of both roundings, ~2**-29 of cases)."""
    wide = [np.asarray(v, np.float64) for v in (a, b, c)]
    return (wide[0] * wide[1] + wide[2]).astype(np.float32)


def _horner(x, coefficients):
    """c0 x^(k-1) + ... + c(k-1) by Horner's rule in float32, each step one fused multiply-add."""
    y = np.full(x.shape, np.float32(coefficients[0]))
    for c in coefficients[1:]:          # a handful of coefficients, each step on the whole array
        y = _fma(y, x, np.float32(c))
    return y


# Cephes' single-precision minimax coefficients, which PyTorch's vector log and sin/cos use
_LOG_POLY = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
             -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)
_COS_POLY = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)
_SIN_POLY = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)


def _log_float32(x):
    """log x for positive normal float32 x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), f = m - 1,
    log x = f - f²/2 + f³ P(f) + e log 2, log 2 split as 0.693359375 - 2.12194440e-4 so that
    e times the first part is exact."""
    bits = x.view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 126).astype(np.float32)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)     # [1/2, 1)
    low = m < np.float32(0.707106781186547524)
    e = e - low.astype(np.float32)                          # m < sqrt(1/2): use 2m, one less e
    f = (m - np.float32(1)) + np.where(low, m, np.float32(0))
    z = f * f
    y = _horner(f, _LOG_POLY) * f
    y = _fma(y, z, e * np.float32(-2.12194440e-4))
    y = y - z * np.float32(0.5)
    return (f + y) + e * np.float32(0.693359375)


def _sincos_float32(x):
    """(sin x, cos x) for float32 x >= 0: j, the even integer nearest x / (π/4) from above
    (trunc(x 4/π) rounded up to even), r = x - j π/4 (π/4 in three parts, so the products stay
    exact), then the sine and cosine polynomials of r, swapped and signed by j's octant."""
    j = (x * np.float32(4 / np.pi)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    for part in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma(y, np.float32(part), x)
    z = x * x
    cos = _fma(_horner(z, _COS_POLY) * z, z, -(z * np.float32(0.5))) + np.float32(1)
    sin = _fma(_horner(z, _SIN_POLY) * z, x, x)
    swap = (j & 2) != 0
    sin, cos = np.where(swap, cos, sin), np.where(swap, sin, cos)
    return np.where((j & 4) != 0, -sin, sin), np.where(((j - 2) & 4) == 0, -cos, cos)


class Generator:
    """PyTorch's `torch.Generator`: a random stream of its own, for `generator=` arguments.

    `mg.Generator().manual_seed(42)` returns the generator, as in PyTorch, so
    `random_split(ds, [0.8, 0.2], generator=mg.Generator().manual_seed(42))` runs unchanged.
    It holds two streams (see the module's docstring): a NumPy Generator and PyTorch's
    mt19937 stream, which starts, as torch.Generator() does, from seed 67280421310721 until
    `manual_seed` reseeds both.
    """

    def __init__(self, device='cpu'):
        from .device import check
        check(device, 'Generator')
        self._generator = np.random.default_rng()
        self._torch = TorchStream()
        self._seed = None

    def manual_seed(self, seed):
        # a negative seed counts modulo 2**64, as in PyTorch
        self._generator, self._seed = np.random.default_rng(seed if seed >= 0 else seed % 2 ** 64), seed
        self._torch = TorchStream(int(seed))
        return self

    def initial_seed(self):
        return self._seed


def numpy_generator(generator=None, *, seeds=False):
    """The NumPy Generator to draw from for a `generator=` argument, looked up at the moment of drawing.

    None: minigrad's default generator (the one `mg.manual_seed` replaces, so it is
    looked up anew each time); an `mg.Generator`: its own stream; a NumPy
    `np.random.Generator`: itself; an object holding one in `_generator` or `_rng`
    (a `torch.Generator`-like wrapper): that one. With `seeds=True` (mg.data's `seed=`
    arguments) an int is a seed too: a new generator of its own, seeded with it.
    Anything else raises a TypeError that says what is accepted.
    """
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator._generator
    if isinstance(generator, np.random.Generator):
        return generator
    if seeds and isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(generator)
    for name in ('_generator', '_rng'):
        inner = getattr(generator, name, None)
        if isinstance(inner, np.random.Generator):
            return inner
    what = 'seed= must be an int,' if seeds else 'generator= must be'
    raise TypeError(f"{what} an mg.Generator, a NumPy np.random.Generator (class numpy.random.Generator, "
                    f"made by np.random.default_rng(seed)) or None for minigrad's own generator "
                    f"(seeded by mg.manual_seed); got {generator!r}")


def seed_generator(seed=None):
    """mg.data's `seed=`: `numpy_generator(seed, seeds=True)` (an int seeds a generator of its own)."""
    return numpy_generator(seed, seeds=True)


def generator():
    """minigrad's default NumPy Generator, `numpy_generator(None)` (kept for code that imports it)."""
    return numpy_generator(None)


def torch_stream(generator):
    """The PyTorch-matching stream to draw from for a `generator=` argument: an mg.Generator's
    mt19937 stream, else None (the caller then draws from `numpy_generator(generator)`)."""
    return generator._torch if isinstance(generator, Generator) else None
