"""goeventbus_reports: turns benchmark runs and conformance results into a report.

``build.build`` writes ``report.md`` and a self-contained ``report.html`` with the
matplotlib plots (``plots.py``) and tables (``tables.py``) of one or more runs.
"""

__all__: list[str] = []
