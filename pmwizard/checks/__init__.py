"""Live checks (DNS, TLS, reachability). Each returns Findings; all are async and bounded by timeouts."""
