"""Golden snapshots: the synthesized JSON of every environment and example is committed under
tests/snapshots/. A difference is a change of deployed infrastructure: review the diff, then
refresh them on purpose with `make snapshots`."""

from __future__ import annotations

import pytest
import snapshots


@pytest.mark.parametrize("name", snapshots.names())
def test_synthesized_json_matches_the_committed_snapshot(name):
    diff = snapshots.difference(name)
    assert diff == "", f"{name} changed; if that is intended, run `make snapshots` and commit:\n{diff}"


def test_every_snapshot_belongs_to_an_environment_or_example():
    committed = {path.stem for path in snapshots.SNAPSHOTS.glob("*.json")}
    assert committed == set(snapshots.names())
