"""Every format in or out, returning domain objects; never solves."""
