"""RightPlace geography: road networks, snapping, journey times and reachable areas."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
