"""The bulletin API (``/api/v1/bulletins/``): staff reading, and exchange with peers.

Staff (logged in to the console) list and read the bulletins in their scope.
Peer systems authenticate with an API key (``Authorization: Bearer grk_…`` or
``X-API-Key``) and push bulletins in by their own identifier, pull published
ones out, and withdraw their own. See docs/api.md.
"""

from ninja import Router

from . import exchange, staff

router = Router(tags=["bulletins"])
router.add_router("", staff.router)
router.add_router("/exchange/", exchange.router)
