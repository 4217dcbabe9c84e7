"""What several rules or reports read of the project index: derived once per
index (memoised through `ProjectIndex.memo`), never from the disk.

Below `rules/` and `report/`, above `index.py` and `facts/`: nothing here imports
a rule or a reporter (tests/test_layering.py)."""
