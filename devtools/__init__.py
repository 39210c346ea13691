"""Developer tooling shared by `make bench` and `make fuzz` (never imported by the service)."""
