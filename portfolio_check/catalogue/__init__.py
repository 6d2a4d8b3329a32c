"""Standards as data: the catalogue model, its loader and the import of published standards."""
