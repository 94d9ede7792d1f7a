"""The named tuples of minigrad/return_types.py: PyTorch's names and fields, and they pickle."""
import pickle

import minigrad as mg


def test_named_like_pytorchs_and_picklable(torch):
    x = [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]
    calls = [lambda L, t: t.max(1), lambda L, t: t.min(0), lambda L, t: t.sort(1),
             lambda L, t: t.topk(2), lambda L, t: t.kthvalue(2), lambda L, t: t.median(1),
             lambda L, t: t.nanmedian(1), lambda L, t: t.mode(1), lambda L, t: t.cummax(1),
             lambda L, t: t.cummin(1), lambda L, t: L.histogram(t.flatten(), 3)]
    for call in calls:
        ours, theirs = call(mg, mg.tensor(x)), call(torch, torch.tensor(x))
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs)
        assert all(hasattr(theirs, field) for field in ours._fields)
        assert type(ours) is getattr(mg.return_types, type(ours).__name__)
        again = pickle.loads(pickle.dumps(ours))
        assert type(again) is type(ours) and again[0].tolist() == ours[0].tolist()
