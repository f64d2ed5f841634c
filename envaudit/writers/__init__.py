"""Writers: render a manifest back into a file format (export) or pin an environment.yml."""
