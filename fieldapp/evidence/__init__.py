"""Evidence from the field, one module per kind (photo, splice, scan, speed test, note, submission).

kinds.KINDS is the one list of kinds; every stage (batches, pull, checks, review, packet,
exports) loops over it. Each kind module carries the same plain names: TYPE, TABLE, LABEL,
row() or announce_row(), checks(), public(), RULE_LABELS. fields and results are what the
kinds are built from; current says which records count; checks runs every kind's checks.
"""
