"""The measurements, one module each; each returns a JSON-able section of the results."""
