"""The generalisation benchmark's verdict on issue 12's bars says what the figures say.

A reader of `benchmarks/learning_generalisation.py --part top-up` looks at the verdict lines to
see which bars hold; these tests feed it accuracies and check the words it prints.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "learning_generalisation.py"
WAY = "recency:0.25"  # the way `edgepac train --images A --images B` trains


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("learning_generalisation", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def results(
    bench: ModuleType, label: str, ceiling: float, later3: float, first3: float, later10: float
) -> dict[str, dict[str, list[float]]]:
    """Accuracies as the benchmark notes them: per row, per column, one per seed and session."""
    way = bench.way_name(WAY)
    return {
        bench.CEILING: {label: [ceiling, ceiling]},
        f"+3 a pose, {way}": {label: [later3 - 0.01, later3 + 0.01], f"first: {label}": [first3]},
        f"+10 a pose, {way}": {label: [later10], f"first: {label}": [1.0]},
    }


def test_every_bar_met_says_met(bench: ModuleType) -> None:
    figures = results(bench, "cat, position", 1.0, 0.99, 1.0, 0.995)
    line = bench.verdict(figures, "cat, position", WAY)
    assert line.startswith("cat, position | edgepac train --images A --images B | ceiling 1.000")
    assert "+3 later 0.990 >= 0.95" in line
    assert "+3 first 1.000 >= 0.95" in line
    assert "+10 later 0.995 >= 0.98" in line
    assert line.endswith("bars MET")


def test_a_bar_exactly_reached_is_met(bench: ModuleType) -> None:
    line = bench.verdict(results(bench, "x", 1.0, 0.95, 0.95, 0.98), "x", WAY)
    assert line.endswith("bars MET")


def test_one_bar_missed_is_not_met_and_named(bench: ModuleType) -> None:
    line = bench.verdict(results(bench, "x", 1.0, 0.99, 0.94, 0.99), "x", WAY)
    assert "+3 first 0.940 < 0.95" in line
    assert "+3 later 0.990 >= 0.95" in line
    assert line.endswith("bars NOT MET")  # the ceiling (1.0) could reach it: no excuse given


def test_a_ceiling_below_the_bar_is_said(bench: ModuleType) -> None:
    line = bench.verdict(results(bench, "bird, pose", 0.78, 0.79, 0.82, 0.85), "bird, pose", WAY)
    assert "ceiling 0.780" in line
    assert "+10 later 0.850 < 0.98" in line
    assert line.endswith("bars NOT MET (the ceiling itself is below the bar)")


def test_a_top_up_not_run_is_not_met(bench: ModuleType) -> None:
    figures = results(bench, "x", 1.0, 0.99, 1.0, 0.99)
    del figures[f"+10 a pose, {bench.way_name(WAY)}"]
    line = bench.verdict(figures, "x", WAY)
    assert "+10 later: not run" in line
    assert line.endswith("bars NOT MET")


def test_the_refresh_is_judged_on_its_own_rows(bench: ModuleType) -> None:
    figures = results(bench, "x", 1.0, 0.99, 1.0, 0.99)  # only the CLI's way was run
    line = bench.verdict(figures, "x", "warm:15:0.25")
    assert line.startswith("x | the app's refresh |")
    assert "+3 later: not run" in line and line.endswith("bars NOT MET")


def test_cases_fall_in_their_scenarios_groups(bench: ModuleType) -> None:
    assert bench.group_of("cat, position") == "positions"
    assert bench.group_of("bird, pose") == "poses (stress test)"
    assert bench.group_of("bird, pose, no zoom") == "poses (stress test), no zoom"
    assert bench.group_of("cat, pose as played") == "poses as played"
    assert bench.group_of("cat, position, returning") == "positions, returning"
    assert bench.group_of("hot dog, pose as played") == "poses as played"  # a held-out player


def test_press_ids_number_each_press_of_each_pose(bench: ModuleType) -> None:
    ids = bench.press_ids(3, (4, 1, 2))  # press-major, the poses in turn, as recording() goes
    sizes = [4, 4, 4, 4, 1, 1, 1, 1, 2, 2, 2, 2]  # press 0 of each pose, press 1, press 2
    assert ids.tolist() == [i for i, n in enumerate(sizes) for _ in range(n)]
    assert bench.press_ids(2, 3).tolist() == [i for i in range(8) for _ in range(3)]
