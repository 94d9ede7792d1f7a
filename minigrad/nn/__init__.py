"""Neural-network building blocks: modules, functional ops and losses."""
