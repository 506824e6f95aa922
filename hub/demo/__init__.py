"""The demo company: catalog of collateral and the loader behind `flask --app hub demo`."""
