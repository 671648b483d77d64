"""Small reusable widgets: finding rows, copyable text."""
