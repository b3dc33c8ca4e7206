"""GoEventBus's Quick Start, in Python: two projections, one subscribe each, one publish.

Run it with ``nox -s quickstart`` or, once the package is installed,
``python examples/quickstart.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goeventbus import Context, Event, EventStore, OverrunPolicy, Result


@dataclass(frozen=True)
class HouseWasSold:
    """A projection may be any hashable value; a frozen dataclass plays Go's struct key."""


def user_created(ctx: Context, args: dict[str, Any]) -> Result:
    print("User created with ID:", args["id"])
    return Result("UserCreated handled")


def house_was_sold(ctx: Context, args: dict[str, Any]) -> Result:
    print(f"House sold for ${args['price']:,}")
    return Result("HouseWasSold handled")


def main() -> None:
    dispatcher = {
        "user_created": user_created,
        HouseWasSold(): house_was_sold,
    }
    with EventStore(dispatcher, size=1 << 16, policy=OverrunPolicy.DROP_OLDEST) as store:
        ctx = Context.background()
        store.subscribe(Event(id="evt1", projection="user_created", args={"id": "12345"}), ctx)
        store.subscribe(Event(id="evt2", projection=HouseWasSold(), args={"price": 100_000}), ctx)
        store.publish()
        published, processed, errors = store.metrics()
        print(f"Metrics: published={published} processed={processed} errors={errors}")


if __name__ == "__main__":
    main()
