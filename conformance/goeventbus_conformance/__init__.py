"""The goeventbus conformance suite: checks any EventStore implementation against SEMANTICS.md.

Run it with ``python -m pytest --pyargs goeventbus_conformance --impl module:Class``
(or a registered implementation name). See the project README, "Validate your own
implementation".
"""

__version__ = "0.1.0"
