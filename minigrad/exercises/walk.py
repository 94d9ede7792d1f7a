"""The 'backward_walk' exercise: `Node`, a number in a small graph that records its local
derivatives (and the same computation in minigrad), the graphs a walk is checked on, and the
diagnosis of the first node whose gradient is wrong."""
import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor
from .report import _crash, _fail, _last_line, _num


class Node:
    """One number in a small graph, for the 'backward_walk' exercise.

        x = Node(2.0, 'x'); y = Node(-3.0, 'y')
        z = x * y + x                   # each op makes a new Node

    node.value    the number the forward pass computed
    node.parents  ((parent, local), ...): the nodes this one was computed from, each with the
                  local derivative ∂node/∂parent, already evaluated (a float). A parent used
                  twice appears twice (x * x has ((x, x.value), (x, x.value))).
    node.grad     ∂root/∂node, 0.0 until a backward walk fills it in
    node.name     a label for printing

    Supports + - * / with Nodes and numbers, ** with a number, and
    .tanh() .exp() .log() .relu(). minigrad records the same computation alongside,
    so that `check` can compare your walk with the engine.
    """

    __slots__ = ('value', 'parents', 'grad', 'name', '_tensor')

    def __init__(self, value, name='', _parents=(), _tensor=None):
        self.value = float(value)
        self.parents = tuple(_parents)
        self.grad = 0.0
        self.name = name
        if _tensor is None:
            _tensor = Tensor(np.array(self.value, dtype=np.float64), requires_grad=True)
        else:
            _tensor.retain_grad()
        self._tensor = _tensor

    def __repr__(self):
        return f'Node({self.name!r}, value={_num(self.value)}, grad={_num(float(self.grad))})'

    @staticmethod
    def _node(other):
        return other if isinstance(other, Node) else Node(other, _num(float(other)))

    def __add__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value + other.value, '+', ((self, 1.0), (other, 1.0)), self._tensor + other._tensor)

    def __mul__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value * other.value, '*', ((self, other.value), (other, self.value)),
                        self._tensor * other._tensor)

    def __sub__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value - other.value, '-', ((self, 1.0), (other, -1.0)), self._tensor - other._tensor)

    def __truediv__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value / other.value, '/',
                        ((self, 1 / other.value), (other, -self.value / other.value ** 2)),
                        self._tensor / other._tensor)

    def __pow__(self, k):
        if isinstance(k, Node):
            raise TypeError('Node ** supports a number as the exponent (x ** 2), not a Node')
        with enable_grad():
            return Node(self.value ** k, f'**{_num(k)}', ((self, k * self.value ** (k - 1)),), self._tensor ** k)

    def __neg__(self):
        with enable_grad():
            return Node(-self.value, 'neg', ((self, -1.0),), -self._tensor)

    def __radd__(self, other):
        return Node._node(other) + self

    def __rmul__(self, other):
        return Node._node(other) * self

    def __rsub__(self, other):
        return Node._node(other) - self

    def __rtruediv__(self, other):
        return Node._node(other) / self

    def tanh(self):
        y = float(np.tanh(self.value))
        with enable_grad():
            return Node(y, 'tanh', ((self, 1 - y * y),), self._tensor.tanh())

    def exp(self):
        y = float(np.exp(self.value))
        with enable_grad():
            return Node(y, 'exp', ((self, y),), self._tensor.exp())

    def log(self):
        with enable_grad():
            return Node(float(np.log(self.value)), 'log', ((self, 1 / self.value),), self._tensor.log())

    def relu(self):
        with enable_grad():
            return Node(max(self.value, 0.0), 'relu', ((self, float(self.value > 0)),), self._tensor.relu())


def _reverse_topological(root):
    """Every node of root's graph, root first and each node after all the nodes that use it."""
    users = {}
    stack, seen = [root], {id(root)}
    while stack:
        node = stack.pop()
        for parent, _ in node.parents:
            users[id(parent)] = users.get(id(parent), 0) + 1
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent, _ in node.parents:
            users[id(parent)] -= 1
            if not users[id(parent)]:
                ready.append(parent)
    return order


def _named(node, name):
    node.name = name
    return node


def _walk_cases():
    """(label, build) of the graphs the walk is checked on; build() makes a fresh graph."""
    def neuron():
        w, x, b = Node(0.8, 'w'), Node(2.0, 'x'), Node(-0.3, 'b')
        z = _named(_named(w * x, 'w*x') + b, 'z')
        return _named(z.tanh(), 'y')

    def reuse():
        x = Node(1.5, 'x')
        return _named(_named(x * x, 'x*x') + x, 'out')

    def diamond():
        x, y = Node(0.5, 'x'), Node(-1.2, 'y')
        a = _named(x * y, 'a')
        return _named(_named(a.exp(), 'e') * _named(a + y, 'c'), 'out')

    def squared_error():
        x1, x2, w1, w2, b, t = (Node(v, n) for v, n in
                                ((1.0, 'x1'), (-2.0, 'x2'), (0.3, 'w1'), (0.6, 'w2'), (0.1, 'b'), (1.0, 't')))
        s = _named(_named(w1 * x1, 'w1*x1') + _named(w2 * x2, 'w2*x2'), 'w1*x1 + w2*x2')
        p = _named(_named(s + b, 'z').tanh(), 'p')
        return _named(_named(p - t, 'd') ** 2, 'loss')

    def deep():
        x = Node(0.7, 'x')
        h = x
        for i in range(5000):
            h = _named(_named(h + x, f'{h.name} + x') * 0.5, f'h{i + 1}')
        return h

    return [('a neuron, y = tanh(w·x + b)', neuron),
            ('a value used twice, out = x·x + x', reuse),
            ('a diamond: a = x·y, out = exp(a) · (a + y)', diamond),
            ('a squared error, (tanh(w1·x1 + w2·x2 + b) − t)²', squared_error),
            ('a chain 10,000 nodes deep, h = (h + x) · 0.5 repeated 5,000 times', deep)]


def _label(node):
    return f'`{node.name}`' if node.name else 'a node'


def _check_walk(walk):
    name = 'backward_walk'
    if isinstance(walk, type) or not callable(walk):
        _fail(name, f'check expects your function backward_walk itself (check({name!r}, '
                    f'backward_walk)), but got {type(walk).__name__ if not isinstance(walk, type) else "a class"}.')
    cases = _walk_cases()
    for number, (label, build) in enumerate(cases, 1):
        case_line = f'case {number} of {len(cases)}: {label}'
        root = build()
        try:
            walk(root)
        except RecursionError as error:
            _fail(name, 'your walk raised RecursionError.', case_line, _last_line(error),
                  hint='your walk calls itself once per node, and Python stops at about 1,000 nested '
                       'calls (this graph is 10,000 nodes deep). Build the order with a loop and an '
                       'explicit stack (a list you append to and pop from), as minigrad\'s engine does.')
        except Exception as error:
            _crash(name, 'walk', error, case_line,
                   doc='backward_walk(root): set .grad of every node of root\'s graph to d root / d node.')
        order = _reverse_topological(root)
        root._tensor.backward()
        for node in order:
            expected = node._tensor.grad.item()
            try:
                got = float(node.grad)
            except Exception:
                _fail(name, f'the .grad of {_label(node)} is a {type(node.grad).__name__}, not a number.', case_line)
            if not np.isclose(got, expected, rtol=1e-9, atol=1e-12):
                _walk_diagnosis(name, case_line, root, order, node, got, expected)
    return (f"✓ {name}: correct. Your walk gives every node the gradient minigrad's engine computes, "
            f'on {len(cases)} graphs (reuse, a diamond, a chain 10,000 nodes deep).')


def _walk_diagnosis(name, case_line, root, order, node, got, expected):
    """Stops with the diagnosis for `node`, the first node (from the root down) with a wrong grad:
    every node that uses it has the right gradient, so its users' contributions are known."""
    where = f'{_label(node)} (value {_num(node.value)}) has grad {_num(got)}, expected {_num(expected)}.'
    if node is root:
        hint = ('the walk starts with root.grad = 1.0 (d root / d root = 1), before anything else.'
                if got == 0 else 'root.grad must be 1.0: d root / d root = 1.')
        _fail(name, 'the root\'s gradient is wrong.', case_line, where, hint=hint)
    edges = [(user, local) for user in order for parent, local in user.parents if parent is node]
    shares = [user._tensor.grad.item() * local for user, local in edges]
    users = ', '.join(dict.fromkeys(_label(user) for user, _ in edges))
    times = {1: 'once', 2: 'twice'}.get(len(edges), f'{len(edges)} times')
    uses = f'{_label(node)} is used {times} (by {users})'
    if got == 0:
        hint = (f'no gradient reached {_label(node)}: {uses}. Does your walk visit every node, and '
                'pass each node\'s gradient to all of its parents?')
    elif len(edges) > 1 and any(np.isclose(got, s, rtol=1e-9, atol=1e-12) for s in shares):
        hint = (f'{uses}, so its gradient is the sum of one share per use; yours holds only one of them. '
                'Add into the parent\'s gradient (parent.grad += ...), do not overwrite it (=).')
    elif np.isclose(got, sum(user._tensor.grad.item() for user, _ in edges), rtol=1e-9):
        hint = ('the local derivative is missing: each parent receives node.grad * local, '
                'the chain rule, not node.grad alone.')
    elif np.isclose(got, sum(local for _, local in edges), rtol=1e-9):
        hint = ('the gradient of the node that uses it is missing: each parent receives '
                'node.grad * local (the chain rule), not local alone.')
    else:
        hint = (f'{uses}, and each of them ended with the right gradient, so some node passed its '
                'gradient on before it had received all of it, or more than once. Visit the nodes in '
                'reverse topological order: a node only after every node that uses it, each once.')
    _fail(name, f'the gradient of {_label(node)} is wrong.', case_line, where, hint=hint)
