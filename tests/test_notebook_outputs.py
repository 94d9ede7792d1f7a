"""What the committed notebooks show: no memory addresses or paths of the machine that ran them
(they change every run and mean nothing to a reader), and backward traces that fit a 100-column
cell."""
import json
import pathlib
import re

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / 'notebooks').glob('[0-9][0-9]_*.ipynb'))


def _outputs(path):
    nb = json.loads(path.read_text(encoding='utf-8'))
    for index, cell in enumerate(nb['cells']):
        for out in cell.get('outputs', []):
            texts = [out.get('text', '')]
            texts += [v for k, v in out.get('data', {}).items() if k.startswith('text/')]
            for text in texts:
                yield index, ''.join(text) if isinstance(text, list) else text


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_no_memory_address_in_committed_outputs(path):
    found = [(i, m.group()) for i, text in _outputs(path) for m in re.finditer(r'at 0x[0-9a-f]{6,}', text)]
    assert not found, f'{path.name}: outputs show memory addresses (cell, text): {found}'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_no_machine_path_in_committed_outputs(path):
    machine = r'(/tmp/|/home/|/work/|/Users/|/var/folders/|[A-Z]:\\\\Users)'
    found = [(i, text[m.start():m.start() + 60]) for i, text in _outputs(path)
             for m in re.finditer(machine, text)]
    assert not found, f'{path.name}: outputs show paths of the machine that ran them: {found}'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_backward_traces_fit_a_100_column_cell(path):
    for index, text in _outputs(path):
        if text.startswith('Backward trace'):
            wide = [line for line in text.splitlines() if len(line) > 100]
            assert not wide, f'{path.name} cell {index}: {wide[0]!r}'
