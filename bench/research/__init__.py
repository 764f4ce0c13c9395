"""Research on the duplicate flag that did not become a product feature; notes and results in README.md here."""
