"""What a scenario changes, and the comparison of scenarios."""
