"""Candidate sites: reach, choice, proposal, evidence pack and disclosure control."""
