"""The LA forecast model, supply and gap, back-test and baselines."""
