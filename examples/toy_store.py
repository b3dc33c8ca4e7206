"""A ten-line event store that looks plausible: the README's "validate your own" example.

    python -m pytest --pyargs goeventbus_conformance --impl toy_store:ToyStore
"""

from collections import deque


class ToyStore:
    def __init__(self, dispatcher, size=65536, policy=None, *, async_mode=False, workers=None, clock=None):
        self.dispatcher, self.size, self.policy, self.async_mode = dispatcher, size, policy, async_mode
        self.queue = deque(maxlen=size)  # a full deque drops the oldest, silently

    def subscribe(self, event, ctx=None):
        self.queue.append(event)

    def publish(self):
        while self.queue:
            event = self.queue.popleft()
            self.dispatcher[event.projection](None, event.args)
