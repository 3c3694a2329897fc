"""What may happen to the content, and what follows from it.

Writes go through ``services`` (which log, version and signal them); ``workflow`` moves an
object through its statuses; ``permissions`` decides who may do what to whose content;
``revisions`` and ``audit`` keep the history (the admin's edit-conflict check reads it); ``sync``
keeps the export records partner sites sync against; ``translation_status`` tells what is
still untranslated; ``signals`` tells receivers (the read path, webhooks) what changed.
The domain imports the models and nothing of the interfaces (public, api, admin, webhooks).
"""
