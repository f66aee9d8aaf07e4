"""JSON request bodies, refused with a 400 when nested deeper than any resource needs."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest body a resource takes is a round with its participations: three levels. Anything
# much deeper is a mistake or an attack (JSON nested 2,000 deep exhausts Python's recursion).
MAX_DEPTH = 32


def depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        message = _("JSON nested more than %(depth)s levels deep is not accepted.") % {"depth": MAX_DEPTH}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        if depth(data) > MAX_DEPTH:
            raise ParseError(message)
        return data
