"""Analysis: diffs and rules over manifests."""
