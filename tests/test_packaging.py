"""How other code finds implementations: the entry-point group of SEMANTICS section 8."""

from __future__ import annotations

from importlib.metadata import entry_points

import goeventbus


def test_reference_is_registered_by_name() -> None:
    (entry,) = entry_points(group="goeventbus.implementations", name="reference")
    assert entry.value == "goeventbus:EventStore"
    assert entry.load() is goeventbus.EventStore


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("goeventbus").joinpath("py.typed").is_file()
