"""Who may do what, decided here and nowhere else.

Three things decide whether a staff member may act on an object:

1. **Their role**, a group: editor, publisher, translator or site manager. The group's
   Django permissions say which kinds of object and which actions (``ROLE_PERMISSIONS``;
   the data migration ``0007_roles`` creates the groups).
2. **Their organisations** (``Membership``). A partnership is owned by an organisation, and
   its objectives, missions, programme items, outcomes and photos by the same one, found
   through the partnership (``OWNER_LOOKUPS``), never copied. Staff work on the content of
   their own organisations only; site managers (and superusers) on everyone's. Objects
   without an owner (regions, organisations, focus areas, key figures, clusters, photos of
   a region) are shared reference data: everyone reads them, site managers write them.
   Site pages (contact, privacy statement …) speak for the whole site, not for one
   organisation: only site managers see and edit them (no other role holds a permission
   on them), as they alone hold the publishers' rights over every organisation.
3. **The workflow state.** Published content (live or scheduled) is frozen for editors and
   translators: nothing public changes until a publisher acts. Parts without a status of
   their own (objectives, programme items, photos) follow their parent
   (``PUBLICATION_PARENTS``).
4. **Shared pages.** A photo of a mission may also be shown on a region's page (once the
   mission is published: ``PhotoQuerySet.published()``). Attaching it to a region, or
   moving it to another, changes that shared page, so it takes the right to change the
   region (``SHARED_PAGES``): site managers only.

A translator edits only the texts of the languages of their membership; the admin makes
every other field read-only (``editable_languages``), so a crafted POST cannot reach them.

Registrations for missions (the ``registrations`` app) are owned like their mission. Their
personal data is for the owning organisation's publishers and site managers only (the
permissions ``view_registration`` and ``export_registration``); editors open and close
registration (``registrationsettings``) and see the counts.

**Partner reviewers** (the role "Partner reviewer") work for the partner side of a
partnership, not for an organisation: their ``PartnerReviewer`` rows name the partnerships
they read (drafts included) and the languages they read them in. They change no content:
:func:`can` never allows them anything, because their role holds no permission on it. They
add suggestions (``may_suggest``), which the owner's editors and publishers decide on
(``may_decide``): a suggestion is owned like its partnership (``OWNER_LOOKUPS``).

The admin asks :func:`can` and :func:`scope`; the workflow services ask :func:`can`.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db import models
from django.db.models import Q, QuerySet

from programmes.models import (
    Membership,
    Organisation,
    PartnerReviewer,
    Publishable,
    Status,
    Suggestion,
)

User = AbstractBaseUser | AnonymousUser

EDITOR = "Editor"
PUBLISHER = "Publisher"
TRANSLATOR = "Translator"
SITE_MANAGER = "Site manager"
PARTNER_REVIEWER = "Partner reviewer"
ROLES = (EDITOR, PUBLISHER, TRANSLATOR, SITE_MANAGER, PARTNER_REVIEWER)

ACTIONS = ("view", "add", "change", "delete", "publish", "submit", "export")

# Content an organisation owns, and the lookup from each model to its owner.
OWNER_LOOKUPS = {
    "partnership": "owner",
    "objective": "partnership__owner",
    "mission": "partnership__owner",
    "missiondestination": "mission__partnership__owner",
    "programmeitem": "mission__partnership__owner",
    "outcome": "partnership__owner",
    "photo": "mission__partnership__owner",
    # registrations/: a mission's registration settings, and the people who signed up
    "registrationsettings": "mission__partnership__owner",
    "registration": "mission__partnership__owner",
    # a partner reviewer's suggestion for a text of the partnership's content
    "suggestion": "partnership__owner",
}
# Shared reference data: no owner.
SHARED_MODELS = ("region", "keyfigure", "cluster", "organisation", "focusarea")
# Parts that are public when their parent is: the field that leads to that parent.
PUBLICATION_PARENTS = {
    "objective": "partnership",
    "missiondestination": "mission",
    "programmeitem": "mission",
    "photo": "mission",
    "keyfigure": "region",
    "cluster": "region",
    # Opening registration changes the mission's public page; the people themselves are no
    # part of any page, and staff accept and decline them whatever the mission's state.
    "registrationsettings": "mission",
}
# Parts that also show on a shared object's page: the field that leads to it.
SHARED_PAGES = {"photo": "region"}


# The apps whose permissions the roles hold.
ROLE_APPS = ("programmes", "registrations")


def _codenames(
    actions: Iterable[str], model_names: Iterable[str], app: str = "programmes"
) -> frozenset[str]:
    """Permission names as ``user.has_perm`` takes them: ``programmes.view_region``."""
    return frozenset(f"{app}.{action}_{name}" for action in actions for name in model_names)


# Content of the programmes app; the registrations app's models get their own permissions below.
_OWNED = tuple(
    name
    for name in OWNER_LOOKUPS
    if name not in ("registrationsettings", "registration", "suggestion")
)
# Editors and publishers read suggestions and decide on them; reviewers make them.
_DECIDE_SUGGESTIONS = _codenames(["view", "change"], ["suggestion"])
_EDITOR_PERMISSIONS = (
    _codenames(["view"], SHARED_MODELS)
    | _codenames(["add", "change", "delete", "view"], _OWNED)
    | _codenames(["add", "change", "delete", "view"], ["registrationsettings"], "registrations")
    | _DECIDE_SUGGESTIONS
)
# The people who signed up: publishers handle them (accept, decline, export, erase).
_REGISTRATION_PERMISSIONS = _codenames(
    ["view", "change", "delete", "export"], ["registration"], "registrations"
)
# The Django permissions (``app_label.codename``) each role's group holds. The site
# manager's group holds every permission of the ``ROLE_APPS``, which is not listed here.
ROLE_PERMISSIONS = {
    EDITOR: _EDITOR_PERMISSIONS,
    PUBLISHER: _EDITOR_PERMISSIONS
    | _codenames(["publish"], ["partnership", "mission", "outcome"])
    | _REGISTRATION_PERMISSIONS,
    TRANSLATOR: _codenames(["view"], SHARED_MODELS) | _codenames(["change", "view"], _OWNED),
    PARTNER_REVIEWER: _codenames(["add", "view"], ["suggestion"]),
}


# The user's roles and organisations, read once per user object ------------------------------


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    # organisation id -> the languages a translator edits there
    memberships: dict[int, frozenset[str]]

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(self.memberships)


def access(user: User) -> Access:
    """The roles and memberships of ``user``, cached on the user object like Django's perms."""
    if not user.is_authenticated or not user.is_active:
        return Access(frozenset(), {})
    if not hasattr(user, "_twinning_access"):
        roles = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        memberships = {
            organisation_id: frozenset(languages)
            for organisation_id, languages in Membership.objects.filter(user=user)
            .order_by()
            .values_list("organisation_id", "languages")
        }
        user._twinning_access = Access(roles, memberships)
    return user._twinning_access


def reviewed_partnerships(user: User) -> dict[int, frozenset[str]]:
    """Partnership id -> the languages ``user`` reviews it in; empty unless a partner reviewer.

    Read once per user object, and only for reviewers, so nobody else pays a query for it.
    """
    if PARTNER_REVIEWER not in access(user).roles:
        return {}
    if not hasattr(user, "_twinning_reviews"):
        user._twinning_reviews = {
            partnership_id: frozenset(languages)
            for partnership_id, languages in PartnerReviewer.objects.filter(user=user)
            .order_by()
            .values_list("partnership_id", "languages")
        }
    return user._twinning_reviews


def is_partner_reviewer(user: User) -> bool:
    return user.is_active and user.is_staff and bool(reviewed_partnerships(user))


def is_partner_reviewer_only(user: User) -> bool:
    """Someone of the partner side with no role on this install's own content."""
    return not user.is_superuser and access(user).roles == {PARTNER_REVIEWER}


def is_site_manager(user: User) -> bool:
    return user.is_active and (user.is_superuser or SITE_MANAGER in access(user).roles)


def is_translator_only(user: User) -> bool:
    """A translator who has no other role on content: edits texts of their languages and
    nothing else. Reviewing a partnership gives no right on content, so a translator who
    also reviews stays limited to their languages (else the second role would lift them)."""
    return not user.is_superuser and access(user).roles - {PARTNER_REVIEWER} == {TRANSLATOR}


def organisations_for(user: User) -> QuerySet[Organisation]:
    """The organisations whose content ``user`` may work on (the choices for an owner)."""
    if is_site_manager(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=access(user).organisation_ids)


# Ownership and publication -------------------------------------------------------------------


def _model_name(target: models.Model | type[models.Model]) -> str:
    return target._meta.model_name


def is_owned(model: type[models.Model]) -> bool:
    """Whether objects of ``model`` belong to an organisation (as opposed to shared data)."""
    return _model_name(model) in OWNER_LOOKUPS


def owner_id(obj: models.Model) -> int | None:
    """The id of the organisation that owns ``obj``; None for shared reference data.

    Follows the foreign keys of the instance (saved or not), so it answers for an object
    being added as well as for one in the database.
    """
    lookup = OWNER_LOOKUPS.get(_model_name(obj))
    if lookup is None:
        return None
    *path, last = lookup.split("__")
    target = obj
    for name in path:
        if getattr(target, f"{name}_id") is None:
            return None
        target = getattr(target, name)
    return getattr(target, f"{last}_id")


def publication_of(obj: models.Model) -> Publishable | None:
    """The object whose status says whether ``obj`` is public: itself or its parent."""
    if isinstance(obj, Publishable):
        return obj
    parent_field = PUBLICATION_PARENTS.get(_model_name(obj))
    if parent_field is None or getattr(obj, f"{parent_field}_id") is None:
        return None
    return getattr(obj, parent_field)


def shared_page_field(model: type[models.Model]) -> str | None:
    """The relation of ``model`` that puts its objects on a shared object's page, if any."""
    return SHARED_PAGES.get(_model_name(model))


def _changes_shared_page(obj: models.Model) -> models.Model | None:
    """The shared object ``obj`` is being attached to (new, or a different one), if any."""
    field = shared_page_field(type(obj))
    if field is None or (target := getattr(obj, f"{field}_id")) is None:
        return None
    stored = type(obj)._base_manager.filter(pk=obj.pk).values_list(f"{field}_id", flat=True)
    if obj.pk is not None and stored.first() == target:
        return None
    return getattr(obj, field)


def is_frozen(obj: models.Model) -> bool:
    """Published (live or scheduled), or part of something published: publishers only."""
    publication = publication_of(obj)
    return publication is not None and publication.status == Status.PUBLISHED


# The rules ------------------------------------------------------------------------------------


def _has_perm(user: User, action: str, model: type[models.Model]) -> bool:
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def _may_write_within(user: User, obj: models.Model) -> bool:
    """Own organisation's content, or anything for a site manager; shared data: managers."""
    if is_site_manager(user):
        return True
    owner = owner_id(obj)
    return owner is not None and owner in access(user).organisation_ids


def _may_read_within(user: User, obj: models.Model) -> bool:
    owner = owner_id(obj)
    return owner is None or is_site_manager(user) or owner in access(user).organisation_ids


def _may_publish(user: User, obj: models.Model) -> bool:
    publication = publication_of(obj)
    return (
        publication is not None
        and _has_perm(user, "publish", type(publication))
        and _may_write_within(user, publication)
    )


def _can_on_model(user: User, action: str, model: type[models.Model]) -> bool:
    """Whether ``user`` may do ``action`` to some object of ``model`` (the admin's lists)."""
    if action == "view":
        return _has_perm(user, "view", model) or _has_perm(user, "change", model)
    if action == "submit":
        return _can_on_model(user, "change", model) and not is_translator_only(user)
    if action == "publish" and not issubclass(model, Publishable):
        return False
    if not _has_perm(user, action, model):
        return False
    return is_site_manager(user) or (is_owned(model) and bool(access(user).organisation_ids))


def can(user: User, action: str, target: models.Model | type[models.Model]) -> bool:
    """Whether ``user`` may ``action`` the object ``target`` (or, for a model, some object).

    ``action`` is one of ``ACTIONS``: view, add (an unsaved object: may it be saved as
    it is?), change, delete, publish (publish, unpublish, schedule, send back) and submit
    (for review).
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; expected one of {', '.join(ACTIONS)}.")
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    if isinstance(target, type):
        return _can_on_model(user, action, target)
    obj = target
    if not _can_on_model(user, action, type(obj)):
        return False
    if action == "view":
        return _may_read_within(user, obj)
    if action == "publish":
        return _may_publish(user, obj)
    if not _may_write_within(user, obj):
        return False
    if is_frozen(obj) and not _may_publish(user, obj):
        return False
    page = _changes_shared_page(obj) if action in ("add", "change") else None
    if page is not None and not can(user, "change", page):
        return False
    if is_translator_only(user):
        return action == "change" and bool(editable_languages(user, obj))
    return True


def editable_languages(user: User, obj: models.Model | None) -> frozenset[str] | None:
    """The languages whose texts ``user`` may edit in ``obj``; None means every field.

    Only a translator is limited: to the languages of their membership in the owning
    organisation (none for another organisation's content, or for an object being added).
    """
    if not is_translator_only(user):
        return None
    owner = owner_id(obj) if obj is not None else None
    return access(user).memberships.get(owner, frozenset())


# Querysets ------------------------------------------------------------------------------------


def scope(queryset: QuerySet, user: User) -> QuerySet:
    """The objects of ``queryset`` that ``user`` may see in the admin (and preview).

    Other organisations' content is left out, so a list, an autocomplete, an action or a
    URL to such an object finds nothing.
    """
    model = queryset.model
    if not can(user, "view", model):
        return queryset.none()
    lookup = OWNER_LOOKUPS.get(_model_name(model))
    if lookup is None or is_site_manager(user):
        return queryset
    return queryset.filter(
        Q(**{f"{lookup}__in": access(user).organisation_ids}) | Q(**{f"{lookup}__isnull": True})
    )


def visible_to(queryset: QuerySet, user: User) -> QuerySet:
    """Published content for everyone; staff also preview what they may see in the admin.

    A draft of another organisation stays as hidden from its staff as from visitors.
    """
    if user.is_authenticated and user.is_staff:
        return queryset.published() | scope(queryset, user)
    return queryset.published()


def choices_for(user: User, model: type[models.Model], field_name: str, queryset: QuerySet):
    """What ``user`` may pick for the relation ``field_name`` of a ``model`` object.

    Owned objects of their own organisations; for an owner, their own organisations; for
    the parent of a part without a status (a photo's mission), only unpublished parents
    unless they may publish, because adding to a published page changes it; for a shared
    page (a photo's region), only if they may change such pages.
    """
    if OWNER_LOOKUPS.get(_model_name(model)) == field_name:
        return queryset.filter(pk__in=organisations_for(user).values("pk"))
    if shared_page_field(model) == field_name and not can(user, "change", queryset.model):
        return queryset.none()
    queryset = scope(queryset, user)
    parent_field = PUBLICATION_PARENTS.get(_model_name(model))
    if field_name == parent_field and not can(user, "publish", queryset.model):
        queryset = queryset.exclude(status=Status.PUBLISHED)
    return queryset


# Partner reviews -----------------------------------------------------------------------------

# The content a partner reviewer reads, and the lookup from each model to its partnership.
REVIEW_LOOKUPS = {
    "partnership": "pk",
    "objective": "partnership",
    "mission": "partnership",
    "programmeitem": "mission__partnership",
    "outcome": "partnership",
    "photo": "mission__partnership",
}


def is_reviewable(model: type[models.Model]) -> bool:
    """Whether partner reviewers read (and suggest changes to) objects of ``model``."""
    return _model_name(model) in REVIEW_LOOKUPS


def partnership_id_of(obj: models.Model) -> int | None:
    """The id of the partnership whose content ``obj`` is; None if it is no such content
    (a photo of a region, shared data)."""
    lookup = REVIEW_LOOKUPS.get(_model_name(obj))
    if lookup is None:
        return None
    if lookup == "pk":
        return obj.pk
    *path, last = lookup.split("__")
    target = obj
    for name in path:
        if getattr(target, f"{name}_id") is None:
            return None
        target = getattr(target, name)
    return getattr(target, f"{last}_id")


def review_languages(user: User, obj: models.Model) -> frozenset[str]:
    """The languages in which ``user`` reviews ``obj`` (none: they may not even see it)."""
    if not is_partner_reviewer(user):
        return frozenset()
    return reviewed_partnerships(user).get(partnership_id_of(obj), frozenset())


def reviewable(queryset: QuerySet, user: User) -> QuerySet:
    """The objects of ``queryset`` a partner reviewer reads: their partnerships' content."""
    lookup = REVIEW_LOOKUPS.get(_model_name(queryset.model))
    if lookup is None or not is_partner_reviewer(user):
        return queryset.none()
    return queryset.filter(**{f"{lookup}__in": list(reviewed_partnerships(user))})


def may_suggest(user: User, obj: models.Model, language: str) -> bool:
    """Whether ``user`` may suggest a change to a text of ``obj`` in ``language``."""
    return user.has_perm("programmes.add_suggestion") and language in review_languages(user, obj)


def suggestions_visible_to(queryset: QuerySet[Suggestion], user: User) -> QuerySet[Suggestion]:
    """The suggestions ``user`` may read: a reviewer those of their partnerships in their
    languages; the owner's staff (``scope``) those of their organisations' partnerships."""
    if not (user.is_authenticated and user.has_perm("programmes.view_suggestion")):
        return queryset.none()
    visible = scope(queryset, user)
    if not is_partner_reviewer(user):
        return visible
    theirs = Q(pk__in=[])
    for partnership_id, languages in reviewed_partnerships(user).items():
        theirs |= Q(partnership_id=partnership_id, language__in=languages)
    return queryset.filter(theirs) | visible


def may_decide(user: User, suggestion: Suggestion, target: models.Model | None) -> bool:
    """Whether ``user`` may accept or decline ``suggestion`` (for the text of ``target``).

    Accepting writes the text as a change to ``target`` would: so it takes the right to
    change ``target`` (a published page: publishers only) in that language. Without a
    target (it was deleted), the owner's staff may still decline it.
    """
    if not can(user, "change", suggestion):
        return False
    if target is None:
        return True
    languages = editable_languages(user, target)
    return can(user, "change", target) and (languages is None or suggestion.language in languages)


# The groups -----------------------------------------------------------------------------------


def role_permissions(role: str) -> QuerySet[Permission]:
    """The permissions of ``role``'s group: those of ``ROLE_PERMISSIONS``; a site manager's
    are all of the ``ROLE_APPS``."""
    permissions = Permission.objects.filter(content_type__app_label__in=ROLE_APPS)
    if role == SITE_MANAGER:
        return permissions
    named = Q(pk__in=[])
    for name in ROLE_PERMISSIONS[role]:
        app_label, codename = name.split(".")
        named |= Q(content_type__app_label=app_label, codename=codename)
    return permissions.filter(named)


def sync_role_groups() -> dict[str, Group]:
    """Create the role groups, or reset their permissions to ``ROLE_PERMISSIONS``."""
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
        groups[role] = group
    return groups
