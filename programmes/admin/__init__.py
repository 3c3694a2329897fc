"""The editors' admin: every model, in Dutch first, then English and Simplified Chinese.

Municipal staff are not developers, so each admin says what a field is for,
shows which translations are still missing, and publishes through the workflow's
services (``programmes/domain/workflow.py``). Who sees and changes what (their
organisations' content, by role) is decided in ``programmes/domain/permissions.py``;
``base.RoleScopedAdmin`` applies it here. Translated fields are shown as nl / en / zh-hans
tabs by modeltranslation's tabbed admin; its jQuery UI is vendored
(``settings.JQUERY_UI_URL``), never a CDN.

One module per aggregate, as in ``programmes/models/``; the shared mixins are in ``base``.
A module registers its admins when it is imported, so every one is imported here (Django's
admin autodiscovery imports this package).
"""

# In the order the admins were always registered in.
# isort: off
from . import site  # noqa: F401
from . import regions  # noqa: F401
from . import organisations  # noqa: F401
from . import partnerships  # noqa: F401
from . import missions  # noqa: F401
from . import outcomes  # noqa: F401
from . import focus_areas  # noqa: F401
from . import photos  # noqa: F401
from . import audit_log  # noqa: F401
from . import export_records  # noqa: F401
from . import accounts  # noqa: F401
from . import registrations  # noqa: F401
from . import reviews  # noqa: F401
from . import site_pages  # noqa: F401
# isort: on
