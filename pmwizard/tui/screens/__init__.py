"""One screen per journey, plus the home screen and the diff preview."""
