"""Raw data: the source registry, loaders that turn raw files into validated tidy frames (cached
by content hash), the data vintage, and ``update-data`` (fetch, check, atomic swap).
May import ``core`` only."""
