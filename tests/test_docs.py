"""README.md stays true: generated settings tables are current, every make target is documented."""

from __future__ import annotations

import re

from conftest import ROOT
from gen_docs import README, render


def test_settings_tables_match_the_code():
    current = README.read_text()
    assert render(current) == current, "README.md's settings tables are out of date: run `make docs`"


def test_every_make_target_is_in_the_readme():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.MULTILINE)
    readme = README.read_text()
    assert len(targets) >= 8
    missing = [target for target in targets if f"| `make {target}` |" not in readme]
    assert missing == []


def test_readme_gives_the_two_setup_commands_and_the_var_warning():
    readme = README.read_text()
    assert "make synth" in readme and "make test" in readme
    assert "--var image_tag=" in readme
    assert "`-var`" in readme
