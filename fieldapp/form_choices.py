"""Select and radio options in the shape WTForms expects: tuples are deprecated since 3.3."""

from wtforms import SelectChoice


def options(pairs):
    """(value, label) pairs as SelectChoice objects, in their order."""
    return [SelectChoice(value, label) for value, label in pairs]
