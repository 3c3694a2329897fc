"""What registrations tell the rest of the site, without knowing who listens.

:data:`places_changed` is sent (``sender``: the ``Registration`` model, ``mission_id``)
when the number of places a mission's registration shows on its public page changed: a
confirmation, a cancellation, an acceptance of someone waiting, a decline, an erasure, a
move up the waiting list. Only when the mission has a number of places: an unlimited
registration's page says "open" however many sign up; and never for a sign-up that is not
confirmed yet, so the public form cannot be used to empty the page cache.

The read path (``readpath/registrations.py``) listens, as it listens to the content's
writes; registrations never call it, as the domain never does. Changes of a mission's
registration settings arrive there as Django's own model signals.
"""

from django.dispatch import Signal

places_changed = Signal()
