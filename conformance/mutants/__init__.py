"""Deliberately broken EventStores that the conformance suite must reject (``nox -s mutants``)."""
