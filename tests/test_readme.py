"""The README's tour is code people copy: it must run as written."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / 'README.md'


def test_the_tour_runs(tmp_path, monkeypatch):
    pytest = __import__('pytest')
    pytest.importorskip('graphviz')
    blocks = re.findall(r'```python\n(.*?)```', README.read_text(), re.S)
    assert blocks, 'README has no python block'
    monkeypatch.chdir(tmp_path)                 # the tour saves a file
    namespace = {}
    exec(compile(blocks[0], 'README.md', 'exec'), namespace)
    assert namespace['loss'].item() < 0.5      # the tour's model did learn the spirals
    assert (tmp_path / 'spirals.npz').exists()
