from django.apps import AppConfig


class ReadpathConfig(AppConfig):
    """Connects the read path's receivers to the content's writes.

    The domain signals what it writes (Django's model signals, and
    ``programmes.domain.signals.rows_updated`` for writes without them); the page cache
    and the read model listen here, so the domain never calls them.
    """

    name = "readpath"
    label = "readpath"

    def ready(self):
        from . import caching, readmodel, registrations

        caching.connect_signals()
        readmodel.connect_signals()
        registrations.connect_signals()
