"""goeventbus_bench: the pyperf benchmark harness of goeventbus.

Cases are data (``cases.py`` registers them by their Go names), subjects are what gets
measured (implementations, baselines, peer libraries: ``subjects.py``), and the matrix
is every applicable (case, subject, workers) triple. ``python -m goeventbus_bench``
runs it through pyperf, one worker script per benchmark, and builds the report.
"""

__all__: list[str] = []
