"""Population analytics: load claims, compute per-person features and risk scores, find candidates."""
