"""The read model's tables: derived data the read path (``readpath/readmodel.py``) keeps."""

from django.db import models

# The read model (readmodel.py) -------------------------------------------------------------
# Derived data: what public pages and API answers show, rebuilt from the models above when
# stale. Writes to these three send no content signals (``DERIVED_MODELS``).


class ReadModelEntry(models.Model):
    """One public page or API answer as visitors get it, in one language, for one host.

    Valid while ``valid_until`` has not passed and no object it was built from has a
    :class:`ContentStamp` at or after ``built_at`` (decided in SQL, ``readmodel.py``).
    """

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    language = models.CharField(max_length=10)
    origin = models.CharField(max_length=200)
    build = models.CharField(max_length=32)
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    etag = models.CharField(max_length=100, blank=True)
    # For an API answer: its Last-Modified, a POSIX timestamp.
    last_modified = models.FloatField(null=True)
    built_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True)

    class Meta:
        default_permissions = ()  # derived data: nobody edits it
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "language", "origin"], name="readmodel_entry_unique"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.language})"


class ReadModelDependency(models.Model):
    """An object (model label and primary key) a :class:`ReadModelEntry` was built from."""

    entry = models.ForeignKey(ReadModelEntry, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()

    class Meta:
        default_permissions = ()  # derived data: nobody edits it
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "model", "object_id"], name="readmodel_dependency_unique"
            ),
        ]
        indexes = [models.Index(fields=["model", "object_id"], name="readmodel_dependency_object")]

    def __str__(self):
        return f"{self.model} {self.object_id}"


class ContentStamp(models.Model):
    """When an object (model label and primary key) was last written, or a write touched it."""

    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()  # derived data: nobody edits it
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="content_stamp_unique"),
        ]

    def __str__(self):
        return f"{self.model} {self.object_id}: {self.changed_at}"


DERIVED_MODELS = (ReadModelEntry, ReadModelDependency, ContentStamp)
