"""Repository audit: discover every environment file, read what each declares, cross-check."""
