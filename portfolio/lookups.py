"""`field__any=[…]`: the field is one of the values, sent to PostgreSQL as one array (`= ANY(%s)`).

A page of a thousand records is read by its ids; as an `IN` list of a thousand parameters, Django
prepares each parameter and psycopg splits and quotes the query around each, which cost more than
the query. Elsewhere (SQLite) it is an ordinary `IN` list.
"""

from django.db import models
from django.db.models import Lookup


class Any(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list:
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *values]


models.IntegerField.register_lookup(Any)
models.ForeignKey.register_lookup(Any)
