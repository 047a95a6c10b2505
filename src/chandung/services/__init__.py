"""Services: I/O and orchestration over the stores. Surfaces (web, API, CLI) call only these."""
