"""The JSON API (v1), authenticated by personal API tokens."""
