"""examples/cnn_digits.py: both models train on the bundled digits, the table and figure come out,
and the CNN's convolution is the one the layers' tests check against PyTorch."""
import json

import pytest

from helpers import example_module


@pytest.fixture(scope='module')
def cnn_digits():
    return example_module('cnn_digits')


def test_a_short_run_trains_both_models_and_reports_them(cnn_digits, tmp_path, capsys):
    results = cnn_digits.main(['--epochs', '3', '--seeds', '2', '--quiet', '--out', str(tmp_path)])
    printed = capsys.readouterr().out
    assert 'MLP' in printed and 'CNN' in printed and 'seeds 0-1' in printed
    table = printed.split('filters and feature maps:')[0]            # then a path as long as it is
    assert [line for line in table.splitlines() if len(line) > 100] == []
    for name in ('MLP', 'CNN'):
        accuracies = results['summary'][name]['test_accuracy']
        assert len(accuracies) == 2 and min(accuracies) > 0.8        # 3 epochs already learn digits
    assert results['summary']['CNN']['parameters'] < results['summary']['MLP']['parameters']
    assert json.loads((tmp_path / 'results.json').read_text())['cnn_wins'] == results['cnn_wins']


def test_the_cnn_keeps_the_image_shape_until_it_flattens(cnn_digits):
    import minigrad as mg
    model = cnn_digits.cnn()
    x = mg.zeros(4, 1, 8, 8)
    assert model[:3](x).shape == (4, 16, 4, 4) and model[:6](x).shape == (4, 32, 2, 2)
    assert model(x).shape == (4, 10)
