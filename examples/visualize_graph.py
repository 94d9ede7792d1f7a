"""See backprop happen on a small network: the graph as a picture, and every
step of the backward pass as a table.

    python examples/visualize_graph.py                  # writes runs/graph/*.png, *.svg
    python examples/visualize_graph.py --hidden 8 --batch 4 --format svg --out /tmp/g

It builds a 2-layer MLP (Linear -> ReLU -> Linear) on a few random points,
takes the cross-entropy loss, and runs backward inside `trace_backward()`.
It then writes two pictures:

  graph_forward   the graph as the forward pass built it: values in the boxes
  graph_backward  the same graph after backward: every box shows its gradient
                  and is coloured by the gradient's size (red large, blue small)

and prints the trace: for each node, in the order the engine ran it, the
gradient that came in, the derivative rule it applied and what it sent on.
Writing the pictures needs `pip install "minigrad[viz]"` and Graphviz's `dot`
program; without them the DOT text is written instead.
"""
import argparse
import pathlib

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.random import generator
from minigrad.viz import draw_graph, to_dot, trace_backward


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default='runs/graph',
                        help='directory for the pictures (default: runs/graph)')
    parser.add_argument('--format', default='png,svg',
                        help='comma-separated picture formats Graphviz can write (default: png,svg)')
    parser.add_argument('--batch', type=int, default=4, help='examples in the batch (default: 4)')
    parser.add_argument('--features', type=int, default=2, help='input features (default: 2)')
    parser.add_argument('--hidden', type=int, default=8, help='hidden units (default: 8)')
    parser.add_argument('--classes', type=int, default=3, help='classes (default: 3)')
    parser.add_argument('--rankdir', default='TB', choices=['TB', 'LR', 'BT', 'RL'],
                        help='graph direction: TB top to bottom, LR left to right (default: TB)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    return parser.parse_args()


def picture(loss, **options):
    """The DOT text, and the graphviz.Digraph when the graphviz package is installed."""
    try:
        graph = draw_graph(loss, **options)
    except ImportError as error:
        print(error)
        graph = None
    return to_dot(loss, **options), graph


def main():
    args = parse_args()
    mg.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(args.features, args.hidden), nn.ReLU(),
                          nn.Linear(args.hidden, args.classes))
    x = mg.randn(args.batch, args.features)
    y = mg.tensor(generator().integers(0, args.classes, size=args.batch))

    loss = F.cross_entropy(model(x), y)
    # Names for the boxes: the parameters by their state_dict names, and the data.
    names = dict(model.named_parameters(), x=x, loss=loss)
    pictures = {'graph_forward': picture(loss, params=names, rankdir=args.rankdir,
                                         show_rules=True)}

    with trace_backward(params=names) as trace:
        loss.backward()
    print(f'loss = {loss.item():.4f}\n')
    print(trace)

    # backward freed the graph; the trace remembers it, with every gradient.
    pictures['graph_backward'] = picture(loss, params=names, trace=trace,
                                         rankdir=args.rankdir, color_by_grad=True)

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, (dot, graph) in pictures.items():
        (out / f'{stem}.dot').write_text(dot, encoding='utf-8')
        written.append(out / f'{stem}.dot')
        try:
            for fmt in filter(None, args.format.split(',')) if graph is not None else ():
                written.append(pathlib.Path(graph.render(out / stem, format=fmt, cleanup=True)))
        except RuntimeError as error:           # no `dot` program: the .dot text is there
            print(f'\n{error}')
    print('\nwrote ' + ', '.join(str(p) for p in written))


if __name__ == '__main__':
    main()
