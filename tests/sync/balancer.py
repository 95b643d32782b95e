"""An in-test round-robin TCP load balancer on 127.0.0.1, in front of several gateway instances:

    with Balancer([port_a, port_b], cut_probability=0.2, seed=7, lifetime=120) as lb:
        lb.url                      "http://127.0.0.1:PORT": what the laptops sync to
        lb.mark_down(port_b)        a SIGKILLed instance: new connections skip it...
        lb.mark_up(port_b)          ...until it is back
        lb.routed                   the backend port each connection went to (None: none took it)
        lb.seen                     per connection: "pass", "cut_request" or "cut_response"
        lb.cuts                     how many connections it chose to cut

It is `FaultProxy` (tests/sync/faultproxy.py) with several targets: each new TCP connection goes
to the next backend in turn that is not marked down, and a backend that refuses (killed, not yet
marked) is passed over for the next one, as a real balancer's health check does. Balancing is
per connection, as at layer 4: an HTTP client that keeps its connection alive stays on one
backend. With `cut_probability` > 0, each connection is, with that probability (from a
`random.Random(seed)`, so a run can be replayed), cut part-way: after `cut_after` bytes (a range)
of the request or of the response, half of the cuts each way; the client sees its connection
closed mid-message. Daemon threads; it stops by itself after `lifetime` seconds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from tests.sync.faultproxy import Fault, FaultProxy

CUTS = ("cut_request", "cut_response")


class Balancer(FaultProxy):
    def __init__(self, backend_ports: Sequence[int], *, cut_probability: float = 0.0,
                 seed: int = 0, cut_after: tuple[int, int] = (0, 4096),
                 lifetime: float = 240.0) -> None:
        if not 0.0 <= cut_probability <= 1.0:
            raise ValueError(f"cut_probability must be in [0, 1], not {cut_probability}")
        rng = random.Random(seed)

        def choose(n: int) -> Fault:
            if cut_probability and rng.random() < cut_probability:
                return Fault(rng.choice(CUTS), rng.randint(*cut_after))
            return Fault()

        super().__init__(list(backend_ports), choose, lifetime=lifetime)

    @property
    def backends(self) -> list[int]:
        return list(self.target_ports)

    @property
    def cuts(self) -> int:
        return sum(kind in CUTS for kind in self.seen)
