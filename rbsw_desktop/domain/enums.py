"""The closed vocabularies of the practice, one name per idea.

Each enum's value is what is stored, synced and shown in JSON; `label` is what a person reads.
"""

from __future__ import annotations

from enum import StrEnum


class Zone(StrEnum):
    """The three zones of the family's board (Wirral's model)."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return {"red": "Key risks", "amber": "Worries about the future",
                "green": "Strengths"}[self.value]

    @property
    def family_label(self) -> str:
        """How a family or a child says it."""
        return {"red": "a big worry", "amber": "a worry for the future",
                "green": "a strength"}[self.value]

    @property
    def rank(self) -> int:
        """Higher is better for the child: red 0, amber 1, green 2."""
        return {"red": 0, "amber": 1, "green": 2}[self.value]


class RaisedBy(StrEnum):
    FAMILY = "family"
    PROFESSIONAL = "professional"


class WithheldReason(StrEnum):
    """Why an item is not shared with the family (DPA 2018 Sch. 3 Pt 3, ICO guidance)."""

    PROFESSIONALS_ONLY = "professionals_only"
    THIRD_PARTY = "third_party"
    SERIOUS_HARM = "serious_harm"
    CHILDS_WISH = "childs_wish"
    LEGAL = "legal"

    @property
    def label(self) -> str:
        return {
            "professionals_only": "For professionals only",
            "third_party": "About another person (third party)",
            "serious_harm": "Sharing is likely to cause serious harm",
            "childs_wish": "The child asked for it not to be shared",
            "legal": "Legal advice",
        }[self.value]


class SafetyCategory(StrEnum):
    """Signs of Safety's close cousin of the board: an optional category on an item."""

    WORRIED = "worried"
    WORKING_WELL = "working_well"
    NEEDS_TO_HAPPEN = "needs_to_happen"


class CaseCategory(StrEnum):
    """The legal footing of the work, which sets the statutory visit rules."""

    CHILD_PROTECTION = "child_protection"
    CHILD_IN_NEED = "child_in_need"
    CHILD_IN_CARE = "child_in_care"

    @property
    def label(self) -> str:
        return {"child_protection": "Child protection", "child_in_need": "Child in need",
                "child_in_care": "Child in care"}[self.value]


class CareArrangement(StrEnum):
    """For children in care: which regulation sets the visit intervals."""

    PLACEMENT = "placement"                    # reg 28 (foster/residential placement)
    PLACEMENT_TO_18 = "placement_to_18"        # reg 28, placement meant to last until 18
    PARENT_BEFORE_ASSESSMENT = "parent_before_assessment"  # reg 19
    CONNECTED_TEMPORARY = "connected_temporary"  # reg 24, or interim care order at home
    CARE_ORDER_AT_HOME = "care_order_at_home"


class VisitType(StrEnum):
    STATUTORY = "statutory"
    CORE_GROUP = "core_group"        # does not count as a statutory visit
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"statutory": "Statutory visit", "core_group": "Core group meeting",
                "other": "Other visit"}[self.value]


class VisitStatus(StrEnum):
    DRAFT = "draft"
    FINALISED = "finalised"


class DirectWorkTool(StrEnum):
    THREE_HOUSES = "three_houses"
    WIZARD_FAIRY = "wizard_fairy"
    SAFETY_HOUSE = "safety_house"
    WISHES_AND_FEELINGS = "wishes_and_feelings"
    ECOMAP = "ecomap"
    GENOGRAM = "genogram"
    SCALING = "scaling"
    LIFE_STORY = "life_story"
    ALL_ABOUT_ME = "all_about_me"
    FREE_FORM = "free_form"

    @property
    def label(self) -> str:
        return _TOOL_LABELS[self.value]

    @property
    def prompts(self) -> tuple[str, ...]:
        """The parts the tool records, in the order a worker fills them in."""
        return _TOOL_PROMPTS[self.value]


_TOOL_LABELS = {
    "three_houses": "Three Houses", "wizard_fairy": "Wizard / Fairy",
    "safety_house": "Safety House", "wishes_and_feelings": "Wishes and feelings",
    "ecomap": "Ecomap", "genogram": "Genogram", "scaling": "Scaling 0-10",
    "life_story": "Life story", "all_about_me": "All About Me", "free_form": "Free form",
}

_TOOL_PROMPTS: dict[str, tuple[str, ...]] = {
    "three_houses": ("House of worries", "House of good things", "House of dreams"),
    "wizard_fairy": ("Good things", "Worries", "Wishes"),
    "safety_house": ("Who helps keep me safe", "Safety arrangements",
                     "Where I am on the safety path"),
    "wishes_and_feelings": ("My wishes", "My feelings"),
    "ecomap": ("People and services around me", "Strong, weak or stressful links"),
    "genogram": ("Generations, births and relationships",),
    "scaling": ("The question", "What 0 means", "What 10 means", "Scores and why"),
    "life_story": ("Who am I", "Who is my birth family", "How did I get here",
                   "Where am I going"),
    "all_about_me": ("This is me", "My favourite things", "My feelings", "People in my life",
                     "Places I have lived", "My future"),
    "free_form": ("What we did",),
}


class EntityKind(StrEnum):
    """Each kind of record: its table, its `entity` in the sync protocol, its key in changes."""

    POD = "pod"
    WORKER = "worker"
    CHILD = "child"
    PERSON = "person"
    CASE = "case"
    VISIT = "visit"
    VISIT_AMENDMENT = "visit_amendment"
    BOARD_ITEM = "board_item"
    BOARD_MOVE = "board_move"
    REVIEW = "review"
    DIRECT_WORK_ACTIVITY = "direct_work_activity"
    ATTACHMENT = "attachment"


class SyncState(StrEnum):
    LOCAL = "local"          # never leaves this laptop
    PENDING = "pending"      # saved here, waiting to go to the council system
    SYNCED = "synced"        # the council system has this version
    FILED = "filed"          # business support filed it in the case system
    CONFLICT = "conflict"    # changed in two places; a person must choose

    @property
    def label(self) -> str:
        return {"local": "On this laptop only", "pending": "Waiting to sync",
                "synced": "Synced", "filed": "Filed", "conflict": "Needs a decision"}[self.value]


class Role(StrEnum):
    SOCIAL_WORKER = "social_worker"
    SENIOR_SOCIAL_WORKER = "senior_social_worker"
    NQSW = "nqsw"
    POD_MANAGER = "pod_manager"
    BUSINESS_SUPPORT = "business_support"

    @property
    def label(self) -> str:
        return {"social_worker": "Social worker", "senior_social_worker": "Senior social worker",
                "nqsw": "Newly qualified social worker", "pod_manager": "Pod manager",
                "business_support": "Business support officer"}[self.value]
