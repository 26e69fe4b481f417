"""Shipped eligibility criteria files (TOML), read by `tandem.population.criteria_config`."""
