"""Items: the example resource, stored in the `items` table and served under /api/items."""
