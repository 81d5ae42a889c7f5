"""The book's derivations and claims, one module per topic."""
