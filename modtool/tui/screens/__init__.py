"""Modal screens: policy guidance, search, filters."""
