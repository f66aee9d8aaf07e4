"""Record versions: every write of a record checks the version it read and advances it in one statement.

A writer that read a record at version n saves it with
`UPDATE … SET …, version = version + 1 WHERE id = … AND version = n`. If someone else wrote the
record in between, the statement matches no row and the write is refused with `StaleVersion`, so
two writers of one version can never both win, on SQLite as on PostgreSQL. Deletes claim the
version the same way before the row goes, and queryset updates advance it too.

On PostgreSQL every writing transaction first takes one transaction-scoped advisory lock
(`serialize_writes`), held until it commits: writes are applied one transaction at a time, so
the change log's sequence (`portfolio.changes`) follows commit order and no lock cycle can form
between a row lock and that lock. SQLite serializes writers by itself (immediate transactions).
"""

from __future__ import annotations

from django.db import connections, models, router, transaction
from django.db.models import F
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The advisory lock every writing transaction holds on PostgreSQL ("port" in ASCII).
WRITE_LOCK_KEY = 0x706F7274


def serialize_writes(using: str = "default") -> None:
    """Wait for, then hold until commit, the lock that applies writing transactions one at a time.

    Only inside a transaction and only on PostgreSQL; SQLite's immediate transactions do the same.
    Taking it again in the same transaction is cheap and harmless.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])


class StaleVersion(Exception):
    """A write expected a version of a record that is no longer the current one (or the record is gone)."""

    def __init__(self, instance: models.Model, *, expected: int, current: int | None):
        self.model = type(instance)
        self.pk = instance.pk
        self.expected = expected
        self.current = current
        state = "deleted" if current is None else f"at version {current}"
        super().__init__(
            f"{self.model._meta.label} {self.pk} expected version {expected}, but it is {state}."
        )


class VersionField(models.PositiveBigIntegerField):
    """The record's version: 1 when created, and one more with every write, computed by the database.

    On an update the value written is `version + 1`, never a number the writer computed; a raw
    save (a fixture being loaded) writes the version it carries.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 1)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        if add:
            return super().pre_save(model_instance, add)
        return F(self.attname) + 1


class VersionedQuerySet(models.QuerySet):
    """Bulk updates and deletes take the write lock; updates advance every row's version and timestamp."""

    def update(self, **kwargs) -> int:
        kwargs.setdefault("version", F("version") + 1)
        if any(field.name == "updated_at" for field in self.model._meta.concrete_fields):
            kwargs.setdefault("updated_at", timezone.now())
        with transaction.atomic(using=self.db):
            serialize_writes(self.db)
            return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        with transaction.atomic(using=self.db):
            serialize_writes(self.db)
            return super().delete()

    delete.alters_data = True


class VersionedModel(models.Model):
    """A record whose every write checks and advances its version (see the module's docstring)."""

    version = VersionField(
        _("version"), help_text=_("One more with every change; a write naming an older version is refused.")
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        """Save with the write lock held; a partial save still advances the version and the time.

        The save runs in a savepoint, so a refused one (StaleVersion) leaves the caller's
        transaction as it was, free to report the refusal or try again.
        """
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            always = {"version"} | {f.name for f in self._meta.concrete_fields if f.name == "updated_at"}
            kwargs["update_fields"] = {*update_fields, *always}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            serialize_writes(using)
            super().save(*args, **kwargs)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        """The compare-and-swap: update only the version this instance was read at."""
        expected = self.version
        advances = any(
            field.attname == "version" and isinstance(value, Combinable) for field, _, value in values
        )
        if base_qs.filter(pk=pk_val, version=expected)._update(values) > 0:
            if advances:
                self.version = expected + 1
            return True
        current = base_qs.filter(pk=pk_val).values_list("version", flat=True).first()
        if current is None and self._state.adding:
            return False  # a new record with an id of its own choosing: Django inserts it
        raise StaleVersion(self, expected=expected, current=current)

    def delete(self, using=None, keep_parents=False):
        """Claim the version read (advancing it, which locks the row), then delete.

        A savepoint undoes the claim when the delete is refused (a protected reference).
        """
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            serialize_writes(using)
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=self.version)
                .update(version=F("version") + 1)
            )
            if not claimed:
                current = type(self)._base_manager.using(using).filter(pk=self.pk).values_list("version")
                row = current.first()
                raise StaleVersion(self, expected=self.version, current=row[0] if row else None)
            self.version += 1
            return super().delete(using=using, keep_parents=keep_parents)
