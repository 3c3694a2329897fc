"""The twinning domain: regions, organisations, partnerships, missions and what came of them.

One module per aggregate; everything is re-exported here, so ``from programmes.models
import Mission`` works wherever a model is needed (and migrations keep finding
``photo_upload_to`` and ``validate_time_zone`` here). The modules are imported in the
order the models were always declared, which is the order Django registers them in.

Texts a visitor reads are translated with django-modeltranslation (see
``programmes/translation.py``): each ``title`` becomes ``title_nl``, ``title_en`` and
``title_zh_hans`` in the database. Which objects are public is decided in
``querysets.py`` and nowhere else.
"""

from .base import (
    DESCRIPTION_MAX_LENGTH,
    PUBLISHABLE_PERMISSIONS,
    SHORT_TEXT_MAX_LENGTH,
    LimitedTextField,
    Publishable,
    Status,
    Timestamped,
    time_zone_names,
    validate_time_zone,
)

# In the order the models were always declared: the order Django registers them in.
# isort: off
from .regions import Cluster, KeyFigure, Region
from .focus_areas import FocusArea
from .organisations import Membership, Organisation, StaffLanguage
from .partnerships import Objective, Partnership
from .missions import Mission, MissionDestination, ProgrammeItem
from .outcomes import Outcome
from .photos import Photo, photo_upload_to
from .audit_log import AuditLogEntry
from .export_records import ExportRecord
from .installation import Installation, installation_id
from .read_model import DERIVED_MODELS, ContentStamp, ReadModelDependency, ReadModelEntry
from .reviews import PartnerReviewer, Suggestion
from .site_pages import SitePage
# isort: on

__all__ = [
    "DERIVED_MODELS",
    "DESCRIPTION_MAX_LENGTH",
    "PUBLISHABLE_PERMISSIONS",
    "SHORT_TEXT_MAX_LENGTH",
    "AuditLogEntry",
    "Cluster",
    "ContentStamp",
    "ExportRecord",
    "FocusArea",
    "Installation",
    "KeyFigure",
    "LimitedTextField",
    "Membership",
    "Mission",
    "MissionDestination",
    "Objective",
    "Organisation",
    "Outcome",
    "PartnerReviewer",
    "Partnership",
    "Photo",
    "ProgrammeItem",
    "Publishable",
    "ReadModelDependency",
    "ReadModelEntry",
    "Region",
    "SitePage",
    "StaffLanguage",
    "Status",
    "Suggestion",
    "Timestamped",
    "installation_id",
    "photo_upload_to",
    "time_zone_names",
    "validate_time_zone",
]
