"""RightPlace solver: the SEND domain, its inputs and its decisions."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
