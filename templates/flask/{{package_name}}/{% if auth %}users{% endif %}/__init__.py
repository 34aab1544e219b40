"""Users: registration, bearer-token login, and the current user behind every /api/items call."""
