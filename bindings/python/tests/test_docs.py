"""The examples of docs/python.md run, in order, in an empty folder."""

import os
import re

from conftest import ROOT


def test_the_guide_runs(tmp_path):
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 6
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        for i, code in enumerate(blocks):
            exec(compile(code, f"docs/python.md block {i + 1}", "exec"), namespace)
    finally:
        os.chdir(cwd)
